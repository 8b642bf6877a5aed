"""What the desktop app keeps of a colorized photo, and the save step, without any Qt.

The window shows a screen-sized preview; saving re-reads the original at full resolution and
joins it with the kept ab, so a saturation change or a colour hint never runs the network again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from ..core import lab
from ..core.hints import Hint, apply_hints
from ..core.imageio import load_image, save_image, to_uint8
from ..restore.options import RestoreOptions
from .colorizer import CHOICES, Colorizer, ColourChoices, EncodedPhoto
from .restoring import repair_photo

# A model with hint inputs, bound to one photo's kept encoder outputs: hints -> (ab at network
# size, the likeliest colours given them).
HintDecoder = Callable[[tuple[Hint, ...]], tuple[np.ndarray, ColourChoices | None]]

PREVIEW_SIDE = 2048

# A result this pale (mean chroma of its ab, Lab units) looks gray to a person: the model was
# unsure and left it near gray on purpose. A trial took such photos (Detroit 1.0, the Buffalo
# bank 3.1; Migrant Mother 6.0 reads as coloured) for the app not working: the note says why
# and what makes them bolder.
PALE_CHROMA = 3.5
PALE_NOTE = (
    "unsure of its colours, the model left it near gray: Colour makes it bolder, pins (H) add "
    "what you know"
)


@dataclass
class ColorizedPhoto:
    path: Path
    full_size: tuple[int, int]  # (width, height) of the original, upright
    preview_rgb: np.ndarray  # uint8, longest side at most PREVIEW_SIDE
    preview_l: np.ndarray  # float32 L of the preview
    ab_small: np.ndarray  # the network's ab (Lab units) at network size
    model_name: str
    notes: list[str] = field(default_factory=list)  # "first page of 3 only", "already in colour"
    l_small: np.ndarray | None = None  # L at network size: what hints spread along
    choices: ColourChoices | None = None  # the model's likeliest colours, for the hint chooser
    hints: tuple[Hint, ...] = ()  # in the original's upright pixels
    # Set where the model takes hints as input: its decoder re-runs on each pin edit (the
    # encoder's outputs are kept in it); None: hints are propagated (core/hints.py).
    hint_decoder: HintDecoder | None = field(default=None, repr=False)
    _hinted: tuple[tuple[Hint, ...], np.ndarray, ColourChoices | None] | None = field(
        default=None, repr=False
    )
    # Restoration before colour (the photo's Restore switches, issue 28): the preview and Save
    # colour the repaired photo; `original_preview` is the photo as it came, the compare view's
    # "before" (None: nothing repaired, the preview is the original).
    restore: RestoreOptions = field(default_factory=RestoreOptions)
    restore_mask: np.ndarray | None = field(default=None, repr=False)
    original_preview: np.ndarray | None = field(default=None, repr=False)
    render_size: int = 0  # the detail it was coloured at (the size the network saw; 0: its own)

    @property
    def repaired(self) -> bool:
        """Whether its restoration changed it: a switch on whose step found nothing to do (tones
        fine, no grain) leaves the photo as it came, and it is not called restored (a trial)."""
        return self.original_preview is not None

    def _solve_hints(self) -> tuple[np.ndarray, ColourChoices | None]:
        """ab_small and the chooser's colours with this photo's hints; solved once per set of
        hints, so the colour slider stays as cheap with hints as without."""
        if not self.hints or (self.l_small is None and self.hint_decoder is None):
            return self.ab_small, self.choices
        if self._hinted is None or self._hinted[0] != self.hints:
            if self.hint_decoder is not None:
                ab, choices = self.hint_decoder(self.hints)
            else:
                assert self.l_small is not None
                ab = apply_hints(self.ab_small, self.l_small, self.hints, self.full_size)
                choices = self.choices
            self._hinted = (self.hints, ab, choices)
        return self._hinted[1], self._hinted[2]

    def with_hints(self, hints: tuple[Hint, ...]) -> ColorizedPhoto:
        """The same photo with other hints, this one untouched (a pin being dragged)."""
        return replace(self, hints=tuple(hints))

    def snapshot(self) -> ColorizedPhoto:
        """A copy to hand to another thread (Save): its own hints and notes, the pixels shared
        through read-only views, so nothing the window does later changes what is saved."""

        def frozen(array: np.ndarray) -> np.ndarray:
            view = array.view()
            view.flags.writeable = False
            return view

        return replace(
            self,
            preview_rgb=frozen(self.preview_rgb),
            preview_l=frozen(self.preview_l),
            ab_small=frozen(self.ab_small),
            l_small=None if self.l_small is None else frozen(self.l_small),
            notes=list(self.notes),
            hints=tuple(self.hints),
        )

    def hinted_ab(self) -> np.ndarray:
        """ab_small with this photo's hints: the hint network's answer, or the propagation."""
        return self._solve_hints()[0]

    def render(self, saturation: float = 1.0) -> np.ndarray:
        """The colorized preview at this saturation, hints included: cheap, no network."""
        return Colorizer.compose(self.preview_rgb, self.hinted_ab(), saturation, self.preview_l)

    def render_thumbnail(self, side: int, saturation: float = 1.0) -> np.ndarray:
        """A small colorized copy (longest side `side`) for the photo list."""
        small = preview_of(self.preview_rgb, side)
        return Colorizer.compose(small, self.hinted_ab(), saturation, upsample="bilinear")

    def likely_colours(self, x: float, y: float) -> list[str]:
        """The model's likeliest colours at (x, y) (original's upright pixels), as #rrggbb,
        likeliest first: the chooser's suggestions. The automatic colour at that spot comes
        first, whatever the model. Shown at the spot's lightness, kept between 45 and 80 so a
        hue in deep shadow can still be told apart (a pin uses only a and b)."""
        w, h = self.full_size
        fx, fy = min(max(x / w, 0.0), 1.0), min(max(y / h, 0.0), 1.0)
        ph, pw = self.preview_l.shape
        lightness = float(self.preview_l[min(ph - 1, int(fy * ph)), min(pw - 1, int(fx * pw))])
        # With a hint network, what the other pins already say changes what is likely here.
        ab_small, choices = (
            self._solve_hints() if self.hint_decoder else (self.ab_small, self.choices)
        )
        sh, sw = ab_small.shape[:2]
        auto = ab_small[min(sh - 1, int(fy * sh)), min(sw - 1, int(fx * sw))]
        abs_ = [(float(auto[0]), float(auto[1]))]
        if choices is not None:
            abs_ += [(a, b) for a, b, _ in choices.at(fx, fy)]
        out: list[str] = []
        for a, b in abs_:
            colour = lab.lab_to_hex(min(max(lightness, 45.0), 80.0), a, b)
            if colour not in out:
                out.append(colour)
        return out


def preview_of(rgb: np.ndarray, side: int = PREVIEW_SIDE) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    small = rgb
    if scale < 1:
        small = cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    return np.ascontiguousarray(to_uint8(small))


def colorize_for_view(
    colorizer: Colorizer,
    path: Path,
    restore: RestoreOptions | None = None,
    restore_mask: np.ndarray | None = None,
) -> ColorizedPhoto:
    """The photo colorized for the window; with `restore` on, repaired first (at the preview's
    size: what is shown, and more than the network sees) and then colorized. `restore_mask`:
    the damage as a person corrected it (any size), filled instead of detecting."""
    restore = restore or RestoreOptions()
    image = load_image(path)
    source, original_preview = image.rgb, None
    if restore.any:
        original_preview = preview_of(image.rgb)
        source = repair_photo(original_preview, restore, restore_mask)
        if source is original_preview:  # no step found anything to do: nothing repaired
            original_preview = None
    l_small = colorizer.small_l(source)  # no full-resolution L: 600 MB for a 150 MP scan
    ab_small, choices = colorizer.predict_with_choices(l_small)
    hint_decoder: HintDecoder | None = None
    notes = list(image.notes)
    if float(np.hypot(ab_small[..., 0], ab_small[..., 1]).mean()) < PALE_CHROMA:
        notes.append(PALE_NOTE)
    if colorizer.takes_hints:
        kept: list[EncodedPhoto] = []  # the encoder's outputs, from the first pin on

        def hint_decoder(hints: tuple[Hint, ...]) -> tuple[np.ndarray, ColourChoices | None]:
            if not kept:
                kept.append(colorizer.encode(l_small))
            return colorizer.answer_hints(l_small, ab_small, hints, image.size, kept[0], CHOICES)

    elif colorizer.hint_problem:
        notes.append("colour pins are spread without their network: reinstall Colorizer")
    preview = preview_of(source)
    return ColorizedPhoto(
        path,
        image.size,
        preview,
        lab.rgb_to_l(preview),
        ab_small,
        colorizer.name,
        notes,
        l_small,
        choices,
        hint_decoder=hint_decoder,
        restore=restore,
        restore_mask=restore_mask if restore.scratches else None,
        original_preview=original_preview,
    )


def save_colorized(photo: ColorizedPhoto, dest: Path, saturation: float, quality: int) -> Path:
    """Full resolution: the original's L (repaired at full size first where the photo's
    Restore switches are on), EXIF, ICC, alpha and bit depth, the kept ab."""
    image = load_image(photo.path)
    source = repair_photo(image.rgb, photo.restore, photo.restore_mask)
    # The network's own small L guides the upsampling: not made again from the full photo.
    rgb = Colorizer.compose(source, photo.hinted_ab(), saturation, guide=photo.l_small)
    return save_image(dest, rgb, like=image, quality=quality)
