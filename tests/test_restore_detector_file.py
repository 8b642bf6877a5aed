"""The shipped damage detector is a built-in file (issue 28): models/manifest.json lists it with
its sha256, nothing writes over it, and a damaged copy is refused."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from colorizer_app.core.builtin_files import check_builtin_checksum
from colorizer_app.core.errors import ModelError
from colorizer_app.model.shipped import check_not_builtin
from colorizer_app.restore import train_detector
from colorizer_app.restore.detect import Learned
from tests.conftest import ROOT

DETECTOR = ROOT / "models" / "damage_detector.pt"


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_writer_goes_over_the_shipped_damage_detector(monkeypatch, tmp_path, data_dir):
    monkeypatch.delenv("COLORIZER_MODELS_DIR", raising=False)  # the repository's own models/
    before = _sha(DETECTOR)
    with pytest.raises(ModelError, match="built-in model"):
        check_not_builtin(DETECTOR)
    link = tmp_path / "detector.pt"
    link.symlink_to(DETECTOR)
    # The detector's own trainer refuses it before reading a photo or training a step.
    for out in (DETECTOR, link):
        with pytest.raises(ModelError, match="built-in model"):
            train_detector.main(
                [str(out), str(data_dir / "kodak24"), "--val", str(data_dir / "kodak24")]
            )
    assert _sha(DETECTOR) == before
    assert not DETECTOR.with_suffix(".ckpt.pt").exists()


def test_the_manifest_holds_the_detector_and_a_damaged_copy_is_refused(tmp_path):
    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    assert manifest["support"]["damage_detector"]["sha256"] == _sha(DETECTOR)
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(ROOT / "models" / "manifest.json", models)
    copy = models / DETECTOR.name
    shutil.copy(DETECTOR, copy)
    check_builtin_checksum(copy)  # intact: nothing to say
    Learned.load(copy)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum does not match"):
        check_builtin_checksum(copy)


def test_the_trainer_says_what_is_wrong_before_it_trains(tmp_path, data_dir, capsys):
    """A review: an empty or misspelt folder ended in a traceback (need at least one array to
    stack), and a missing output folder only at the last save, after the whole training."""
    empty = tmp_path / "empty"
    empty.mkdir()
    kodak = str(data_dir / "kodak24")
    cases = [
        ([str(tmp_path / "nowhere" / "det.pt"), kodak, "--val", kodak], "no such folder"),
        ([str(tmp_path / "det.pt"), str(empty), "--val", kodak], "no photos found in"),
        ([str(tmp_path / "det.pt"), str(tmp_path / "typo"), "--val", kodak], "not a folder"),
    ]
    for argv, words in cases:
        with pytest.raises(SystemExit) as stop:
            train_detector.main(argv)
        assert stop.value.code == 2 and words in capsys.readouterr().err, argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # nothing written
