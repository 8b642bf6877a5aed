"""A bins-head model's colour follows its certainty: bold where it is sure, calm where it is not;
`colorizer models set-colour` writes a copy with other colour settings and the same weights."""

import numpy as np
import pytest
import torch

from colorizer_app.core.errors import ColorizerError
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.model import ab_bins
from colorizer_app.model.model_file import read_model_file, sha256_of, write_payload

from .conftest import real_rgb, run_main


def test_certainty_is_zero_when_every_bin_is_alike_and_one_on_a_single_bin():
    flat = torch.zeros(1, 261, 2, 2)
    sure = torch.full((1, 261, 2, 2), -1e4)
    sure[:, 40] = 0.0
    assert torch.allclose(ab_bins.certainty(flat), torch.zeros(1, 1, 2, 2), atol=1e-6)
    assert torch.allclose(ab_bins.certainty(sure), torch.ones(1, 1, 2, 2), atol=1e-6)
    two = torch.full((1, 261, 1, 1), -1e4)
    two[:, [3, 90]] = 0.0  # two colours alike: between the two
    assert 0.8 < float(ab_bins.certainty(two)) < 0.9


def _copy(source, out, *knobs):
    r = run_main("models", "set-colour", source, out, *knobs)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def shipped_copies(tmp_path_factory):
    """The shipped model as decoded (1, 1, 1), calmer where unsure and bolder where sure."""
    d = tmp_path_factory.mktemp("colour")
    plain = ["--strength", "1", "--uncertain-strength", "1", "--certain-strength", "1"]
    return {
        "plain": _copy("default", d / "plain.pt", *plain),
        "spread": _copy(
            "default",
            d / "spread.pt",
            *["--strength", "1", "--uncertain-strength", "0.5", "--certain-strength", "1.5"],
        ),
        "flat": _copy(
            "default",
            d / "flat.pt",
            *["--strength", "0.75", "--uncertain-strength", "1", "--certain-strength", "1"],
        ),
        "even": _copy(
            "default",
            d / "even.pt",
            *["--strength", "1", "--uncertain-strength", "0.75", "--certain-strength", "0.75"],
        ),
    }


def test_the_shipped_model_is_bolder_where_it_is_sure(shipped_copies, data_dir):
    from PIL import Image

    scene = sorted((data_dir / "scenes" / "intel_scenes").rglob("*.jpg"))[0]
    rgb = np.asarray(Image.open(scene).convert("RGB"))
    plain = Colorizer(shipped_copies["plain"], device="cpu")
    l_small = plain.small_l(rgb)
    ab, choices = plain.predict_with_choices(l_small)
    spread = Colorizer(shipped_copies["spread"], device="cpu").predict_small(l_small)
    chroma, chroma_spread = np.hypot(*ab.transpose(2, 0, 1)), np.hypot(*spread.transpose(2, 0, 1))
    coloured = chroma > 4.0
    assert coloured.mean() > 0.2
    ratio = chroma_spread[coloured] / chroma[coloured]
    assert ratio.min() >= 0.5 - 1e-3 and ratio.max() <= 1.5 + 1e-3
    assert ratio.std() > 0.02  # not one scale for the whole photo
    # Where the likeliest colour holds more of the distribution, the colour is scaled up more.
    top = choices.prob[0].astype(np.float32)  # h/4 x w/4
    h, w = top.shape
    small_ratio = (chroma_spread / np.maximum(chroma, 1e-3))[2::4, 2::4][:h, :w]
    keep = chroma[2::4, 2::4][:h, :w] > 4.0
    assert np.corrcoef(top[keep], small_ratio[keep])[0, 1] > 0.5


def test_one_scale_everywhere_is_the_plain_colour_strength(shipped_copies):
    rgb = real_rgb("coffee")
    flat = Colorizer(shipped_copies["flat"], device="cpu").predict_ab(rgb)
    even = Colorizer(shipped_copies["even"], device="cpu").predict_ab(rgb)
    plain = Colorizer(shipped_copies["plain"], device="cpu").predict_ab(rgb)
    assert np.allclose(flat, even, atol=1e-3)
    assert np.allclose(flat, plain * 0.75, atol=1e-3)
    assert np.abs(plain).max() > 5.0


def test_set_colour_keeps_the_weights_and_never_writes_the_source(tmp_path, tiny_model_path):
    before = sha256_of(tiny_model_path)
    out = _copy(tiny_model_path, tmp_path / "calm.pt", "--strength", "0.6", "--note", "calmer")
    a, b = read_model_file(tiny_model_path), read_model_file(out)
    assert sha256_of(tiny_model_path) == before
    assert b.config.colour_strength == 0.6 and a.config.colour_strength == 1.0
    assert a.state_dict.keys() == b.state_dict.keys()
    assert all(torch.equal(a.state_dict[k], b.state_dict[k]) for k in a.state_dict)
    assert b.metadata["colour_set"]["colour_strength"] == 0.6
    assert b.metadata["colour_set"]["why"] == "calmer"
    r = run_main("models", "info", out)
    assert '"colour_strength": 0.6' in r.stdout


def test_set_colour_refuses_what_it_cannot_do(tmp_path, tiny_model_path):
    cases = [
        (["--strength", "3"], "at most 2"),
        (["--certain-strength", "0"], "above 0"),
        ([], "at least one"),
        (["--uncertain-strength", "0.5"], "bins head"),  # the tiny model regresses ab
    ]
    for knobs, message in cases:
        r = run_main("models", "set-colour", tiny_model_path, tmp_path / "x.pt", *knobs)
        assert r.returncode == 2 and message in r.stderr, (knobs, r.stderr)
        assert not (tmp_path / "x.pt").exists()
    r = run_main("models", "set-colour", tiny_model_path, tiny_model_path, "--strength", "0.5")
    assert r.returncode == 2 and "already exists" in r.stderr  # not written over unasked
    again = ("models", "set-colour", tiny_model_path, tiny_model_path, "--strength", "0.5")
    r = run_main(*again, "--overwrite")
    assert r.returncode == 2 and "another file" in r.stderr  # nor over the model it reads


def test_a_model_file_with_a_wild_certainty_strength_is_refused(tmp_path, tiny_model_path):
    payload = torch.load(tiny_model_path, map_location="cpu", weights_only=True)
    payload["config"]["certain_strength"] = 9.0
    with pytest.raises(ColorizerError, match="certain_strength"):
        Colorizer(write_payload(tmp_path / "wild.pt", payload), device="cpu")
