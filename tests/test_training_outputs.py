"""A training run never writes over what a person has before it has learnt anything, and says
so before it reads a photo (a review: a Ctrl+C while the photos were read wrote an untrained
model over a trained one and a step-0 checkpoint over the last run's, and exited 0; `models
init` wrote an untrained model over a trained one; a checkpoint was shared by two runs)."""

import hashlib
import time

import pytest
from PIL import Image

from colorizer_app.model.model_file import read_model_file
from colorizer_app.training.outputs import checkpoint_path

from .conftest import run_cli

SIZE = 48


@pytest.fixture(scope="module")
def photos(tmp_path_factory, data_dir):
    """A dozen real colour photos, small."""
    folder = tmp_path_factory.mktemp("photos")
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:12]:
        Image.open(src).resize((120, 80)).save(folder / src.name, quality=92)
    return folder


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _train(photos, out, *more):
    return run_cli(
        "train", photos, "--preset", "tiny", "--steps", "2", "--size", SIZE, "--batch", "2",
        "--device", "cpu", "-o", out, *more,
    )  # fmt: skip


def test_a_trained_model_and_its_checkpoint_are_not_replaced_unasked(tmp_path, photos):
    out = tmp_path / "mine.pt"
    first = _train(photos, out)
    assert first.returncode == 0, first.stderr
    ckpt = checkpoint_path(out)
    kept = {p: _sha(p) for p in (out, ckpt)}
    # Run again without --resume: refused at once, before any photo is read, naming both ways.
    start = time.monotonic()
    again = _train(photos, out)
    assert again.returncode == 2, again.stderr
    assert "an earlier run's checkpoint is there; --resume goes on from it" in again.stderr
    assert "Photos:" not in again.stderr and time.monotonic() - start < 60
    ckpt.unlink()
    kept.pop(ckpt)
    again = _train(photos, out)
    assert again.returncode == 2 and f"{out} already exists; choose another name" in again.stderr
    assert {p: _sha(p) for p in kept} == kept
    # --resume with no checkpoint trained from step 0 without a word.
    gone = _train(photos, tmp_path / "typo.pt", "--resume")
    assert gone.returncode == 2 and "no checkpoint at" in gone.stderr, gone.stderr
    assert not (tmp_path / "typo.pt").exists()
    # Asked for, it is replaced.
    replaced = _train(photos, out, "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert read_model_file(out).metadata["steps"] == 2


def test_two_runs_whose_names_differ_after_a_dot_keep_their_own_checkpoints(tmp_path, photos):
    for lr in ("0.001", "0.0005"):
        run = _train(photos, tmp_path / f"run_lr{lr}", "--lr", lr)
        assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "run_lr0.0005", "run_lr0.0005.ckpt", "run_lr0.001", "run_lr0.001.ckpt",
    ]  # fmt: skip
    assert checkpoint_path(tmp_path / "m.pt").name == "m.ckpt"  # a model's is as before
    folder = _train(photos, tmp_path)
    assert folder.returncode == 2 and "is a folder: give the model a file name" in folder.stderr


def test_a_run_stopped_before_its_first_step_writes_nothing(tmp_path, photos):
    from colorizer_app.core.errors import TrainingCancelled
    from colorizer_app.training.settings import TrainSettings
    from colorizer_app.training.train import train

    out = tmp_path / "mine.pt"
    assert _train(photos, out).returncode == 0
    ckpt = checkpoint_path(out)
    kept = {p: _sha(p) for p in (out, ckpt)}
    settings = TrainSettings(
        data=[photos], output=out, preset="tiny", steps=4, size=SIZE, batch_size=2,
        device="cpu", resume=True,
    )  # fmt: skip
    try:
        train(settings, should_stop=lambda: True)  # Ctrl+C while the photos were read
    except TrainingCancelled as exc:
        assert "nothing was written" in str(exc)
    else:
        raise AssertionError("a run stopped before its first step did not say so")
    assert {p: _sha(p) for p in kept} == kept


def test_models_commands_do_not_write_over_a_model_unasked(tmp_path, tiny_model_path):
    out = tmp_path / "trained.pt"
    out.write_bytes(tiny_model_path.read_bytes())
    before = _sha(out)
    init = run_cli("models", "init", "--preset", "tiny", out)
    assert init.returncode == 2 and "already exists" in init.stderr and "--overwrite" in init.stderr
    colour = run_cli("models", "set-colour", tiny_model_path, out, "--strength", "0.8")
    assert colour.returncode == 2 and "already exists" in colour.stderr
    assert _sha(out) == before
    forced = run_cli("models", "init", "--preset", "tiny", out, "--overwrite")
    assert forced.returncode == 0, forced.stderr
    assert read_model_file(out).metadata["trained"] is False


def test_options_a_run_cannot_take_are_refused_before_it_starts(tmp_path, photos):
    """A review: --size 100 crashed the paper presets after the whole scan ('Sizes of tensors
    must match'); --batch 0 was an internal error; resuming another preset's checkpoint printed
    an 'internal error' of 25 KB of weight names."""
    odd = _train(photos, tmp_path / "odd.pt", "--size", "100")
    assert odd.returncode == 2 and "100: use a multiple of 8 from 32, e.g. 96" in odd.stderr
    for option in ("--steps", "--epochs"):  # 0 wrote an untrained model and exited 0
        none = _train(photos, tmp_path / "none.pt", option, "0")
        assert none.returncode == 2 and "0: at least 1" in none.stderr, none.stderr
    assert not (tmp_path / "none.pt").exists()
    empty = run_cli("finetune", photos, "-o", tmp_path / "e.pt", "--batch", "0")
    assert empty.returncode == 2 and "0: at least 1" in empty.stderr
    out = tmp_path / "tiny.pt"
    assert _train(photos, out).returncode == 0
    other = run_cli(
        "train", photos, "--preset", "offline0", "--steps", "4", "--size", SIZE, "--batch", "2",
        "--device", "cpu", "-o", out, "--resume",
    )  # fmt: skip
    assert other.returncode == 2 and "a checkpoint of another kind of model" in other.stderr
    assert "internal error" not in other.stderr and len(other.stderr) < 1000, other.stderr


def test_a_scenes_run_with_no_photo_to_learn_from_says_so(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for i in range(3):
        (broken / f"scan{i}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    run = run_cli(
        "train", broken, "--preset", "scenes", "--steps", "2", "--batch", "2", "--device", "cpu",
        "-o", tmp_path / "s.pt",
    )  # fmt: skip
    assert run.returncode == 2 and "no photos to learn from" in run.stderr, run.stderr
    assert "3 unreadable" in run.stderr and "IndexError" not in run.stderr


def test_steps_alone_runs_that_many_steps(tmp_path, photos):
    """A review: `train --steps 3000` stopped after 190 steps, cut by the default 10 epochs, and
    nothing said why. Here 10 epochs are about 45 steps."""
    run = run_cli(
        "train", photos, "--preset", "tiny", "--steps", "60", "--size", SIZE, "--batch", "2",
        "--device", "cpu", "-o", tmp_path / "m.pt",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert read_model_file(tmp_path / "m.pt").metadata["steps"] == 60


def test_a_hint_cache_of_no_photos_says_so_instead_of_wrote(tmp_path):
    """A review: `train-hints cache` over a folder with no colour photo said "Wrote the cache"
    and wrote nothing; `train-hints train` then failed with an internal error."""
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_cli("train-hints", "cache", tmp_path / "cache", empty, "--size", "64")
    assert run.returncode == 2 and "no colour photos to learn from" in run.stderr, run.stderr
    assert "Wrote" not in run.stderr and not (tmp_path / "cache").exists()
