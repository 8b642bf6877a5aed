"""The Colorizer: what the CLI, the GUI worker and the evaluation all call.

The network sees a small copy of the photo (aspect kept, sides multiples of 8); its ab are
upsampled and joined with the full-resolution L, so every pixel of the original's detail stays and
memory is bounded for a 50 MP scan.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from ..core import lab
from ..core.device import describe_device, pick_device
from ..core.errors import ModelError
from ..core.guided import BilinearUpsampler, GuidedUpsampler
from ..core.hints import Hint, apply_hints, rasterize
from ..model.hint_decoder import hint_planes
from ..model.hybrid import HybridConfig
from ..model.model_file import ModelFile, build_model
from ..model.networks import ColorNet
from ..model.semantic import SemanticColorizer
from .catalog import open_model
from .hint_model import hint_companion

log = logging.getLogger(__name__)


# How many of the model's likeliest colours the hint chooser offers at a spot.
CHOICES = 6


@dataclass
class ColourChoices:
    """The model's likeliest colours over a coarse grid of the photo (its head's, 1/4 of the
    network's size): ab (k x h x w x 2, Lab) and probability (k x h x w), likeliest first.
    Kept with a photo in the app (tens of kB) so the chooser opens without the network."""

    ab: np.ndarray
    prob: np.ndarray

    def at(self, fx: float, fy: float) -> list[tuple[float, float, float]]:
        """(a, b, probability) at a place given as fractions (0..1) of the width and height."""
        _, h, w = self.prob.shape
        x = min(w - 1, max(0, int(fx * w)))
        y = min(h - 1, max(0, int(fy * h)))
        return [
            (float(self.ab[i, y, x, 0]), float(self.ab[i, y, x, 1]), float(self.prob[i, y, x]))
            for i in range(self.prob.shape[0])
        ]


@dataclass
class EncodedPhoto:
    """The frozen encoder's outputs for one photo's small L: what a model with hint inputs
    keeps, so that a pin edit runs only its decoder."""

    l_norm: torch.Tensor  # 1 x 1 x h x w, on the model's device
    features: list[torch.Tensor]
    probs: torch.Tensor

    def looks(self) -> np.ndarray:
        """What the pixels are, for where a pin's colour stops (core/hints.LOOK_FLOOR): the
        encoder's first features, h x w x c unit vectors."""
        first = torch.nn.functional.normalize(self.features[0][0].float(), dim=0)
        return first.permute(1, 2, 0).cpu().numpy()


def network_size(height: int, width: int, longest: int) -> tuple[int, int]:
    """(h, w) with the longest side `longest`, the aspect kept, both multiples of 8."""
    scale = longest / max(height, width)
    h = max(8, int(round(height * scale / 8)) * 8)
    w = max(8, int(round(width * scale / 8)) * 8)
    return h, w


class Colorizer:
    """Loads a model once; `colorize(rgb)` returns a colorized image of the input's size."""

    net: ColorNet

    def __init__(
        self,
        model: str | os.PathLike | ModelFile | ColorNet = "default",
        device: str | torch.device = "auto",
        render_size: int | None = None,
        upsample: str = "guided",
    ):
        """`model`: a model's name or a model file's path (opened and checked), a ModelFile read
        already, or a network in memory (training judges and previews a model as it learns: it
        is used as it is, on its own dtype, and nothing is read or built)."""
        self.device = device if isinstance(device, torch.device) else pick_device(device)
        # The longest side of the copy the network sees; None: the model's own (recommended).
        self.render_size = render_size
        self.upsample = upsample
        # Why this model's built-in pins companion could not be used (damaged, missing): the
        # pins then work by propagation alone, and the window says so on each photo.
        self.hint_problem: str | None = None
        if isinstance(model, (str, os.PathLike, ModelFile)):
            self.model_file: ModelFile | None = (
                model if isinstance(model, ModelFile) else open_model(model)
            )
            self.config: HybridConfig = self.model_file.config
            self._load_on(self.device)
        else:
            self.model_file = None
            self.config = model.config
            self.dtype = next(model.parameters()).dtype
            self.net = model.to(self.device)

    def _load_on(self, device: torch.device) -> None:
        self.device = device
        if self.model_file is None:  # a network in memory: moved, kept in its own dtype
            self.net = self.net.to(device)
            return
        net = build_model(self.model_file)
        # Half precision on CUDA: twice the speed, a quarter of a dB is never seen in colour.
        self.dtype = torch.float16 if device.type == "cuda" else torch.float32
        self.net = net.to(device=device, dtype=self.dtype).eval()

    @property
    def name(self) -> str:
        if self.model_file is None:
            return "the model in training"
        path = self.model_file.path
        return Path(path).stem if path else self.model_file.preset

    @property
    def device_name(self) -> str:
        return describe_device(self.device)

    @property
    def inference_size(self) -> int:
        if self.render_size:
            return max(32, int(round(self.render_size / 8)) * 8)
        return self.config.inference_size

    def small_l(self, rgb: np.ndarray, l_full: np.ndarray | None = None) -> np.ndarray:
        """L of the copy the network sees (float32, [0, 100])."""
        height, width = rgb.shape[:2]
        h, w = network_size(height, width, self.inference_size)
        if l_full is None:
            return lab.rgb_to_small_l(rgb, (h, w))
        return cv2.resize(l_full, (w, h), interpolation=cv2.INTER_AREA)

    @property
    def takes_hints(self) -> bool:
        """Whether a network with hint inputs answers this model's pins (its own, or its
        built-in companion's: engine/hint_model.py); otherwise hints are propagated over the
        automatic colour (core/hints.py)."""
        return self._hinting() is not None

    def _own_hint_net(self) -> SemanticColorizer | None:
        net = self.net
        return net if isinstance(net, SemanticColorizer) and net.hint_encoder is not None else None

    def _hinting(self) -> Colorizer | None:
        """The Colorizer whose network takes the hints: this one, its companion (loaded once,
        when first asked), or None."""
        if self._own_hint_net() is not None:
            return self
        if not hasattr(self, "_companion"):
            companion = None
            try:
                found = hint_companion(self.model_file) if self.model_file is not None else None
                if found is not None:
                    companion = Colorizer(found, self.device.type, self.render_size, self.upsample)
            except (ModelError, OSError, RuntimeError) as exc:
                # A missing, damaged or unreadable companion (or no memory left to build it)
                # costs the pins its network, not the photo: they are spread by the
                # propagation alone, as for any other model, and every photo says so.
                self.hint_problem = str(exc)
                log.warning(
                    "colour pins are spread without their network; reinstall Colorizer to "
                    "have it back (%s)",
                    exc,
                )
            self._companion = companion  # set once, when it is known
        return self._companion

    def _hint_net(self) -> tuple[Colorizer, SemanticColorizer]:
        hinting = self._hinting()
        net = hinting._own_hint_net() if hinting is not None else None
        if hinting is None or net is None:
            raise ModelError(f"model '{self.name}' takes no hint inputs")
        return hinting, net

    def _l_tensor(self, l_small: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(lab.normalize_l(l_small))[None, None]
        return x.to(device=self.device, dtype=self.dtype)

    @torch.inference_mode()
    def encode(self, l_small: np.ndarray) -> EncodedPhoto:
        """The encoder's outputs for `l_small`, kept for decode_with_hints."""
        hinting, net = self._hint_net()
        x = hinting._l_tensor(l_small)
        features, probs = net.encode(x)
        return EncodedPhoto(x, features, probs)

    @torch.inference_mode()
    def decode_automatic(self, encoded: EncodedPhoto) -> np.ndarray:
        """This model's own colour without pins (predict_small's) from the encoder outputs kept
        by `encode`: the encoder is shared with a companion, the decoder is this model's (a
        companion's own may have been trained apart from it)."""
        net = self.net
        if not isinstance(net, SemanticColorizer):
            raise ModelError(f"model '{self.name}' keeps no encoder outputs")
        ab_t, _ = net.decode(encoded.l_norm, encoded.features, encoded.probs, None, 0)
        return self._as_numpy(ab_t, None)[0]

    @torch.inference_mode()
    def decode_with_hints(
        self,
        encoded: EncodedPhoto,
        hints: Sequence[Hint],
        photo_size: tuple[int, int],
        choices: int = 0,
    ) -> tuple[np.ndarray, ColourChoices | None]:
        """The decoder alone, given the hints (in the pixels of a photo of `photo_size`,
        width x height) as its input: ab at network size and, for `choices` > 0, the likeliest
        colours given the hints. A stroke counts as every head cell along it."""
        h, w = encoded.l_norm.shape[-2:]
        grid = (h // 4, w // 4)  # the head's stride, where the hints enter
        mask, ab = rasterize(hints, photo_size, grid) if hints else (np.zeros(grid, bool), None)
        planes = hint_planes(np.zeros(grid + (2,), np.float32) if ab is None else ab, mask)
        hinting, net = self._hint_net()
        planes = planes.to(device=hinting.device, dtype=hinting.dtype)
        ab_t, top = net.decode(encoded.l_norm, encoded.features, encoded.probs, planes, choices)
        return hinting._as_numpy(ab_t, top)

    def answer_hints(
        self,
        l_small: np.ndarray,
        ab_small: np.ndarray,
        hints: Sequence[Hint],
        photo_size: tuple[int, int],
        encoded: EncodedPhoto | None = None,
        choices: int = 0,
    ) -> tuple[np.ndarray, ColourChoices | None]:
        """ab at network size with the hints (photo_size: width x height of the photo their
        pixels are in), given the automatic `ab_small`: the pins' colour propagated over it
        (core/hints.py) and, where a hint network answers this model's pins, over that
        network's answer where the pins reach and as far as they spread over the photo
        (`encoded`: the photo's kept encoder outputs).
        With `choices` > 0 the likeliest colours given the hints (a hint network's only)."""
        if not hints or not self.takes_hints:
            return apply_hints(ab_small, l_small, hints, photo_size), None
        encoded = encoded if encoded is not None else self.encode(l_small)
        network_ab, top = self.decode_with_hints(encoded, hints, photo_size, choices)
        looks = encoded.looks()
        return apply_hints(ab_small, l_small, hints, photo_size, network_ab, looks), top

    @torch.inference_mode()
    def _run(
        self, l_small: np.ndarray, choices: int = 0
    ) -> tuple[np.ndarray, ColourChoices | None]:
        ab_t, top = self.net.with_choices(self._l_tensor(l_small), choices)
        return self._as_numpy(ab_t, top)

    def _as_numpy(
        self, ab_t: torch.Tensor, top: tuple[torch.Tensor, torch.Tensor] | None
    ) -> tuple[np.ndarray, ColourChoices | None]:
        """One photo's network output (1 x 2 x h x w, / 128, and its likeliest bins) -> ab in
        Lab units (h x w x 2) and ColourChoices."""
        ab = self._shown_ab(ab_t[0])
        if top is None:  # a head that names one colour per pixel: nothing to choose among
            return ab, None
        choice_ab, prob = (t[0].float().cpu().numpy() for t in top)
        return ab, ColourChoices(choice_ab.astype(np.float16), prob.astype(np.float16))

    @torch.inference_mode()
    def _run_many(self, l_smalls: Sequence[np.ndarray]) -> list[np.ndarray]:
        x = torch.cat([self._l_tensor(l) for l in l_smalls])
        ab_t, _ = self.net.with_choices(x, 0)
        return [self._shown_ab(ab) for ab in ab_t]

    def _shown_ab(self, ab_t: torch.Tensor) -> np.ndarray:
        """One photo's network output (2 x h x w, ab / 128) -> h x w x 2 in Lab units."""
        ab = ab_t.float().cpu().numpy()
        if not np.isfinite(ab).all():
            # A damaged model must never write a photo: NaN colour turns a scan white.
            raise ModelError(
                f"model '{self.name}' produced invalid (NaN) colours; the model file "
                "is damaged: choose another model or train it again"
            )
        strength = float(self.config.colour_strength) * lab.AB_SCALE
        return np.ascontiguousarray(ab.transpose(1, 2, 0)) * np.float32(strength)

    def predict_many(self, l_smalls: Sequence[np.ndarray]) -> list[np.ndarray]:
        """predict_small for several photos: those whose small copies have one size go through
        the network together (on a CPU four in one pass cost about half as much per photo as
        four passes), the rest one by one. The same colour as one at a time."""
        out: list[np.ndarray | None] = [None] * len(l_smalls)
        by_size: dict[tuple[int, ...], list[int]] = {}
        for i, l in enumerate(l_smalls):
            by_size.setdefault(l.shape, []).append(i)
        for group in by_size.values():
            if len(group) == 1:
                out[group[0]] = self.predict_small(l_smalls[group[0]])
                continue
            try:
                abs_ = self._run_many([l_smalls[i] for i in group])
            except torch.OutOfMemoryError:
                if self.device.type == "cpu":
                    raise
                abs_ = [self.predict_small(l_smalls[i]) for i in group]  # falls back to the CPU
            for i, ab in zip(group, abs_, strict=True):
                out[i] = ab
        return [ab for ab in out if ab is not None]

    def predict_ab(self, rgb: np.ndarray, l_full: np.ndarray | None = None) -> np.ndarray:
        """The network's ab for a photo, at network size (h x w x 2, Lab units)."""
        return self.predict_small(self.small_l(rgb, l_full))

    def predict_small(self, l_small: np.ndarray) -> np.ndarray:
        """The network's ab for the small L copy `small_l` made."""
        return self.predict_with_choices(l_small, 0)[0]

    def predict_with_choices(
        self, l_small: np.ndarray, choices: int = CHOICES
    ) -> tuple[np.ndarray, ColourChoices | None]:
        """predict_small, and the model's `choices` likeliest colours per spot where its head
        gives a distribution (None for a regression head)."""
        try:
            return self._run(l_small, choices)
        except torch.OutOfMemoryError:
            if self.device.type == "cpu":
                raise
            log.warning("out of GPU memory; colorizing on the CPU from now on")
            torch.cuda.empty_cache()
            self._load_on(torch.device("cpu"))
            return self._run(l_small, choices)

    @staticmethod
    def compose(
        rgb: np.ndarray,
        ab_small: np.ndarray,
        saturation: float = 1.0,
        l_full: np.ndarray | None = None,
        upsample: str = "guided",
        in_place: bool = False,
        guide: np.ndarray | None = None,
    ) -> np.ndarray:
        """Original L (full resolution) + upsampled ab * saturation -> RGB of the input's dtype.

        `upsample`: "guided" follows the photo's own edges (core/guided.py), "bilinear" is the
        plain stretch. Cheap next to the network: the GUI's saturation slider calls only this.
        Without `l_full`, L is computed strip by strip and never held whole; `in_place` writes
        the result over `rgb` (a batch that no longer needs the pixels it read), so a huge scan
        costs little more than itself. `guide`: the photo's L at ab_small's size, where the
        caller has it (small_l's, for the network): it is not made again.
        """
        h, w = rgb.shape[:2]
        if l_full is not None:

            def l_rows(y0: int, n: int) -> np.ndarray:
                return l_full[y0 : y0 + n]
        else:

            def l_rows(y0: int, n: int) -> np.ndarray:
                return lab.rgb_to_l(rgb[y0 : y0 + n])

        up: BilinearUpsampler
        if upsample == "guided":
            if guide is not None and guide.shape != ab_small.shape[:2]:
                guide = None
            if l_full is None and guide is None:
                guide = lab.rgb_to_small_l(rgb, ab_small.shape[:2])
            up = GuidedUpsampler(l_full, ab_small, guide=guide, full_shape=(h, w), scale=saturation)
        elif upsample == "bilinear":
            up = BilinearUpsampler(ab_small, (h, w), scale=saturation)
        else:
            raise ValueError(f"unknown upsampling {upsample!r}")

        def ab_rows(y0: int, n: int, l_strip: np.ndarray) -> list[np.ndarray]:
            return up.ab_planes(l_strip, y0)

        dtype = rgb.dtype if rgb.dtype in (np.uint8, np.uint16) else np.uint8
        writable = rgb.flags.c_contiguous and rgb.flags.writeable
        out = rgb if in_place and rgb.dtype == dtype and writable else None
        return lab.compose_rows(h, w, l_rows, ab_rows, dtype, 1.0, out)

    def colorize(
        self,
        rgb: np.ndarray,
        saturation: float = 1.0,
        hints: Sequence[Hint] = (),
        in_place: bool = False,
    ) -> np.ndarray:
        """The colorized photo; `hints` (pins and strokes in this image's pixels) pin colours
        that spread over their regions (core/hints.py); none gives the automatic colour.
        `in_place`: write the result over `rgb` (a batch's decoded photo, not needed after)."""
        rgb = as_rgb(rgb)
        l_small = self.small_l(rgb)
        return self.finish(rgb, l_small, self.predict_small(l_small), saturation, hints, in_place)

    def finish(
        self,
        rgb: np.ndarray,
        l_small: np.ndarray,
        ab_small: np.ndarray,
        saturation: float = 1.0,
        hints: Sequence[Hint] = (),
        in_place: bool = False,
    ) -> np.ndarray:
        """colorize's work after the network: `l_small` is small_l's, `ab_small` the network's
        colour for it (predict_small or predict_many)."""
        size = (rgb.shape[1], rgb.shape[0])
        if hints:
            ab_small = self.answer_hints(l_small, ab_small, hints, size)[0]
        return self.compose(
            rgb, ab_small, saturation, upsample=self.upsample, in_place=in_place, guide=l_small
        )


def as_rgb(rgb: np.ndarray) -> np.ndarray:
    """HxW gray -> HxWx3; HxWx3 as it is."""
    return np.repeat(rgb[:, :, None], 3, axis=2) if rgb.ndim == 2 else rgb
