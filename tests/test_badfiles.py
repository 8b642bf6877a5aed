"""The real CLI over a folder of bad and awkward files, and over broken model files; bounded fuzzing
of the photo loader and of model-file reading."""

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer_app.core.errors import ImageLoadError, ModelError
from colorizer_app.core.imageio import load_image
from colorizer_app.model.model_file import read_model_file

from .badfiles.generate import make_model_files, make_photos
from .conftest import run_cli


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def _output_for(name: str, out: Path) -> Path | None:
    from colorizer_app.engine.batch import output_suffix

    path = out / f"{Path(name).stem}_colorized{output_suffix(Path(name), 'same')}"
    return path if path.is_file() else None


def test_cli_over_a_folder_of_bad_and_awkward_photos(tmp_path, tiny_model_path):
    src = tmp_path / "in"
    expected = make_photos(src)
    assert len(expected) >= 50
    before = _digests(src)
    out = tmp_path / "out"
    run = run_cli("colorize", src, "-o", out, "--model", tiny_model_path)
    err = run.stderr
    assert "Traceback" not in err and "Warning" not in err, err
    failures = [n for n, e in expected.items() if not e.ok]
    assert run.returncode == 1  # some failed, the rest done
    assert _digests(src) == before  # originals byte-identical
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary files
    lines = err.splitlines()
    for name, expect in expected.items():
        shown = name.replace("\n", "?")
        mentions = [line for line in lines if shown in line]
        output = _output_for(name, out)
        if not expect.ok:
            assert output is None, name
            assert any("colorized" not in line for line in mentions), (name, err)
            continue
        assert output is not None, (name, err)
        image = load_image(output)  # every output opens again
        assert image.size == expect.size, name
        assert image.bit_depth == expect.bit_depth, name
        assert (image.alpha is not None) == expect.alpha, name
        if expect.icc:
            assert image.icc, name
        if expect.exif_tag:
            from PIL import Image

            tags = Image.Exif()
            tags.load(image.exif)
            assert tags.get(expect.exif_tag[0]) == expect.exif_tag[1], name
        if expect.note:
            assert any(expect.note in line for line in mentions), (name, err)
    assert f"failed {len(failures)}" in err


def test_cli_refuses_every_broken_model_file_in_one_line(tmp_path, tiny_model_path, capsys):
    from colorizer_app.cli import main

    photo = tmp_path / "p.png"
    make_photos(tmp_path / "photos")
    photo.write_bytes((tmp_path / "photos" / "gray8.png").read_bytes())
    canary = Path("/tmp/colorizer-pwned")
    canary.unlink(missing_ok=True)
    models = make_model_files(tmp_path / "models", tiny_model_path)
    assert len(models) >= 12
    for model in models:
        with pytest.raises(ModelError):  # each refused on reading, before a network is built
            read_model_file(model)
        out = tmp_path / ("out-" + model.stem)
        code = main(["colorize", str(photo), "-o", str(out), "--model", str(model)])
        assert code == 2, model.name
        assert not out.exists(), model.name  # nothing written with a bad model
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and str(model) in err, (model.name, err)
    assert not canary.exists()  # pickled code never ran


def _mutations(data: bytes, count: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        b = bytearray(data)
        kind = rng.integers(4)
        if kind == 0:  # flip bytes
            for i in rng.integers(0, len(b), rng.integers(1, 16)):
                b[i] = int(rng.integers(256))
        elif kind == 1:  # truncate
            b = b[: int(rng.integers(1, len(b)))]
        elif kind == 2:  # duplicate a slice
            i, j = sorted(rng.integers(0, len(b), 2))
            b[j:j] = b[i:j][:4096]
        else:  # overwrite a header field with extreme values
            i = int(rng.integers(0, min(len(b), 64)))
            b[i : i + 4] = bytes(rng.choice([0, 255], 4).astype(np.uint8))
        yield bytes(b)


def fuzz_loader(count: int, seed: int, folder: Path) -> dict[str, int]:
    """Mutated photos through load_image: a clean error or a photo, nothing else."""
    from .badfiles.generate import photo_kinds

    seeds = [
        data
        for name, (data, e) in photo_kinds().items()
        if e.ok and name.endswith((".jpg", ".png", ".tif", ".webp", ".gif", ".bmp"))
    ]
    counts = {"cases": 0, "loaded": 0, "clean_errors": 0, "other_exceptions": 0, "slow": 0}
    path = folder / "fuzz.bin"
    per_seed = max(1, count // len(seeds))
    for k, data in enumerate(seeds):
        for mutated in _mutations(data, per_seed, seed + k):
            path.write_bytes(mutated)
            counts["cases"] += 1
            t = time.monotonic()
            try:
                load_image(path)
                counts["loaded"] += 1
            except ImageLoadError:
                counts["clean_errors"] += 1
            except Exception:  # noqa: BLE001 - counting what must never happen
                counts["other_exceptions"] += 1
            if time.monotonic() - t > 5:
                counts["slow"] += 1
    return counts


def fuzz_model_reading(count: int, seed: int, folder: Path, good_model: Path) -> dict[str, int]:
    from colorizer_app.model.model_file import build_model, read_model_file

    data = good_model.read_bytes()
    counts = {"cases": 0, "loaded": 0, "clean_errors": 0, "other_exceptions": 0}
    path = folder / "fuzz.pt"
    for mutated in _mutations(data, count, seed):
        path.write_bytes(mutated)
        counts["cases"] += 1
        try:
            build_model(read_model_file(path))
            counts["loaded"] += 1
        except ModelError:
            counts["clean_errors"] += 1
        except Exception:  # noqa: BLE001
            counts["other_exceptions"] += 1
    return counts


def test_fuzz_the_photo_loader(tmp_path):
    counts = fuzz_loader(int(os.environ.get("COLORIZER_FUZZ", 300)), 0, tmp_path)
    print(counts)
    assert counts["other_exceptions"] == 0 and counts["slow"] == 0
    assert counts["clean_errors"] > 0 and counts["loaded"] > 0


def test_fuzz_model_file_reading(tmp_path, tiny_model_path):
    counts = fuzz_model_reading(
        int(os.environ.get("COLORIZER_FUZZ", 300)), 0, tmp_path, tiny_model_path
    )
    print(counts)
    assert counts["other_exceptions"] == 0
    assert counts["clean_errors"] > 0


@pytest.mark.parametrize("name", ["pipe.jpg"])
def test_fifo_given_by_name_does_not_hang(tmp_path, tiny_model_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    run = run_cli("colorize", fifo, "-o", tmp_path / "out", "--model", tiny_model_path, timeout=120)
    assert run.returncode == 1 and "not a regular file" in run.stderr


def test_decoders_never_print_on_the_terminal(tmp_path):
    """libtiff, libjpeg and libpng print their complaints straight to stderr; they must reach
    the photo's own message instead (run in a fresh process, whose stderr is read as is)."""
    code = (
        "import sys; from pathlib import Path; from tests.test_badfiles import fuzz_loader; "
        f"c = fuzz_loader(300, 7, Path({str(tmp_path)!r})); print(c)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "'other_exceptions': 0" in run.stdout
    assert run.stderr.strip() == "", run.stderr[:2000]


def test_a_png_chunk_claiming_gigabytes_is_not_believed(tmp_path):
    """67 bytes whose IDAT length says 4 GB: OpenCV allocated 4 GB and spun for seconds."""
    import subprocess
    import sys

    buf = io.BytesIO()
    Image.fromarray(np.zeros((1, 1), np.uint8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    idat = data.index(b"IDAT") - 4
    data[idat : idat + 4] = (0xFF0000FF).to_bytes(4, "big")
    path = tmp_path / "claims_4gb.png"
    path.write_bytes(bytes(data))
    script = (
        "import sys\n"
        "from colorizer_app.core.imageio import load_image\n"
        "from colorizer_app.core.errors import ImageLoadError\n"
        "try:\n    load_image(sys.argv[1])\nexcept ImageLoadError as e:\n    print(e)\n"
        # VmHWM: this process's own peak (ru_maxrss would count the parent's at fork)
        "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) // 1024)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip().splitlines()[-1]) < 1000  # MB: no 4 GB buffer


# ---- hints files and command-line arguments (issue 26) ----------------------------------------

_HINT_SEEDS = [
    b'{"points": [{"x": 10, "y": 12, "color": "#3a6ccf"}]}',
    b'{"points": [{"x": 5.5, "y": 30, "color": "#A4553F", "radius": 3}], "strokes": '
    b'[{"points": [[1, 1], [40, 20], [59, 39]], "color": "#4f7a3a", "radius": 2}]}',
    b'{"strokes": [{"points": [[0, 0], [59, 0]], "color": "#ffffff"}], "points": []}',
]
# What a person (or an attacker) might put where a value goes.
_HOSTILE_JSON = [
    "1e308", "-1e308", "NaN", "Infinity", "-1", "0", "1e9", "9" * 5000, "true", "null", '""',
    '"#zzzzzz"', '"' + "a" * 5000 + '"', "[]", "[[1, 2]]", "{}", "[" * 50 + "]" * 50, "0.5",
    '"\\u001b[2J"', "-0", "1e-320", "59.999", "60",
]  # fmt: skip


def _hint_mutations(count: int, seed: int):
    """Byte-level mutations of valid hints files, and the same files with a value replaced by
    a hostile one."""
    import re

    rng = np.random.default_rng(seed)
    values = re.compile(rb'(?<=: )(-?[0-9.]+|"#[0-9a-fA-F]{6}"|\[\[.*?\]\])')
    for i in range(count):
        data = _HINT_SEEDS[i % len(_HINT_SEEDS)]
        if i % 2:
            yield next(_mutations(data, 1, int(rng.integers(1 << 30))))
            continue
        spots = list(values.finditer(data))
        spot = spots[int(rng.integers(len(spots)))]
        hostile = _HOSTILE_JSON[int(rng.integers(len(_HOSTILE_JSON)))].encode()
        yield data[: spot.start()] + hostile + data[spot.end() :]


def fuzz_hints(count: int, seed: int, folder: Path) -> dict[str, int]:
    """Mutated hints files through the reader, the check against a 60 x 40 photo and the
    propagation itself: a clean HintError or colour, nothing else."""
    from colorizer_app.core.hint_file import HintSet
    from colorizer_app.core.hints import HintError, apply_hints

    counts = {"cases": 0, "used": 0, "clean_errors": 0, "other_exceptions": 0, "slow": 0}
    path = folder / "hints.json"
    rng = np.random.default_rng(seed)
    ab = rng.normal(0, 20, (40, 60, 2)).astype(np.float32)
    light = rng.uniform(0, 100, (40, 60)).astype(np.float32)
    for data in _hint_mutations(count, seed):
        path.write_bytes(data)
        counts["cases"] += 1
        t = time.monotonic()
        try:
            hints = HintSet.read(path)
            hints.check_inside((60, 40))
            out = apply_hints(ab, light, hints.hints, (60, 40))
            assert out.shape == ab.shape and np.isfinite(out).all()
            counts["used"] += 1
        except HintError:
            counts["clean_errors"] += 1
        except Exception as exc:  # noqa: BLE001 - counting what must never happen
            counts["other_exceptions"] += 1
            print("hints fuzz:", repr(data[:200]), type(exc).__name__, str(exc)[:200])
        if time.monotonic() - t > 5:
            counts["slow"] += 1
    return counts


def test_fuzz_hints_files(tmp_path):
    counts = fuzz_hints(int(os.environ.get("COLORIZER_FUZZ", 300)), 0, tmp_path)
    print(counts)
    assert counts["other_exceptions"] == 0 and counts["slow"] == 0
    assert counts["clean_errors"] > 0 and counts["used"] > 0


_CLI_NUMBERS = [
    "nan", "inf", "-inf", "1e308", "-1", "0", "1", "0.5", "2", "95", "100", "101", "64", "2048",
    "4096", "abc", "", "\x1b[2J", "9" * 5000, "0x10", " 1", "1_000", "-0", "1e-320",
]  # fmt: skip


def _cli_argvs(count: int, seed: int, folder: Path, model: Path):
    """Random `colorize` command lines: each option with values a person might mistype, in any
    number and order, over photos, folders, missing and special files."""
    rng = np.random.default_rng(seed)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    # Never "" or ".": the working folder (the repository, its .venv) is no place to write in.
    inputs = [folder / "p.png", folder / "photos", folder / "missing.png", folder / "pipe.png",
              "/dev/null", folder / "notes.png"]  # fmt: skip
    options = {
        "--saturation": _CLI_NUMBERS,
        "--quality": _CLI_NUMBERS,
        "--render-size": _CLI_NUMBERS,
        "--format": ["png", "jpg", "tiff", "webp", "bmp", "same", "gif", "", "PNG"],
        "--suffix": ["_c", "", "/x", "..", "\0", "\x1b[31m", "é" * 200, "_" * 300, "-2"],
        "--hints": [folder / "good.json", folder / "bad.json", folder / "pipe.png", "/dev/zero",
                    folder, folder / "missing.json"],
        "-o": [folder / "out", folder / "p.png", "/dev/null", folder / "out" / "deep"],
        "--device": ["cpu", "cuda", "mps", "tpu", "", "cuda:99"],
        "--model": [model, folder / "missing.pt", folder, folder / "p.png", "/dev/null", "nope"],
    }  # fmt: skip
    for _ in range(count):
        argv = ["colorize"] + [str(pick(inputs)) for _ in range(int(rng.integers(1, 3)))]
        for name in rng.permutation(list(options))[: int(rng.integers(1, 5))]:
            argv += [f"{name}={pick(options[name])}"]
        if "--model" not in " ".join(argv):
            argv.append(f"--model={model}")  # never the built-in: it is slow to load
        if rng.integers(2):
            argv.append("--overwrite")
        yield argv


def fuzz_cli(count: int, seed: int, folder: Path, model: Path) -> dict[str, int]:
    """Random command lines through the real `main`: exit 0, 1 or 2 with lines of words; never
    an internal error (3), an exception, a traceback or a hang."""
    import contextlib

    from colorizer_app.cli import main

    (folder / "photos").mkdir()
    photo = np.random.default_rng(seed).integers(0, 255, (24, 32), np.uint8)
    Image.fromarray(photo).save(folder / "p.png")
    Image.fromarray(photo).save(folder / "photos" / "q.jpg")
    (folder / "notes.png").write_text("not a photo")
    os.mkfifo(folder / "pipe.png")
    (folder / "good.json").write_text('{"points": [{"x": 3, "y": 4, "color": "#3a6ccf"}]}')
    (folder / "bad.json").write_text('{"points": [{"x": 1e9, "y": 4, "color": "#3a6ccf"}]}')
    counts = {"cases": 0, "exit_0": 0, "exit_1": 0, "exit_2": 0, "other": 0}
    for argv in _cli_argvs(count, seed, folder, model):
        counts["cases"] += 1
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(argv)
        except SystemExit as stop:  # argparse's usage error
            code = stop.code
        except Exception as exc:  # noqa: BLE001 - counting what must never happen
            code = f"{type(exc).__name__}: {exc}"
        text = err.getvalue()
        if code in (0, 1, 2) and "Traceback" not in text and "internal error" not in text:
            counts[f"exit_{code}"] += 1
        else:
            counts["other"] += 1
            print("cli fuzz:", repr(argv)[:300], repr(code)[:200], text[-300:])
    return counts


def test_fuzz_cli_arguments(tmp_path, tiny_model_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever a command line names, it stays in here
    count = min(int(os.environ.get("COLORIZER_FUZZ", 300)), 3000)  # each may colorize a photo
    counts = fuzz_cli(count, 0, tmp_path, tiny_model_path)
    print(counts)
    assert counts["other"] == 0
    assert counts["exit_2"] > 0 and counts["exit_0"] + counts["exit_1"] > 0
