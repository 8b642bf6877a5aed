"""The `colorizer` command, run as a person runs it: a subprocess on a folder of real files."""

import hashlib

import cv2
import numpy as np
import pytest
from PIL import Image

from .conftest import real_rgb, run_cli


def _digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def mixed_folder(tmp_path, data_dir):
    folder = tmp_path / "scans"
    folder.mkdir()
    photo = cv2.imread(str(data_dir / "kodak24" / "kodim05.png"))[:, :, ::-1]
    Image.fromarray(photo).save(folder / "street.jpg", quality=92)
    rgb16 = photo.astype(np.uint16) * 257
    alpha = np.full(photo.shape[:2], 40000, np.uint16)
    cv2.imwrite(str(folder / "deep.png"), np.dstack([rgb16[:, :, ::-1], alpha]))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    Image.fromarray(real_rgb("coffee")).save(folder / "rotated.jpg", exif=exif.tobytes())
    Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)).save(folder / "gray.png")
    pano = cv2.resize(photo, (3000, 500), interpolation=cv2.INTER_LINEAR)
    Image.fromarray(pano).save(folder / "panorama.jpg", quality=90)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_text("shopping list: milk, eggs")
    return folder


def test_colorize_a_mixed_folder(mixed_folder, tiny_model_path, tmp_path):
    before = _digest(mixed_folder)
    out_dir = tmp_path / "out"
    result = run_cli("colorize", mixed_folder, "-o", out_dir, "--model", tiny_model_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    error_lines = [ln for ln in lines if "empty.jpg" in ln or "notes.jpg" in ln]
    assert len(error_lines) == 2, result.stderr
    assert any("empty" in ln for ln in error_lines if "empty.jpg" in ln)
    assert any("not an image" in ln for ln in error_lines if "notes.jpg" in ln)
    assert "Traceback" not in result.stderr
    assert "Colorized 5" in result.stderr and "failed 2" in result.stderr

    expect = {  # name: (width, height, bit depth)
        "street_colorized.jpg": (500, 500, 8),
        "deep_colorized.png": (500, 500, 16),
        "rotated_colorized.jpg": (400, 600, 8),  # upright: portrait
        "gray_colorized.png": (500, 500, 8),
        "panorama_colorized.jpg": (3000, 500, 8),
    }
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(expect)
    for name, (w, h, depth) in expect.items():
        img = cv2.imread(str(out_dir / name), cv2.IMREAD_UNCHANGED)
        assert img.shape[1] == w and img.shape[0] == h, name
        assert img.dtype == (np.uint16 if depth == 16 else np.uint8), name
    assert cv2.imread(str(out_dir / "deep_colorized.png"), cv2.IMREAD_UNCHANGED).shape[2] == 4
    gray_out = cv2.imread(str(out_dir / "gray_colorized.png"))
    assert np.abs(gray_out[:, :, 0].astype(int) - gray_out[:, :, 2]).mean() > 1  # now in colour
    assert _digest(mixed_folder) == before  # no input changed


def test_outputs_beside_originals_and_existing_ones_skipped(tmp_path, tiny_model_path):
    sub = tmp_path / "album" / "1950s"
    sub.mkdir(parents=True)
    Image.fromarray(real_rgb("astronaut")).save(sub / "portrait.png")
    first = run_cli("colorize", tmp_path / "album", "--model", tiny_model_path)
    assert first.returncode == 0, first.stderr
    out = sub / "portrait_colorized.png"
    assert out.is_file()
    stamp = out.stat().st_mtime_ns
    again = run_cli("colorize", tmp_path / "album", "--model", tiny_model_path)
    assert again.returncode == 0 and "skipped 1" in again.stderr
    assert out.stat().st_mtime_ns == stamp
    assert not (sub / "portrait_colorized_colorized.png").exists()
    forced = run_cli(
        "colorize",
        tmp_path / "album",
        "--model",
        tiny_model_path,
        "--overwrite",
        "--format",
        "jpg",
        "-o",
        tmp_path / "exported",
    )
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "exported" / "1950s" / "portrait_colorized.jpg").is_file()


def test_no_model_installed_is_said_plainly(tmp_path):
    Image.fromarray(real_rgb("astronaut")).save(tmp_path / "a.png")
    result = run_cli(
        "colorize",
        tmp_path / "a.png",
        env_extra={"COLORIZER_MODELS_DIR": str(tmp_path / "nomodels")},
    )
    assert result.returncode == 2
    assert "no trained model is installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("colorize").returncode == 2
    assert run_cli("colorize", tmp_path, "--format", "gif").returncode == 2


def test_models_init_and_info(tmp_path):
    out = tmp_path / "fresh.pt"
    made = run_cli("models", "init", "--preset", "tiny", out)
    assert made.returncode == 0 and out.is_file()
    info = run_cli("models", "info", out)
    assert info.returncode == 0
    assert "preset:    tiny" in info.stdout and "untrained" in info.stdout
