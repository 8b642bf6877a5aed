"""Colour hints: the engine, the hints file, the CLI and the per-photo store, on real photos."""

import json

import cv2
import numpy as np
import pytest
from PIL import Image

from colorizer_app.core import lab
from colorizer_app.core.hint_file import HintSet
from colorizer_app.core.hints import Hint, HintError, apply_hints
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.engine.hint_store import HintStore

from .conftest import real_rgb, run_main

BLUE = "#2a55d8"


def _b(rgb: np.ndarray) -> float:
    """Mean Lab b (yellow +, blue -)."""
    return float(lab.rgb_to_lab(np.ascontiguousarray(rgb))[:, :, 2].mean())


def two_regions() -> np.ndarray:
    """A real photo's texture in two regions of clearly different lightness with a sharp
    border at x = 300: a dark coat against a light wall."""
    gray = cv2.cvtColor(real_rgb("astronaut"), cv2.COLOR_RGB2GRAY)[:400, :512].astype(np.float32)
    texture = (gray - gray.mean()) * 0.15
    base = np.where(np.arange(512)[None, :] < 300, 60.0, 190.0)
    out = np.clip(base + texture, 0, 255).astype(np.uint8)
    return np.repeat(out[:, :, None], 3, axis=2)


@pytest.fixture(scope="module")
def colorizer(tiny_model_path):
    return Colorizer(tiny_model_path)


def test_a_pin_fills_its_region_and_stops_at_a_sharp_edge(colorizer):
    photo = two_regions()
    auto = colorizer.colorize(photo)
    pinned = colorizer.colorize(photo, hints=[Hint.pin(220, 200, BLUE)])
    # the coat around the click, 80 px each way, and the wall just across the edge
    coat, wall = np.s_[120:280, 140:295], np.s_[120:280, 305:420]
    assert _b(pinned[coat]) < _b(auto[coat]) - 25  # the coat turns blue, not just the pin
    assert abs(_b(pinned[wall]) - _b(auto[wall])) < 2  # the wall keeps its automatic colour
    far = np.s_[:, 460:]
    assert np.abs(pinned[far].astype(int) - auto[far]).max() <= 1  # far away: untouched
    # a hint at the pin's own pixels gives the chosen colour's a and b
    want = Hint.pin(0, 0, BLUE).ab
    got = lab.rgb_to_lab(pinned[195:206, 215:226])[:, :, 1:].reshape(-1, 2).mean(0)
    assert np.abs(got - want).max() < 8


def test_no_hints_is_exactly_the_automatic_colour(colorizer):
    photo = real_rgb("coffee")
    assert np.array_equal(colorizer.colorize(photo), colorizer.colorize(photo, hints=()))
    ab = np.random.default_rng(0).normal(0, 20, (40, 60, 2)).astype(np.float32)
    assert apply_hints(ab, np.zeros((40, 60), np.float32), [], (600, 400)) is ab


def test_two_pins_each_keep_their_region(colorizer):
    photo = two_regions()
    red, blue = Hint.pin(220, 200, "#c83228"), Hint.pin(380, 200, BLUE)
    out = colorizer.colorize(photo, hints=[red, blue])
    coat_ab = lab.rgb_to_lab(out[140:260, 160:295])[:, :, 1:].reshape(-1, 2).mean(0)
    wall_ab = lab.rgb_to_lab(out[140:260, 305:450])[:, :, 1:].reshape(-1, 2).mean(0)
    assert coat_ab[0] > 25 and wall_ab[1] < -25  # red coat (a +), blue wall (b -)


def test_a_stroke_colours_along_its_path(colorizer):
    photo = two_regions()
    stroke = Hint(((60.0, 60.0), (250.0, 340.0)), BLUE, radius=4)
    out = colorizer.colorize(photo, hints=[stroke])
    auto = colorizer.colorize(photo)
    along = np.s_[150:250, 100:200]  # the stroke's middle
    assert _b(out[along]) < _b(auto[along]) - 25
    assert abs(_b(out[:, 320:]) - _b(auto[:, 320:])) < 2  # the wall: untouched


def test_hints_file_round_trip_and_clear_errors(tmp_path):
    data = {
        "points": [{"x": 100, "y": 150, "color": "#3A6CCF"}, {"x": 5, "y": 6, "color": "#000000",
                   "radius": 12}],
        "strokes": [{"points": [[1, 2], [30, 40]], "color": "#ffffff"}],
    }  # fmt: skip
    hints = HintSet.from_json(data)
    assert [h.color for h in hints.hints] == ["#3a6ccf", "#000000", "#ffffff"]
    assert HintSet.from_json(hints.to_json()).hints == hints.hints
    bad = [
        ({"points": [{"x": 1, "y": 2, "color": "blue"}]}, "#rrggbb"),
        ({"points": [{"x": "1", "y": 2, "color": "#000000"}]}, "points[0].x must be a number"),
        ({"points": [{"x": 1, "color": "#000000"}]}, "lacks ['y']"),
        ({"points": [{"x": 1, "y": 1, "color": "#000000", "radius": -3}]}, "radius"),
        ({"strokes": [{"points": [[1, 2]], "color": "#000000"}]}, "at least two"),
        ({"pins": []}, "unknown key"),
        ([1, 2], "expected an object"),
    ]
    for payload, words in bad:
        with pytest.raises(HintError, match=None) as err:
            HintSet.from_json(payload)
        assert words in str(err.value), (payload, str(err.value))
    with pytest.raises(HintError, match="outside the photo"):
        HintSet([Hint.pin(640, 10, BLUE)]).check_inside((640, 480))


def test_cli_hints_follow_exif_orientation(tmp_path, tiny_model_path):
    # stored sideways with EXIF "rotate 90 CW" (6): upright it is 400 wide, 512 tall
    upright = np.ascontiguousarray(np.rot90(two_regions(), k=1))  # coat now at the bottom
    stored = np.ascontiguousarray(np.rot90(upright, k=1))  # what orientation 6 turns upright
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "scan.jpg"
    Image.fromarray(stored).save(photo, quality=95, exif=exif.tobytes())
    # the coat is the part of the upright photo with y > 212 (512 - 300)
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"points": [{"x": 200, "y": 300, "color": BLUE}]}))
    out = tmp_path / "out"
    r = run_main("colorize", photo, "--hints", hints, "-o", out, "--model", tiny_model_path,
                "--format", "png")  # fmt: skip
    assert r.returncode == 0, r.stderr
    result = np.asarray(Image.open(out / "scan_colorized.png").convert("RGB"))
    assert result.shape[:2] == (512, 400)
    plain = run_main("colorize", photo, "-o", tmp_path / "plain", "--model", tiny_model_path,
                     "--format", "png")  # fmt: skip
    assert plain.returncode == 0
    auto = np.asarray(Image.open(tmp_path / "plain" / "scan_colorized.png").convert("RGB"))
    coat, wall = np.s_[225:380, 120:280], np.s_[120:205, 120:280]
    assert _b(result[coat]) < _b(auto[coat]) - 25
    assert abs(_b(result[wall]) - _b(auto[wall])) < 2


def test_cli_refuses_bad_hints_with_exit_2(tmp_path, tiny_model_path):
    photo = tmp_path / "p.png"
    Image.fromarray(real_rgb("coffee")).save(photo)  # 600 x 400
    cases = {
        "broken.json": ("{not json", "not valid JSON"),
        "outside.json": (json.dumps({"points": [{"x": 600, "y": 10, "color": BLUE}]}), "outside"),
        "colour.json": (json.dumps({"points": [{"x": 6, "y": 10, "color": "#12345"}]}), "#rrggbb"),
    }
    for name, (text, words) in cases.items():
        (tmp_path / name).write_text(text)
        r = run_main("colorize", photo, "--hints", tmp_path / name, "--model", tiny_model_path)
        assert r.returncode == 2, (name, r.stderr)
        assert words in r.stderr and name in r.stderr, r.stderr
        assert not (tmp_path / "p_colorized.png").exists()
    (tmp_path / "q.png").write_bytes(photo.read_bytes())
    (tmp_path / "good.json").write_text(json.dumps({"points": [{"x": 6, "y": 10, "color": BLUE}]}))
    r = run_main("colorize", photo, tmp_path / "q.png", "--hints", tmp_path / "good.json")
    assert r.returncode == 2 and "one photo" in r.stderr


def test_store_keeps_hints_per_photo_and_survives_damage(tmp_path):
    photo = tmp_path / "scan.png"
    Image.fromarray(real_rgb("coffee")).save(photo)
    store_path = tmp_path / "app" / "hints.json"
    hints = (Hint.pin(10, 20, BLUE), Hint(((1.0, 2.0), (30.0, 40.0)), "#ffffff", 3.0))
    HintStore(store_path).put(photo, hints)
    assert HintStore(store_path).get(photo) == hints
    assert not list(tmp_path.glob("*.json"))  # nothing beside the photo
    # another file later under the same name: its size differs, the old pins do not apply
    Image.fromarray(real_rgb("astronaut")).save(photo)
    assert HintStore(store_path).get(photo) == ()
    store_path.write_text("{ damaged")
    assert HintStore(store_path).get(photo) == ()  # a damaged store never stops the app
    # and is not written over: the next write keeps it aside, where it can still be recovered
    again = HintStore(store_path)
    again.put(photo, hints)
    assert (tmp_path / "app" / "hints.unreadable.json").read_text() == "{ damaged"
    assert HintStore(store_path).get(photo) == hints


def test_store_keeps_a_photos_colour_strength_with_or_without_pins(tmp_path):
    photo = tmp_path / "scan.png"
    Image.fromarray(real_rgb("coffee")).save(photo)
    store_path = tmp_path / "app" / "hints.json"
    HintStore(store_path).put(photo, (), 1.36)
    assert HintStore(store_path).strength(photo) == 1.36 and HintStore(store_path).get(photo) == ()
    HintStore(store_path).put(photo, (Hint.pin(1, 2, BLUE),), 0.5)
    assert HintStore(store_path).strength(photo) == 0.5
    HintStore(store_path).put(photo, (), 1.0)  # back to the model's own, no pins: forgotten
    assert json.loads(store_path.read_text())["photos"] == {}
    saved = {"version": 1, "photos": {}}
    key = str(photo.resolve())
    for bad in ("loud", True, 1e9, -3, float("nan")):
        saved["photos"][key] = {"size": photo.stat().st_size, "hints": [], "strength": bad}
        store_path.write_text(json.dumps(saved))
        assert 0.0 <= HintStore(store_path).strength(photo) <= 2.0  # a damaged value, bounded


def test_store_keeps_a_photos_detail_and_reads_stores_without_it(tmp_path):
    photo = tmp_path / "scan.png"
    Image.fromarray(real_rgb("coffee")).save(photo)
    store_path = tmp_path / "app" / "hints.json"
    HintStore(store_path).put(photo, (), 1.0, 448)  # the detail alone is worth keeping
    assert HintStore(store_path).lookup(photo) == ((), 1.0, 448)
    HintStore(store_path).put(photo, (Hint.pin(1, 2, BLUE),), 0.5, 640)
    assert HintStore(store_path).lookup(photo).detail == 640
    HintStore(store_path).put(photo, (), 1.0, 0)  # all back to the model's own: forgotten
    assert json.loads(store_path.read_text())["photos"] == {}
    key, size = str(photo.resolve()), photo.stat().st_size
    older = {"version": 1, "photos": {key: {"size": size, "hints": [], "strength": 1.5}}}
    store_path.write_text(json.dumps(older))  # written before details were kept
    assert HintStore(store_path).lookup(photo) == ((), 1.5, 0)
    for bad in ("more", True, 448.0, -448, 10**9, 32):
        older["photos"][key]["detail"] = bad
        store_path.write_text(json.dumps(older))
        assert HintStore(store_path).lookup(photo).detail == 0, bad


def test_store_keeps_the_order_hints_were_made_in_and_reads_older_stores(tmp_path):
    """A pin put on a stroke is drawn over it: reopened, the photo must have them in the same
    order (the store kept pins, then strokes, until a stroke could be drawn in the window)."""
    photo = tmp_path / "scan.png"
    Image.fromarray(real_rgb("coffee")).save(photo)
    store_path = tmp_path / "app" / "hints.json"
    stroke = Hint.stroke([(5, 5), (60, 8), (120, 12)], "#2a55d8")
    hints = (Hint.pin(10, 20, BLUE), stroke, Hint.pin(60, 8, "#7a2430"))
    HintStore(store_path).put(photo, hints)
    assert HintStore(store_path).get(photo) == hints
    # a store written by an earlier version holds a hints file's object: still read
    saved = json.loads(store_path.read_text())
    entry = next(iter(saved["photos"].values()))
    entry["hints"] = HintSet(list(hints)).to_json()
    store_path.write_text(json.dumps(saved))
    assert set(HintStore(store_path).get(photo)) == set(hints)
    # a damaged entry in the new form costs that photo's hints, not the app
    entry["hints"] = [{"x": 1, "y": 2, "color": "blue"}]
    store_path.write_text(json.dumps(saved))
    assert HintStore(store_path).get(photo) == ()


# ---- issue 26, item 11: a hostile hints file is refused in bounded time and memory ------------

_READ_EACH = r"""
import json, resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # 2 GB: /dev/zero grew to 5 GB
from colorizer_app.core.hint_file import HintSet
from colorizer_app.core.hints import HintError
def hung(*_):
    raise TimeoutError
signal.signal(signal.SIGALRM, hung)
for path in sys.argv[1:]:
    signal.alarm(20)  # a FIFO waited for a writer forever
    try:
        result = "accepted %d" % len(HintSet.read(path).hints)
    except HintError as e:
        result = "refused: " + str(e)
    except BaseException as e:
        result = "%s: %s" % (type(e).__name__, str(e)[:200])
    signal.alarm(0)
    print(json.dumps([path, result]), flush=True)
"""


def test_hostile_hints_files_are_refused_in_bounded_time_and_memory(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    pin = '{"points": [{"x": 1, "y": 2, "color": "#3a6ccf"%s}]}'
    files = {
        "fifo.json": None,
        "folder.json": "folder",
        "nested.json": "[" * 2000 + "]" * 2000,
        "digits.json": pin % (', "radius": ' + "7" * 5000),
        "radius_1e9.json": pin % ', "radius": 1e9',
        "radius_1e308.json": pin % ', "radius": 1e308',
        "colour.json": '{"points": [{"x": 1, "y": 2, "color": "#%s"}]}' % ("a" * 500_000),
        "big.json": " " * (2 << 20) + "{}",
        "latin1.json": '{"points": [], "note\xe9": 1}',
        "bom.json": "\ufeff" + pin % "",
    }
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        if text is None:
            os.mkfifo(path)
        elif text == "folder":
            path.mkdir()
        else:
            path.write_bytes(text.encode("latin-1" if name == "latin1.json" else "utf-8"))
        paths.append(str(path))
    paths.append("/dev/zero")
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", _READ_EACH, *paths], capture_output=True,
                         text=True, timeout=600, cwd=root)  # fmt: skip
    results = {Path(p).name: r for p, r in map(json.loads, run.stdout.splitlines())}
    assert len(results) == len(paths), run.stderr[-2000:]
    expect = {
        "fifo.json": "not a regular file",
        "folder.json": "is a folder",
        "nested.json": "nested too deeply",
        "digits.json": "5,000 digits",
        "radius_1e9.json": "at most 1,000,000",
        "radius_1e308.json": "at most 1,000,000",
        "colour.json": "is not of the form #rrggbb",
        "big.json": "over 1 MB",
        "latin1.json": "not UTF-8 text",
        "bom.json": "accepted 1",  # an editor's byte-order mark is fine
        "zero": "not a regular file",
    }
    for name, words in expect.items():
        assert words in results[name], (name, results[name])
        assert len(results[name]) < 400, (name, len(results[name]))  # never the value whole


def test_cli_refuses_a_fifo_as_hints(tmp_path, tiny_model_path):
    import os

    photo = tmp_path / "p.png"
    Image.fromarray(real_rgb("coffee")[::4, ::4]).save(photo)
    os.mkfifo(tmp_path / "pins.json")
    run = run_main("colorize", photo, "--hints", tmp_path / "pins.json", "--model",
                   tiny_model_path)  # fmt: skip
    assert run.returncode == 2 and "not a regular file" in run.stderr, run.stderr
    assert not (tmp_path / "p_colorized.png").exists()


def test_a_pin_fills_a_flat_region_to_its_end_but_stays_near_in_a_textured_one():
    """A painted wall or a clear sky, flat once shrunk to the propagation's grid: a pin at one
    end colours the far end too (a person means the whole region). The same region with a
    photo's texture (L spread about 3): the pin's colour fades with distance as before, so a pin
    on a dark skirt does not flood the dark ground beside it."""
    rng = np.random.default_rng(0)
    flat = np.full((100, 160), 70.0, np.float32)
    textured = (flat + rng.normal(0.0, 3.0, flat.shape)).astype(np.float32)
    auto = np.zeros(flat.shape + (2,), np.float32)
    pin = [Hint.pin(10, 50, "#2a55d8")]
    far = np.s_[30:70, 70:90]  # 60-80 px from the pin: 0.4-0.5 of the long side
    want = np.hypot(*pin[0].ab)
    reached = {}
    for name, l in (("flat", flat), ("textured", textured)):
        ab = apply_hints(auto, l, pin, (160, 100))
        reached[name] = float(np.hypot(*ab[far].reshape(-1, 2).mean(0)) / want)
    assert reached["flat"] > 0.5, reached
    assert reached["textured"] < 0.2, reached


def test_a_pin_stops_where_what_the_pixels_are_changes_unless_pins_are_spread():
    """Same lightness, no grain, but the encoder sees two things (its features, `looks`): one
    pin stays on its own side. Pins spread over the photo (four or more of its nine parts)
    speak for all of it and cross as they did without looks."""
    l = np.full((90, 180), 30.0, np.float32)
    auto = np.zeros(l.shape + (2,), np.float32)
    looks = np.zeros((45, 90, 4), np.float32)
    looks[:, :45, 0] = 1.0  # the gravel
    looks[:, 45:, 1] = 1.0  # the skirt
    pin = [Hint.pin(130, 45, "#722f37")]
    want = np.hypot(*pin[0].ab)
    skirt, gravel = np.s_[20:70, 100:160], np.s_[20:70, 50:80]

    def share(ab, where):
        return float(np.hypot(*ab[where].reshape(-1, 2).mean(0)) / want)

    seen = apply_hints(auto, l, pin, (180, 90), looks=looks)
    blind = apply_hints(auto, l, pin, (180, 90))
    assert share(seen, skirt) > 0.9 and share(seen, gravel) < 0.1
    assert share(blind, gravel) > 0.5  # without looks it ran on (0.64 on Helen Keller's)
    spread = [Hint.pin(x, y, "#722f37") for x in (20, 90, 160) for y in (15, 75)]
    assert np.array_equal(
        apply_hints(auto, l, spread, (180, 90), looks=looks),
        apply_hints(auto, l, spread, (180, 90)),
    )
