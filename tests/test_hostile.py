"""Hostile files: a bad photo is named on its own line and the batch goes on; a bad model file
is refused in one line before it can colour anything."""

import os

import cv2
import numpy as np
import pytest

from colorizer_app.core.errors import ImageLoadError
from colorizer_app.core.imageio import load_image, write_atomically

from .badfiles.generate import iccp_bomb_png, truncated_ihdr_png, ztxt_bomb_png
from .conftest import real_rgb, run_cli


@pytest.mark.parametrize("make", [ztxt_bomb_png, iccp_bomb_png, truncated_ihdr_png])
def test_decoder_errors_are_the_photos_own(tmp_path, make):
    path = tmp_path / "hostile.png"
    path.write_bytes(make())
    with pytest.raises(ImageLoadError) as err:
        load_image(path)
    assert str(path) in str(err.value)


def test_a_hostile_photo_never_stops_the_batch(tmp_path, tiny_model_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_bomb.png").write_bytes(ztxt_bomb_png())
    (src / "b_ihdr.png").write_bytes(truncated_ihdr_png())
    for i in range(3):
        cv2.imwrite(str(src / f"c_good{i}.jpg"), real_rgb("coffee")[::4, ::4, ::-1])
    originals = {p.name: p.read_bytes() for p in src.iterdir()}
    run = run_cli("colorize", src, "-o", tmp_path / "out", "--model", tiny_model_path)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "a_bomb.png" in run.stderr and "b_ihdr.png" in run.stderr
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == [f"c_good{i}_colorized.jpg" for i in range(3)]
    assert {p.name: p.read_bytes() for p in src.iterdir()} == originals


def test_special_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(ImageLoadError, match="not a regular file"):
        load_image(fifo)  # opening a FIFO for reading would wait forever
    loop = tmp_path / "loop.jpg"
    os.symlink(loop, loop)
    with pytest.raises(ImageLoadError, match="symlink loop"):
        load_image(loop)


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    dest = tmp_path / "photo_colorized.png"

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(dest, b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_two_photos_with_one_output_name_are_both_kept(tmp_path, tiny_model_path):
    src = tmp_path / "in"
    src.mkdir()
    cv2.imwrite(str(src / "dup.jpg"), real_rgb("coffee")[::4, ::4, ::-1])
    cv2.imwrite(str(src / "dup.png"), real_rgb("chelsea")[::4, ::4, ::-1])
    run = run_cli(
        "colorize", src, "-o", tmp_path / "out", "--format", "png", "--model", tiny_model_path
    )
    assert run.returncode == 0, run.stderr
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == ["dup_colorized-2.png", "dup_colorized.png"]
    a, b = (cv2.imread(str(tmp_path / "out" / n)) for n in outs)
    assert a.shape != b.shape or not np.array_equal(a, b)  # two photos, not one twice
