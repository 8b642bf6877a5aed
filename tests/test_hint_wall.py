"""The issue's synthetic wall, with the shipped model as the app uses it: a blue pin in the
middle of an even, bright region bounded by a sharp edge (400x300). The pinned region takes
the pin's hue as saturated as a screen can show it at the wall's lightness (the issue's half of
the pin's chroma is beyond sRGB there), and the other side of the edge moves by at most a
quarter of it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core import lab
from colorizer_app.core.hints import Hint
from colorizer_app.engine.colorizer import Colorizer

from .conftest import real_rgb

BLUE = "#2a55d8"
REGION, OTHER = np.s_[20:280, 20:240], np.s_[20:280, 280:390]


def wall() -> np.ndarray:
    """400x300: a bright wall (gray 200, a real photo's faint texture) left of x = 260, a dark
    region right of it."""
    gray = cv2.cvtColor(real_rgb("astronaut"), cv2.COLOR_RGB2GRAY)[:300, :400].astype(np.float32)
    texture = (gray - gray.mean()) * 0.05
    base = np.where(np.arange(400)[None, :] < 260, 200.0, 70.0)
    out = np.clip(base + texture, 0, 255).astype(np.uint8)
    return np.repeat(out[:, :, None], 3, axis=2)


def _mean_ab(rgb: np.ndarray, where) -> np.ndarray:
    return lab.rgb_to_lab(np.ascontiguousarray(rgb[where]))[:, :, 1:].reshape(-1, 2).mean(0)


def pin_effect(
    colorizer: Colorizer, photo: np.ndarray, pin: Hint, *more: Hint
) -> tuple[float, float, float]:
    """(the pinned region's mean chroma as a share of the pin's, its hue's difference from the
    pin's in degrees, how far the other side's mean colour moved as a share of the pin's
    chroma); `more`: pins of the same colour placed with it."""
    auto = colorizer.colorize(photo)
    pinned = colorizer.colorize(photo, hints=[pin, *more])
    want = np.array(pin.ab)
    got = _mean_ab(pinned, REGION)
    hue = np.degrees(np.arctan2(got[1], got[0]) - np.arctan2(want[1], want[0]))
    moved = np.hypot(*(_mean_ab(pinned, OTHER) - _mean_ab(auto, OTHER)))
    return (
        float(np.hypot(*got) / np.hypot(*want)),
        float((hue + 180) % 360 - 180),
        float(moved / np.hypot(*want)),
    )


def _to_8bit(lab_pixels: np.ndarray) -> np.ndarray:
    return np.round(lab.lab_to_rgb(lab_pixels.astype(np.float32)) * 255).astype(np.uint8)


def most_blue_the_wall_can_show(photo: np.ndarray, pin: Hint) -> float:
    """The test's own measure for the wall painted, at each pixel's lightness, with the most
    saturated colour of the pin's hue an sRGB screen shows there: the bar's "half the pin's
    chroma" is more than that (README, "Colour hints": the wall is L 80, the pin L 42)."""
    l_wall = lab.rgb_to_lab(np.ascontiguousarray(photo[REGION]))[:, :, :1]
    unit = np.array(pin.ab) / np.hypot(*pin.ab)
    lo, hi = 0.0, 130.0
    for _ in range(20):  # the largest chroma whose colour survives the trip to 8-bit RGB
        c = (lo + hi) / 2
        painted = np.concatenate([l_wall, np.broadcast_to(unit * c, l_wall.shape[:2] + (2,))], 2)
        back = lab.rgb_to_lab(_to_8bit(painted))
        fits = np.abs(np.hypot(back[..., 1], back[..., 2]) - c).mean() < 1.0
        lo, hi = (c, hi) if fits else (lo, c)
    painted = np.concatenate([l_wall, np.broadcast_to(unit * lo, l_wall.shape[:2] + (2,))], 2)
    shown = _to_8bit(painted)
    return float(np.hypot(*_mean_ab(shown, np.s_[:, :])) / np.hypot(*pin.ab))


def test_a_pin_fills_the_wall_as_far_as_a_screen_can_show_and_stops_at_its_edge():
    """The issue's bar with its half of the pin's chroma read as what sRGB holds at the wall's
    lightness (0.41 of this pin's: more only by colours clipped darker when composed). The
    shipped pins reach at least 95% of it in the pin's hue (0.12 of the pin's chroma before
    2026-12-02, 0.29 of what the screen can show; 0.43 now), the far side moves by at most a
    quarter."""
    colorizer = Colorizer("default", device="cpu")  # its built-in hint model, or propagation
    pin = Hint.pin(130, 150, BLUE)
    most = most_blue_the_wall_can_show(wall(), pin)
    assert 0.35 < most < 0.5, most  # the wall's cap: less than the bar's half
    chroma, hue, moved = pin_effect(colorizer, wall(), pin)
    assert chroma >= 0.95 * most, (chroma, most)
    assert abs(hue) <= 25
    assert moved <= 0.25  # the other side of the edge: at most a quarter


def test_a_pin_on_the_wall_fills_it_in_its_hue_and_stops_at_its_edge(tmp_path):
    """What the bar above asks, as far as the shipped pins go today: the wall takes at least 0.4
    of the pin's chroma (0.12 until 2026-12-02; this wall's sRGB gamut caps it near 0.43) in the
    pin's hue, the dark side beyond the edge stays as it was, and the default's hint network (its
    change taken only where the pin reaches, core/hints.NETWORK_REACH) adds to the propagation
    alone (a copy of the default: no companion). The wall is flat, so the pin's reach spans it
    (core/hints.FLAT_STEP); the network alone moves the far side by half the pin's chroma."""
    import shutil

    from colorizer_app.engine.catalog import open_model

    copy = tmp_path / "copy.pt"
    shutil.copyfile(open_model("default").path, copy)  # no companion: propagation only
    pin = Hint.pin(130, 150, BLUE)
    alone, _, alone_moved = pin_effect(Colorizer(copy, device="cpu"), wall(), pin)
    chroma, hue, moved = pin_effect(Colorizer("default", device="cpu"), wall(), pin)
    assert chroma >= 0.4 and chroma > alone, (chroma, alone)
    assert abs(hue) <= 25
    assert moved <= 0.05 and alone_moved <= 0.05


def test_several_pins_on_the_wall_still_leave_the_far_side():
    """Pins spread over the photo carry the hint network's answer everywhere (core/hints.
    pin_spread); three pins on the wall, in two of the photo's nine parts, are pins on one
    object: the far side moves by well under the bar's quarter of their chroma (the network's
    answer taken everywhere moves it by 0.59)."""
    from colorizer_app.core.hints import pin_spread

    pins = [Hint.pin(110, 130, BLUE), Hint.pin(150, 170, BLUE), Hint.pin(130, 110, BLUE)]
    assert pin_spread(pins, (400, 300)) == 1.5 / 8  # two parts: one beyond the first
    chroma, hue, moved = pin_effect(Colorizer("default", device="cpu"), wall(), *pins)
    assert chroma >= 0.4 and abs(hue) <= 25
    # 0.11; counting pins instead of parts gave 0.37, three parts' spread 0.22
    assert moved <= 0.15, moved


SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"
# A stroke from the hem of Helen Keller's dress up to its collar, as a new user drew it in the
# window (photo pixels of the 880 x 438 sample), and boxes (x0, y0, x1, y1) around what it meant
# and what it did not.
DRESS_STROKE = [(547, 408), (540, 396), *((540, y) for y in range(380, 160, -15))]
DRESS, FACE, DOORWAY = (500, 180, 590, 420), (505, 20, 545, 70), (470, 40, 505, 110)


def _change(pinned: np.ndarray, auto: np.ndarray, box) -> float:
    """How far the colour moved in a box, in ab units (mean over its pixels)."""
    x0, y0, x1, y1 = box
    d = lab.rgb_to_lab(np.ascontiguousarray(pinned[y0:y1, x0:x1]))[:, :, 1:]
    d -= lab.rgb_to_lab(np.ascontiguousarray(auto[y0:y1, x0:x1]))[:, :, 1:]
    return float(np.hypot(d[:, :, 0], d[:, :, 1]).mean())


def test_a_stroke_colours_what_it_was_drawn_on_not_the_face_beside_it():
    """A trial found a blue stroke up Helen Keller's dress turning her face and the doorway
    behind her blue (12.9 and 11.3 ab units): a stroke reached as far across as a pin does.
    A stroke along a sky still fills the sky it was drawn over."""
    from colorizer_app.core.imageio import load_image

    colorizer = Colorizer("default", device="cpu")
    photo = load_image(SAMPLES / "helen-keller-charlie-chaplin-1919.jpg").rgb
    auto = colorizer.colorize(photo)
    stroked = colorizer.colorize(photo, hints=[Hint.stroke(DRESS_STROKE, "#7ea6d8")])
    assert _change(stroked, auto, DRESS) > 18
    assert _change(stroked, auto, FACE) < 4 and _change(stroked, auto, DOORWAY) < 3

    detroit = load_image(SAMPLES / "detroit-1915.jpg").rgb
    h, w = detroit.shape[:2]
    sky = Hint.stroke([(w * f, h * 0.06) for f in (0.05, 0.2, 0.35, 0.45)], "#7ea6d8")
    auto = colorizer.colorize(detroit)
    skied = colorizer.colorize(detroit, hints=[sky])
    along = (int(w * 0.3), int(h * 0.02), int(w * 0.45), int(h * 0.12))
    hotel = (int(w * 0.02), int(h * 0.3), int(w * 0.2), int(h * 0.6))
    assert _change(skied, auto, along) > 8 and _change(skied, auto, hotel) < 2  # L 97: pale


def test_one_pin_on_helen_kellers_skirt_leaves_the_ground_beside_it():
    """A trial's wine-red pin on the skirt (issue 27). The skirt's shadowed side is as dark as
    the gravel between the two figures (L 14-22 both), so the pin's colour ran onto the gravel
    (0.64 of the way, the skirt 0.80) and onto Chaplin's trousers (0.15). What the encoder sees
    there (cloth, gravel) now stops it as an edge in L would (core/hints.LOOK_FLOOR)."""
    from colorizer_app.core.imageio import load_image

    colorizer = Colorizer("default", device="cpu")
    photo = load_image(SAMPLES / "helen-keller-charlie-chaplin-1919.jpg").rgb
    pin = Hint.pin(545, 330, "#722f37")
    auto = colorizer.colorize(photo)
    pinned = colorizer.colorize(photo, hints=[pin])
    want = np.array(pin.ab)

    def toward(where) -> float:
        """How far a region moved towards the pin's colour, as a share of it."""
        got = lab.rgb_to_lab(np.ascontiguousarray(pinned[where]))[:, :, 1:].reshape(-1, 2)
        base = lab.rgb_to_lab(np.ascontiguousarray(auto[where]))[:, :, 1:].reshape(-1, 2)
        return float(((got - base) @ want).mean() / (want @ want))

    skirt, ground = toward(np.s_[250:420, 505:590]), toward(np.s_[300:420, 462:492])
    assert skirt > 0.6 and ground < 0.3, (skirt, ground)
    assert toward(np.s_[300:420, 380:440]) < 0.05  # Chaplin's trousers
