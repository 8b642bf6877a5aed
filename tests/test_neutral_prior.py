"""Colour that does no harm: where a bins-head model does not know a thing's colour, its neutral
prior leaves the thing near gray instead of painting it with a warm guess; where it is sure
(sky, foliage, skin) the colour stays."""

import numpy as np
import pytest
import torch

from colorizer_app.core.errors import ColorizerError
from colorizer_app.engine.catalog import open_model
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.model import ab_bins
from colorizer_app.model.ensemble import EnsembleColorizer
from colorizer_app.model.model_file import read_model_file, write_payload

from .conftest import real_rgb, run_main


def _bins() -> torch.Tensor:
    return torch.from_numpy(ab_bins.gamut_bins())


def _spread_over_warm_bins(bins: torch.Tensor, peak: float) -> torch.Tensor:
    """Logits (1 x Q x 1 x 1) that favour the warm bins (a, b > 0) by `peak`: a flat guess when
    peak is small, a sure colour when large."""
    warm = ((bins[:, 0] > 5) & (bins[:, 1] > 15)).float()
    return (peak * warm)[None, :, None, None]


def test_the_prior_pulls_an_unsure_warm_guess_to_gray_and_leaves_a_sure_colour():
    bins = _bins()
    unsure, sure = _spread_over_warm_bins(bins, 1.0), _spread_over_warm_bins(bins, 12.0)

    def chroma(head: torch.Tensor, neutral: float) -> float:
        ab = ab_bins.shown_colour(head, bins, ab_bins.ANNEAL_T, 1.0, 1.0, neutral) * 128
        return float(ab.norm(dim=1).mean())

    assert chroma(unsure, 0.0) > 15  # without the prior: a warm colour from a flat guess
    assert chroma(unsure, 3.0) < 0.5 * chroma(unsure, 0.0)
    assert chroma(sure, 3.0) > 0.95 * chroma(sure, 0.0)
    # 0 is the distribution decoded as it is, exactly.
    plain = ab_bins.annealed_mean(unsure, bins) / 128
    assert torch.equal(ab_bins.shown_colour(unsure, bins, ab_bins.ANNEAL_T, 1, 1, 0.0), plain)


def _head(net, x: torch.Tensor) -> torch.Tensor:
    if isinstance(net, EnsembleColorizer):
        return net.head_output(x)
    return net.head_output(x, *net.encode(x))


@pytest.fixture(scope="module")
def shipped_with_prior(tmp_path_factory):
    d = tmp_path_factory.mktemp("neutral")
    out = {}
    shipped = f"{read_model_file(open_model('default').path).config.neutral_prior:g}"
    for name, value in (("off", "0"), ("on", "2"), ("as shipped", shipped)):
        r = run_main("models", "set-colour", "default", d / f"{name}.pt", "--neutral-prior", value)
        assert r.returncode == 0, r.stderr
        assert f"neutral prior {value}" in r.stdout
        out[name] = d / f"{name}.pt"
    return out


def test_the_prior_calms_a_real_photo_and_keeps_its_hues(shipped_with_prior):
    """On a real photo the prior moves colour towards gray, never across it: each coloured
    spot keeps its hue (the sure-against-unsure behaviour is checked on known distributions
    above; on one photo the model's spots are seldom sure)."""
    rgb = real_rgb("coffee")
    off = Colorizer(shipped_with_prior["off"], device="cpu")
    on = Colorizer(shipped_with_prior["on"], device="cpu")
    l_small = off.small_l(rgb)
    ab_off, ab_on = off.predict_small(l_small), on.predict_small(l_small)
    c_off, c_on = np.hypot(*ab_off.transpose(2, 0, 1)), np.hypot(*ab_on.transpose(2, 0, 1))
    keep = c_off > 3.0
    assert keep.mean() > 0.2
    assert c_on[keep].mean() < 0.9 * c_off[keep].mean()
    cos = (ab_off * ab_on).sum(2)[keep] / np.maximum(c_off[keep] * c_on[keep], 1e-6)
    assert np.median(cos) > 0.8


def test_the_prior_is_a_setting_of_the_file_alone(shipped_with_prior):
    """A copy with the shipped model's own prior colours exactly as it does; other values are
    recorded in the copy and change its colour (the weights are the same tensors)."""
    rgb = real_rgb("coffee")
    shipped = Colorizer("default", device="cpu").predict_ab(rgb)
    same = Colorizer(shipped_with_prior["as shipped"], device="cpu").predict_ab(rgb)
    off = Colorizer(shipped_with_prior["off"], device="cpu").predict_ab(rgb)
    assert np.array_equal(shipped, same)
    assert not np.allclose(shipped, off, atol=0.5)
    assert read_model_file(shipped_with_prior["on"]).config.neutral_prior == 2.0
    assert read_model_file(shipped_with_prior["off"]).config.neutral_prior == 0.0


def test_a_neutral_prior_out_of_range_is_refused(tmp_path, tiny_model_path):
    for value in ("-1", "11", "nan"):
        r = run_main("models", "set-colour", "default", tmp_path / "x.pt", "--neutral-prior", value)
        assert r.returncode == 2 and "neutral prior must be from 0 to 10" in r.stderr, r.stderr
        assert not (tmp_path / "x.pt").exists()
    payload = torch.load(tiny_model_path, map_location="cpu", weights_only=True)
    payload["config"]["neutral_prior"] = 50.0
    with pytest.raises(ColorizerError, match="neutral_prior"):
        Colorizer(write_payload(tmp_path / "wild.pt", payload), device="cpu")
