"""An ensemble: trained bins-head models colouring as one, their colour distributions averaged
(the shipped default is one); `colorizer models combine` writes one from model files."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer_app.core import lab
from colorizer_app.core.errors import ColorizerError
from colorizer_app.engine.catalog import open_model
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.model import ab_bins
from colorizer_app.model.ensemble import EnsembleColorizer, member_configs
from colorizer_app.model.model_file import (
    build_model,
    read_model_file,
    save_model,
    sha256_of,
    write_payload,
)
from colorizer_app.model.semantic import SemanticColorizer
from colorizer_app.training.finetune import finetune
from colorizer_app.training.settings import FinetuneSettings

from .conftest import run_main


def _member_states(shipped) -> list[tuple]:
    """(config, weights) of each model the tests average: the shipped ensemble's members, or,
    where the shipped model is one network, it and a second opinion: the same network whose
    head was nudged with seeded noise, so the two disagree on some colours as trained members
    do."""
    if shipped.config.members:
        out = []
        for i, config in enumerate(member_configs(shipped.config)):
            prefix = f"members.{i}."
            state = {
                k[len(prefix) :]: v.float() if v.is_floating_point() else v
                for k, v in shipped.state_dict.items()
                if k.startswith(prefix)
            }
            out.append((config, state))
        return out
    state = {k: v.float() if v.is_floating_point() else v for k, v in shipped.state_dict.items()}
    other = dict(state)
    gen = torch.Generator().manual_seed(7)
    for k in [k for k in state if k.startswith("head.") and k.endswith("weight")]:
        w = state[k]
        other[k] = w + 1.2 * w.std() * torch.randn(w.shape, generator=gen)
    return [(shipped.config, state), (shipped.config, other)]


@pytest.fixture(scope="module")
def member_files(tmp_path_factory):
    """Trained bins-head models, each written as the model file it was trained as."""
    folder = tmp_path_factory.mktemp("members")
    paths = []
    for i, (config, state) in enumerate(_member_states(open_model("default"))):
        net = SemanticColorizer(replace(config, members=[]), pretrained_backbones=False)
        net.load_state_dict(state, strict=True)
        paths.append(save_model(net, folder / f"member{i}.pt", "scenes", {"trained": True}, True))
    return paths


@pytest.fixture(scope="module")
def ensemble_file(tmp_path_factory, member_files):
    """Those models colouring as one, as `colorizer models combine` writes them."""
    out = tmp_path_factory.mktemp("ensemble") / "ensemble.pt"
    r = run_main("models", "combine", out, *member_files)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def scene_l(data_dir):
    scene = sorted((data_dir / "scenes" / "intel_scenes").rglob("*.jpg"))[3]
    rgb = np.asarray(Image.open(scene).convert("RGB"))
    l_small = Colorizer("default", device="cpu").small_l(rgb)
    return torch.from_numpy(lab.normalize_l(l_small))[None, None]


def test_an_ensemble_averages_its_members_colour_distributions(
    member_files, ensemble_file, scene_l
):
    ensemble = build_model(read_model_file(ensemble_file))
    assert isinstance(ensemble, EnsembleColorizer) and len(ensemble.members) >= 2
    with torch.inference_mode():
        head = ensemble.head_output(scene_l)
        member_probs = []
        for path in member_files:
            net = build_model(read_model_file(path))
            feats, classes = net.encode(scene_l)
            member_probs.append(torch.softmax(net.head_output(scene_l, feats, classes), dim=1))
        mean = torch.stack(member_probs).mean(0)
        assert torch.allclose(head.exp(), mean, atol=1e-5)
        # Where the members name different likeliest colours the ensemble is less sure, so its
        # colour is paler there than where they agree.
        tops = torch.stack([p.argmax(1) for p in member_probs])
        disagree = (tops != tops[0]).any(0)[0]
        assert 0.05 < float(disagree.float().mean()) < 0.95
        sure = ab_bins.certainty(head)[0, 0]
        assert sure[disagree].mean() < sure[~disagree].mean() - 0.02
        # The colour the app shows and the chooser's likeliest colour come from that average.
        ab, (choice_ab, prob) = ensemble.with_choices(scene_l, 3)
    assert torch.equal(choice_ab[:, 0], ensemble.ab_bins[mean.argmax(1)])
    assert torch.allclose(prob[:, 0], mean.max(1).values, atol=1e-5)
    assert torch.isfinite(ab).all() and float(ab.abs().max()) > 0.05


def test_combine_keeps_every_members_weights_and_records_them(
    tmp_path, member_files, ensemble_file
):
    before = [sha256_of(p) for p in member_files]
    out = tmp_path / "together.pt"
    r = run_main("models", "combine", out, *member_files, "--note", "rebuilt in a test")
    assert r.returncode == 0, r.stderr
    assert "set-colour" in r.stdout  # says how to choose its colour
    assert [sha256_of(p) for p in member_files] == before
    rebuilt, before_file = read_model_file(out), read_model_file(ensemble_file)
    assert rebuilt.state_dict.keys() == before_file.state_dict.keys()
    for i, path in enumerate(member_files):
        member = read_model_file(path)
        for k, v in member.state_dict.items():
            assert torch.equal(rebuilt.state_dict[f"members.{i}.{k}"], v), (i, k)
        assert member_configs(rebuilt.config)[i] == member.config
    assert rebuilt.metadata["note"] == "rebuilt in a test"
    assert [m["sha256"] for m in rebuilt.metadata["members"]] == before
    # Members on the same pretrained encoder carry it once: smaller than their files together.
    lite0 = 4.6e6 * 2  # EfficientNet-Lite0's weights in float16, about
    assert out.stat().st_size < sum(p.stat().st_size for p in member_files) - 0.8 * lite0
    info = run_main("models", "info", out)
    assert f"ensemble:  {len(member_files)} models" in info.stdout
    assert "efficientnet_lite0" in info.stdout


def test_combine_refuses_what_it_cannot_average(
    tmp_path, member_files, ensemble_file, tiny_model_path
):
    shipped = Path(ensemble_file)
    cases = [
        ([member_files[0]], "at least two"),
        ([member_files[0], tiny_model_path], "bins head"),  # the tiny model regresses ab
        ([member_files[0], shipped], "ensemble already"),
    ]
    for models, message in cases:
        r = run_main("models", "combine", tmp_path / "x.pt", *models)
        assert r.returncode == 2 and message in r.stderr, (models, r.stderr)
        assert not (tmp_path / "x.pt").exists()
    r = run_main("models", "combine", member_files[1], *member_files)
    assert r.returncode == 2 and "already exists" in r.stderr and "--overwrite" in r.stderr
    r = run_main("models", "combine", member_files[1], *member_files, "--overwrite")
    assert r.returncode == 2 and "another file" in r.stderr  # never over one of its members


def test_a_file_whose_member_is_not_a_bins_model_is_refused(tmp_path, ensemble_file):
    payload = torch.load(ensemble_file, map_location="cpu", weights_only=True)
    payload["config"]["members"][1]["head"] = "ab"
    with pytest.raises(ColorizerError, match="bad_member.pt.*bins head"):
        Colorizer(write_payload(tmp_path / "bad_member.pt", payload), device="cpu")


def test_fine_tuning_an_ensemble_trains_every_member(tmp_path, data_dir, ensemble_file):
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:12]:
        Image.open(src).resize((120, 80)).save(folder / src.name, quality=92)
    settings = FinetuneSettings(
        str(ensemble_file), [folder], tmp_path / "mine.pt", steps=2, size=64, batch_size=4,
        device="cpu", lr=1e-3, keep_anyway=True,
    )  # fmt: skip
    result = finetune(settings)
    base, tuned = read_model_file(ensemble_file), read_model_file(result.path)
    assert tuned.config.members == base.config.members
    changed = {
        k
        for k, v in base.state_dict.items()
        if not torch.equal(v.float(), tuned.state_dict[k].float())
    }
    for i in range(len(base.config.members)):
        mine = {k for k in changed if k.startswith(f"members.{i}.")}
        assert any(".dec4." in k for k in mine), i  # each member's decoder learned
        assert not any(k.startswith(f"members.{i}.encoder.") for k in mine), i  # encoders frozen
    rgb = np.asarray(Image.open(next(folder.glob("*.jpg"))).convert("RGB"))
    out = Colorizer(result.path, device="cpu").colorize(rgb)
    assert out.shape == rgb.shape and out.std(axis=2).mean() > 1.0
