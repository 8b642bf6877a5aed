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
from colorizer_app.model.store import read_model_file

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
        if model.stem != "wrong_shapes":  # that one fails when the network is built, below
            with pytest.raises(ModelError):
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
    from colorizer_app.model.store import build_model, read_model_file

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
