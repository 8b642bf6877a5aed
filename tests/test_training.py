"""Training, resume, stop, fine-tuning and data handling, on real photos with the tiny preset."""

import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer_app.core.errors import TrainingCancelled, TrainingError
from colorizer_app.model.hybrid import HybridColorizer, HybridConfig
from colorizer_app.model.model_file import build_model, read_model_file, save_model
from colorizer_app.model.presets import get_preset
from colorizer_app.training.data import ColorPhotoDataset, scan_folders, split_photos
from colorizer_app.training.finetune import finetune
from colorizer_app.training.fused_cache import fused_vectors
from colorizer_app.training.loop import TrainConfig, cosine_lr
from colorizer_app.training.photo_task import fit
from colorizer_app.training.settings import FinetuneSettings

from .conftest import run_cli

SIZE = 48


@pytest.fixture(scope="module")
def photo_folder(tmp_path_factory, data_dir):
    """A dozen real colour photos, a gray one, and two broken files."""
    folder = tmp_path_factory.mktemp("photos")
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:12]:
        Image.open(src).resize((120, 80)).save(folder / src.name, quality=92)
    Image.open(src).convert("L").save(folder / "gray_print.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "empty.png").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def report(photo_folder):
    return scan_folders([photo_folder], keep_side=64)


def _datasets(model, report, seed=0):
    fused = fused_vectors(model, report.usable)
    train = ColorPhotoDataset(report.usable, SIZE, augment=True, seed=seed, fused=fused)
    val = ColorPhotoDataset(report.usable[:4], SIZE, augment=False, fused=fused[:4])
    return train, val


def _tiny(fusion_dropout: float = 0.0):
    torch.manual_seed(0)
    config = HybridConfig.from_dict(get_preset("tiny").config.to_dict())
    config.fusion_dropout = fusion_dropout
    return HybridColorizer(config)


def test_scan_counts_gray_and_unreadable_files(report, photo_folder):
    assert len(report.usable) == 12
    assert [p.name for p in report.gray] == ["gray_print.jpg"]
    assert sorted(p.name for p, _ in report.unreadable) == ["broken.jpg", "empty.png"]
    assert all(str(photo_folder) in reason for _, reason in report.unreadable)


def test_the_apps_own_copies_are_not_learnt_from(photo_folder, tmp_path):
    """A trial pointed the Advanced panel at its scans folder, where Save had put the colorized
    copies: they were counted among the colour photos to learn from (the model's own guesses
    as truth). The app's copies (_colorized, _restored) are left out of training, and said."""
    folder = tmp_path / "scans"
    shutil.copytree(photo_folder, folder)
    for src in sorted(folder.glob("*.jpg"))[:3]:
        shutil.copy(src, folder / f"{src.stem}_colorized.jpg")
    shutil.copy(src, folder / f"{src.stem}_restored.png")
    report = scan_folders([folder], keep_side=64)
    assert len(report.usable) == 12  # as without the copies
    assert sorted(p.name for p in report.copies) == sorted(
        [f"{p.stem}_colorized.jpg" for p in sorted(photo_folder.glob("*.jpg"))[:3]]
        + [f"{src.stem}_restored.png"]
    )
    assert "4 of the app's own copies left out" in report.summary()


def test_split_is_deterministic_and_groups_folders(tmp_path, data_dir):
    lfw = scan_folders([data_dir / "lfw"], keep_side=32, split_by="folder", limit=300)
    train, test = split_photos(lfw.usable)
    assert 0.15 < len(test) / len(lfw.usable) < 0.35
    assert not {p.group for p in train} & {p.group for p in test}  # no identity on both sides
    again = split_photos(
        scan_folders([data_dir / "lfw"], keep_side=32, split_by="folder", limit=300).usable
    )[1]
    assert [p.path for p in again] == [p.path for p in test]


def test_tiny_model_learns_on_real_photos(report):
    model = _tiny()
    train, val = _datasets(model, report)
    config = TrainConfig(epochs=25, batch_size=6, lr=3e-3, checkpoint=None)
    history = fit(model, train, val, config)
    assert history.step == 50
    first, last = np.mean(history.losses[:5]), np.mean(history.losses[-5:])
    assert last < 0.7 * first
    assert len(history.val) == 25 and history.val[-1]["psnr"] > 0


@pytest.mark.parametrize(("loss", "fusion_dropout"), [("mse", 0.0), ("vivid", 0.0), ("psnr", 0.5)])
def test_stop_and_resume_equals_an_unbroken_run(tmp_path, report, loss, fusion_dropout):
    def run(steps, ckpt, resume=False, stop_at=None):
        model = _tiny(fusion_dropout)
        train, val = _datasets(model, report)
        config = TrainConfig(
            epochs=10,
            max_steps=steps,
            batch_size=5,
            checkpoint=ckpt,
            checkpoint_every=2,
            resume=resume,
            loss=loss,
        )
        counter = {"n": 0}

        def should_stop():
            counter["n"] += 1
            return stop_at is not None and counter["n"] > stop_at

        history = fit(model, train, val, config, should_stop=should_stop)
        return model, history

    unbroken, _ = run(7, tmp_path / "a.ckpt")
    _, stopped = run(7, tmp_path / "b.ckpt", stop_at=4)
    assert stopped.stopped and stopped.step == 4
    # the stop left a whole, loadable model file holding the weights of step 4
    stopped_model = build_model(read_model_file(tmp_path / "b.ckpt"))
    assert read_model_file(tmp_path / "b.ckpt").training["step"] == 4
    assert sum(p.numel() for p in stopped_model.parameters()) > 0
    resumed, history = run(7, tmp_path / "b.ckpt", resume=True)
    assert history.step == 7 and not history.stopped
    for (k, a), b in zip(unbroken.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.allclose(a.float(), b.float(), atol=1e-6), k


def test_a_stopped_run_hands_back_the_best_weights_it_reports(tmp_path, report):
    """A review: a stopped scenes or hint run reported its best held-out score (and wrote it in
    its file's info) but kept the last step's weights. The checkpoint keeps the last step's (what
    --resume goes on from); the model handed back is the best."""
    model = _tiny()
    train, val = _datasets(model, report)
    config = TrainConfig(
        epochs=10, max_steps=8, batch_size=4, lr=0.1, eval_every=1, keep_best=True,
        checkpoint=tmp_path / "s.ckpt",
    )  # fmt: skip
    asked = {"n": 0}

    def stop_after_five() -> bool:
        asked["n"] += 1
        return asked["n"] > 5

    history = fit(model, train, val, config, should_stop=stop_after_five)
    assert history.stopped and history.step == 5
    losses = [v["loss"] for v in history.val]
    best_step = history.val[int(np.argmin(losses))]["step"]
    assert best_step != 5, losses  # a run whose last step was not its best: the case in question
    training = read_model_file(tmp_path / "s.ckpt").training
    assert training["step"] == 5  # --resume goes on from the last step
    best = training["best_state"]
    for key, value in model.state_dict().items():
        assert torch.equal(value.float(), best[key].float()), key


def test_fusion_dropout_acts_in_training_only(report):
    plain, dropped = _tiny(0.0), _tiny(0.5)
    dropped.load_state_dict(plain.state_dict())
    l = torch.stack([ColorPhotoDataset(report.usable, SIZE, augment=False)[i][0] for i in range(4)])
    fused = fused_vectors(plain, report.usable[:4]).float()
    for m in (plain, dropped):
        m.eval()
    with torch.no_grad():
        assert torch.equal(plain(l, fused), dropped(l, fused))  # colorizing: no dropout
        plain.train()
        dropped.train()
        assert not torch.allclose(plain(l, fused), dropped(l, fused))


def test_nan_loss_stops_with_a_clear_message(tmp_path, report):
    model = _tiny()
    train, val = _datasets(model, report)
    with torch.no_grad():
        model.head.weight.fill_(float("nan"))
    config = TrainConfig(epochs=1, batch_size=4, checkpoint=tmp_path / "nan.ckpt")
    with pytest.raises(TrainingError, match="loss became nan.*lower the learning rate"):
        fit(model, train, val, config)
    assert not (tmp_path / "nan.ckpt").exists()  # no garbage saved


def test_ctrl_c_leaves_a_loadable_checkpoint(tmp_path, photo_folder):
    out = tmp_path / "model.pt"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "colorizer_app",
            "train",
            str(photo_folder),
            "--preset",
            "tiny",
            "-o",
            str(out),
            "--size",
            str(SIZE),
            "--batch",
            "2",
            "--epochs",
            "1000",
            "--checkpoint-every",
            "1",
            "--device",
            "cpu",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ckpt = out.with_suffix(".ckpt")
    for line in proc.stderr:  # blocks until training has taken its first step: no polling
        if line.startswith("train ["):
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "stopped early" in err and "Traceback" not in err
    saved = read_model_file(out)
    assert saved.metadata["stopped_early"] is True and saved.metadata["steps"] >= 1
    assert isinstance(build_model(saved), torch.nn.Module)
    assert read_model_file(ckpt).metadata["checkpoint"] is True


def test_train_with_the_cosine_schedule_writes_a_loadable_model(tmp_path, photo_folder):
    """The command as a person runs it (issue 25: it died at step 2 with an internal error,
    the schedule's loop rebinding fit's torchrun `group`)."""
    out = tmp_path / "m.pt"
    result = run_cli(
        "train", photo_folder, "--preset", "offline", "--schedule", "cosine", "--steps", "5",
        "--size", SIZE, "--batch", "2", "--device", "cpu", "--cache", tmp_path / "cache",
        "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    saved = read_model_file(out)
    assert saved.preset == "offline"
    assert saved.metadata["schedule"] == "cosine" and saved.metadata["steps"] == 5
    assert isinstance(build_model(saved), torch.nn.Module)


def test_every_preset_shares_one_cosine_schedule_with_its_own_floor():
    """One definition (loop.cosine_lr) in the one loop; each kind of preset keeps the floor it
    shipped with, and the rates are the very floats the two former loops' own formulas gave (a
    resumed run stays exact)."""
    import math

    from colorizer_app.training.scenes import COSINE_FLOOR

    assert TrainConfig().cosine_floor == 0.05 and COSINE_FLOOR == 0.02
    total = 37
    for step in range(total):
        c = math.cos(math.pi * step / total)
        assert cosine_lr(1e-3, step, total, 0.05) == 1e-3 * (0.05 + 0.95 * 0.5 * (1 + c))
        assert cosine_lr(3e-4, step, total, 0.02) == 3e-4 * (0.02 + 0.98 * 0.5 * (1 + c))
    assert cosine_lr(1e-3, 0, total, 0.05) == 1e-3
    assert cosine_lr(1e-3, total, total, 0.05) == pytest.approx(0.05e-3)


def test_finetune_writes_a_new_file_and_leaves_the_base_alone(tmp_path, photo_folder):
    base = tmp_path / "base.pt"
    save_model(_tiny(), base, "tiny", {"trained": True, "description": "base"})
    before = base.read_bytes()
    # 12 usable photos: enough (the minimum is 10)
    result = finetune(
        FinetuneSettings(
            base,
            [photo_folder],
            tmp_path / "mine.pt",
            steps=6,
            size=SIZE,
            batch_size=4,
            device="cpu",
            lr=1e-3,
            keep_anyway=True,  # six steps need not beat the start: this is about the files
        )  # fmt: skip
    )
    assert base.read_bytes() == before
    mf = read_model_file(result.path)
    meta = mf.metadata
    assert meta["base_model"] == "base" and meta["steps"] == result.history.step > 0
    assert meta["images"] == {"train": 6, "held_out": 6, "gray_left_out": 1, "unreadable": 2}
    # The scores the model chooser shows are the judgement's (it checked only that the keys were
    # there): the start's and the kept model's held-out PSNR as the app colours.
    verdict = result.verdict
    assert meta["val_psnr_before"] == round(verdict.psnr_before, 3) > 5
    assert meta["val_psnr_after"] == round(verdict.psnr_after, 3) > 5
    assert f"{verdict.psnr_before:.2f} dB before -> {verdict.psnr_after:.2f} dB" in result.summary()
    assert not result.path.with_suffix(".ckpt").exists()


def test_finetune_never_hands_back_a_worse_model(tmp_path, photo_folder):
    """A run that only makes the model worse saves nothing (unless asked); a run that helps
    saves the best model seen on the held-out photos, judged as the app colours them, and says
    before -> after."""
    base = tmp_path / "base.pt"
    save_model(_tiny(), base, "tiny", {"trained": True, "loss": "mse"})
    out = tmp_path / "worse.pt"
    # a learning rate far too high: every epoch scores below the start
    kwargs = dict(steps=9, size=SIZE, batch_size=4, device="cpu", lr=0.5, patience=None)
    result = finetune(FinetuneSettings(base, [photo_folder], out, **kwargs))
    assert result.path is None and not result.improved
    assert not out.exists() and not out.with_suffix(".ckpt").exists()
    assert result.after["psnr"] < result.before["psnr"] + 0.01
    assert result.verdict is not None and result.verdict.gain < result.verdict.noise
    assert "no model was saved: not better than the start" in result.summary()
    kept = finetune(FinetuneSettings(base, [photo_folder], out, keep_anyway=True, **kwargs))
    assert kept.path == out and out.is_file()  # asked for: saved regardless
    # a gentle run helps: the model saved is the best seen, and scores what it says
    good = finetune(
        FinetuneSettings(
            base,
            [photo_folder],
            tmp_path / "better.pt",
            steps=9,
            size=SIZE,
            batch_size=4,
            device="cpu",
            lr=1e-3,
            patience=None,
        )  # fmt: skip
    )
    assert good.path is not None and good.improved, good.summary()
    assert good.after["psnr"] == max(v["psnr"] for v in good.history.val)
    meta = read_model_file(good.path).metadata
    assert meta["val_psnr_after"] == round(good.verdict.psnr_after, 3)  # as the app colours
    assert meta["judgement"]["photos"] == 6 and meta["val"] == good.after
    assert meta["loss"] == "mse"  # the starting model's own objective
    from colorizer_app.training.finetune import hold_out
    from colorizer_app.training.photo_task import validate

    held_out = hold_out(scan_folders([photo_folder], keep_side=int(SIZE * 1.25)).usable)[1]
    saved = build_model(read_model_file(good.path)).eval()
    fused = fused_vectors(saved, held_out)
    loader = torch.utils.data.DataLoader(
        ColorPhotoDataset(held_out, SIZE, augment=False, fused=fused), batch_size=4
    )
    assert (
        abs(validate(saved, loader, "mse", torch.device("cpu"))["psnr"] - good.after["psnr"]) < 1e-3
    )


def test_finetune_with_too_few_photos_says_how_many(tmp_path, photo_folder):
    few = tmp_path / "few"
    few.mkdir()
    for p in sorted(photo_folder.glob("*.jpg"))[:4]:
        shutil.copy(p, few)
    base = tmp_path / "base.pt"
    save_model(_tiny(), base, "tiny")
    with pytest.raises(TrainingError, match="at least 10"):
        finetune(
            FinetuneSettings(base, [few], tmp_path / "out.pt", steps=2, size=SIZE, device="cpu")
        )


def test_cancelling_during_scan_judging_or_classifiers_is_prompt(tmp_path, photo_folder):
    """should_stop reaches the photo scan, the judging of the start and the classifiers' pass,
    not only the steps."""
    base = tmp_path / "base.pt"
    save_model(_tiny(), base, "tiny", {"trained": True})
    settings = FinetuneSettings(base, [photo_folder], tmp_path / "out.pt", size=SIZE, device="cpu")

    def cancel_once(words: str):
        """Cancel as a person would: once the app says it has started the phase named by
        `words` (its status line), not after some count of calls."""
        said = {"now": ""}

        def on_status(line: str) -> None:
            said["now"] = line

        return {"on_status": on_status, "should_stop": lambda: words in said["now"]}

    for words, phase in (
        ("Looking at the photos", "scanning"),
        ("with the starting model", "judging"),
        ("frozen classifiers", "classifiers"),
    ):
        with pytest.raises(TrainingCancelled, match=phase):
            finetune(settings, **cancel_once(words))
    assert not (tmp_path / "out.pt").exists()


def test_paper_preset_trains_with_weights_in_a_hub_folder(tmp_path, monkeypatch, report):
    """On a machine with torchvision's weights, the paper's Model 3 trains end to end."""
    from colorizer_app.model import backbones

    monkeypatch.setattr(torch.hub, "_hub_dir", str(tmp_path / "hub"))
    for name in backbones.TORCHVISION_BACKBONES:
        path = backbones.hub_checkpoint_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(backbones.REGISTRY[name].build().state_dict(), path)
    model = HybridColorizer(get_preset("paper").config, pretrained_backbones=True)
    photos = report.usable[:4]
    fused = fused_vectors(model, photos)
    train = ColorPhotoDataset(photos, 32, augment=True, fused=fused)
    history = fit(model, train, None, TrainConfig(epochs=1, batch_size=2, checkpoint=None))
    assert history.step == 2 and all(np.isfinite(history.losses))
    out = save_model(model, tmp_path / "paper.pt", "paper")
    assert read_model_file(out).config.backbones == ["vgg16", "resnet50", "inception_v3"]


def test_classifier_cache_is_reused_and_invalidated_by_a_changed_file(tmp_path, photo_folder):
    from colorizer_app.training.fused_cache import classifier_key

    folder = tmp_path / "few"
    shutil.copytree(photo_folder, folder)
    photos = scan_folders([folder], keep_side=64).usable[:3]
    model = _tiny()
    cache = tmp_path / "cache"
    first = fused_vectors(model, photos, cache)
    files = sorted(p.name for p in cache.iterdir())
    assert files == sorted(f"classifier-{classifier_key(b)}.pt" for b in model.backbones)
    # what is read back is what the cache holds: poison one entry and see it come back
    for path in cache.iterdir():
        stored = torch.load(path, weights_only=True)
        stored["vectors"][0] = 0.5
        torch.save(stored, path)
    again = fused_vectors(model, photos, cache)
    assert torch.allclose(again[0].float(), torch.full((1000,), 0.5), atol=1e-3)
    assert torch.allclose(again[1:].float(), first[1:].float(), atol=1e-3)
    # the same photos copied elsewhere (new paths, new times) are still the cached ones
    copied = tmp_path / "copied"
    shutil.copytree(folder, copied)
    copies = scan_folders([copied], keep_side=64).usable[:3]
    assert [p.path.name for p in copies] == [p.path.name for p in photos]
    assert torch.allclose(fused_vectors(model, copies, cache)[0].float(), again[0].float())
    # a photo edited since misses the cache and is read again
    edited = photos[0].path
    Image.open(edited).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(edited, quality=95)
    photos = scan_folders([folder], keep_side=64).usable[:3]
    fresh = fused_vectors(model, photos, cache)
    assert not torch.allclose(fresh[0].float(), again[0].float(), atol=1e-2)
    assert torch.allclose(fresh[0].float(), fused_vectors(model, photos)[0].float(), atol=1e-3)


def test_per_folder_keeps_the_first_photos_of_each_identity(data_dir):
    lfw = data_dir / "lfw"
    report = scan_folders([lfw], keep_side=32, split_by="folder", per_folder=2)
    by_person: dict[str, list[str]] = {}
    for path in [p.path for p in report.usable] + report.gray:
        by_person.setdefault(path.parent.name, []).append(path.name)
    people = [d for d in lfw.iterdir() if d.is_dir()]
    assert len(by_person) == len(people) and max(map(len, by_person.values())) == 2
    bush = sorted(p.name for p in (lfw / "George_W_Bush").glob("*.jpg"))
    assert len(bush) > 100 and sorted(by_person["George_W_Bush"]) == bush[:2]
