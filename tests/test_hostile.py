"""Hostile files: a bad photo is named on its own line and the batch goes on; a bad model file
is refused in one line before it can colour anything."""

import os
import struct
import subprocess
import sys
import zlib

import cv2
import numpy as np
import pytest
import torch

from colorizer_app.core.errors import ImageLoadError, ModelError
from colorizer_app.core.imageio import load_image, write_atomically
from colorizer_app.model.store import read_model_file

from .conftest import real_rgb


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def _png(rgb: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", rgb[:, :, ::-1])
    assert ok
    return buf.tobytes()


def _with_chunk_after_ihdr(png: bytes, chunk: bytes) -> bytes:
    end = 8 + 4 + 4 + 13 + 4
    return png[:end] + chunk + png[end:]


def _bomb_ztxt_png() -> bytes:
    """A valid photo whose zTXt chunk inflates past Pillow's text limit (ValueError in Pillow)."""
    text = b"Comment\x00\x00" + zlib.compress(b"A" * (80 << 20), 9)
    return _with_chunk_after_ihdr(_png(real_rgb("astronaut")[:64, :64]), _chunk(b"zTXt", text))


def _bomb_iccp_png() -> bytes:
    payload = b"icc\x00\x00" + zlib.compress(b"\0" * (80 << 20), 9)
    return _with_chunk_after_ihdr(_png(real_rgb("astronaut")[:64, :64]), _chunk(b"iCCP", payload))


def _truncated_ihdr_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00\x00\x01"


@pytest.mark.parametrize("make", [_bomb_ztxt_png, _bomb_iccp_png, _truncated_ihdr_png])
def test_decoder_errors_are_the_photos_own(tmp_path, make):
    path = tmp_path / "hostile.png"
    path.write_bytes(make())
    with pytest.raises(ImageLoadError) as err:
        load_image(path)
    assert str(path) in str(err.value)


def _run_cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "colorizer_app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_hostile_photo_never_stops_the_batch(tmp_path, tiny_model_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_bomb.png").write_bytes(_bomb_ztxt_png())
    (src / "b_ihdr.png").write_bytes(_truncated_ihdr_png())
    for i in range(3):
        cv2.imwrite(str(src / f"c_good{i}.jpg"), real_rgb("coffee")[::4, ::4, ::-1])
    originals = {p.name: p.read_bytes() for p in src.iterdir()}
    run = _run_cli("colorize", src, "-o", tmp_path / "out", "--model", tiny_model_path)
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
    run = _run_cli(
        "colorize", src, "-o", tmp_path / "out", "--format", "png", "--model", tiny_model_path
    )
    assert run.returncode == 0, run.stderr
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == ["dup_colorized-2.png", "dup_colorized.png"]
    a, b = (cv2.imread(str(tmp_path / "out" / n)) for n in outs)
    assert a.shape != b.shape or not np.array_equal(a, b)  # two photos, not one twice


# ---- model files ---------------------------------------------------------------------------


def _payload(path):
    return torch.load(path, map_location="cpu", weights_only=True)


def _broken_payloads(good: dict) -> dict:
    import copy

    def edit(fn):
        p = copy.deepcopy(good)
        fn(p)
        return p

    first = next(iter(good["state_dict"]))
    return {
        "config a string": edit(lambda p: p.update(config="big")),
        "state_dict a list": edit(lambda p: p.update(state_dict=[1, 2, 3])),
        "non-tensor weights": edit(lambda p: p["state_dict"].update({first: "weights"})),
        "metadata a string": edit(lambda p: p.update(metadata="hello")),
        "negative channels": edit(lambda p: p["config"].update(encoder_channels=[-8, 16, 16, 16])),
        "wrong shapes": edit(lambda p: p["state_dict"].update({first: torch.zeros(3, 3)})),
        "NaN weights": edit(lambda p: p["state_dict"][first].fill_(float("nan"))),
        "edited weights": edit(lambda p: p["state_dict"][first].mul_(1.5)),
        "unknown encoder": edit(lambda p: p["config"].update(encoder="resnet9000")),
        "no preset": edit(lambda p: p.pop("preset")),
    }


def test_malformed_model_files_are_refused_in_one_line(tmp_path, tiny_model_path, capsys):
    from colorizer_app.cli import main

    good = _payload(tiny_model_path)
    photo = tmp_path / "p.jpg"
    cv2.imwrite(str(photo), real_rgb("coffee")[::4, ::4, ::-1])
    for name, payload in _broken_payloads(good).items():
        path = tmp_path / (name.replace(" ", "_") + ".pt")
        torch.save(payload, path)
        if name not in ("wrong shapes", "unknown encoder"):  # these fail when built, below
            with pytest.raises(ModelError):
                read_model_file(path)
        code = main(
            [
                "colorize",
                str(photo),
                "-o",
                str(tmp_path / name.replace(" ", "_")),
                "--model",
                str(path),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert len(err.strip().splitlines()) == 1 and str(path) in err, (name, err)
        assert not (tmp_path / name.replace(" ", "_")).exists()  # nothing written
