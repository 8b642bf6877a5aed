import numpy as np
import pytest

from colorizer_app.core import lab
from colorizer_app.core.errors import ColorizerError
from colorizer_app.engine.colorizer import Colorizer, network_size

from .conftest import real_rgb


@pytest.fixture(scope="module")
def colorizer(tiny_model_path):
    return Colorizer(tiny_model_path, device="cpu")


@pytest.mark.parametrize("hw", [(1000, 1000), (500, 3000), (3000, 500), (37, 91)])
def test_network_size_keeps_aspect_and_multiples_of_eight(hw):
    h, w = network_size(*hw, 256)
    assert h % 8 == 0 and w % 8 == 0 and (max(h, w) == 256 or min(h, w) == 8)
    assert abs(h / w - hw[0] / hw[1]) / (hw[0] / hw[1]) < 0.1


@pytest.mark.parametrize("shape", [(512, 512), (300, 1800), (1800, 300), (101, 67)])
def test_output_has_input_size_and_original_detail(colorizer, shape):
    import cv2

    rgb = cv2.resize(real_rgb("astronaut"), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    out = colorizer.colorize(rgb)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    # the original L, pixel for pixel (bar clipping of out-of-gamut colour)
    assert np.median(np.abs(lab.rgb_to_l(out) - lab.rgb_to_l(rgb))) < 1.0
    assert np.abs(lab.rgb_to_lab(out)[:, :, 1:]).mean() > 3  # it does add colour


def test_panorama_colour_is_not_stretched(colorizer):
    """A panorama's ab come from an aspect-kept small copy: a sharp edge in the middle stays
    sharp in colour too, and the colour of each half is that half's own."""
    rgb = np.full((200, 1200, 3), 200 * 257, np.uint16)  # 16 bits: no rounding noise in ab
    rgb[:, :600] = 40 * 257
    assert colorizer.small_l(rgb).shape == network_size(200, 1200, colorizer.inference_size)
    ab_small = colorizer.predict_ab(rgb)
    out = colorizer.colorize(rgb)
    assert out.shape == rgb.shape
    ab = lab.rgb_to_lab(out)[:, :, 1:]
    h, w = ab_small.shape[:2]
    # far from the edge, each half carries the network's colour for that half
    for full_x, small_x in ((150, w // 8), (1050, w - 1 - w // 8)):
        assert np.allclose(ab[100, full_x], ab_small[h // 2, small_x], atol=3.0)
    # the halves differ in colour, and the change happens at the edge, within a few pixels
    left, right = ab_small[h // 2, : w // 2 - 2].mean(0), ab_small[h // 2, w // 2 + 2 :].mean(0)
    assert np.linalg.norm(left - right) > 1.0
    step = np.linalg.norm(np.diff(ab[100], axis=0), axis=1)
    assert 590 <= int(np.argmax(step)) <= 610


def test_sixteen_bit_in_sixteen_bit_out(colorizer):
    rgb16 = real_rgb("coffee").astype(np.uint16) * 257
    out = colorizer.colorize(rgb16)
    assert out.dtype == np.uint16 and out.shape == rgb16.shape


def test_saturation_scales_colour_without_running_the_network(colorizer):
    rgb = real_rgb("chelsea")
    ab = colorizer.predict_ab(rgb)
    vivid = Colorizer.compose(rgb, ab, saturation=1.5)
    normal = Colorizer.compose(rgb, ab, saturation=1.0)
    gray = Colorizer.compose(rgb, ab, saturation=0.0)
    chroma = [np.abs(lab.rgb_to_lab(x)[:, :, 1:]).mean() for x in (gray, normal, vivid)]
    assert chroma[0] < 0.5 < chroma[1] < chroma[2]
    assert np.array_equal(normal, colorizer.colorize(rgb))


def test_sepia_input_uses_only_its_l(colorizer):
    rgb = real_rgb("astronaut")
    gray = np.repeat(lab.rgb_to_l(rgb)[:, :, None], 3, 2)
    l_gray = lab.rgb_to_l(
        lab.compose_l_ab(gray[:, :, 0], np.zeros(gray.shape[:2] + (2,), np.float32), np.uint8)
    )
    sepia = lab.compose_l_ab(
        gray[:, :, 0],
        np.dstack(
            [np.full(gray.shape[:2], 8, np.float32), np.full(gray.shape[:2], 20, np.float32)]
        ),
        np.uint8,
    )
    out_sepia = colorizer.colorize(sepia)
    out_gray = colorizer.colorize(
        lab.compose_l_ab(l_gray, np.zeros(gray.shape[:2] + (2,), np.float32), np.uint8)
    )
    assert np.abs(out_sepia.astype(int) - out_gray).mean() < 2.0


def test_unknown_device_is_a_clear_error(tiny_model_path):
    with pytest.raises(ColorizerError, match="device"):
        Colorizer(tiny_model_path, device="tpu")


def test_a_models_own_colour_strength_scales_its_colour(tmp_path, tiny_model_path):
    import torch

    from colorizer_app.model.model_file import write_payload

    payload = torch.load(tiny_model_path, map_location="cpu", weights_only=True)
    payload["config"]["colour_strength"] = 0.5
    calmer = write_payload(tmp_path / "calmer.pt", payload)
    rgb = real_rgb("coffee")
    full = Colorizer(tiny_model_path, device="cpu").predict_ab(rgb)
    half = Colorizer(calmer, device="cpu").predict_ab(rgb)
    assert np.allclose(half, full * 0.5, atol=1e-4)
    payload["config"]["colour_strength"] = -1.0
    with pytest.raises(ColorizerError, match="colour_strength"):
        Colorizer(write_payload(tmp_path / "bad.pt", payload), device="cpu")


def test_a_network_in_memory_colours_as_its_file_does(tiny_model_path):
    """Training judges and previews a network as it learns through the same constructor."""
    from colorizer_app.engine.colorizer import Colorizer
    from colorizer_app.model.model_file import build_model, read_model_file

    from_file = Colorizer(tiny_model_path, device="cpu")
    net = build_model(read_model_file(tiny_model_path))
    in_memory = Colorizer(net, device="cpu")
    assert in_memory.net is net and in_memory.model_file is None
    assert in_memory.inference_size == from_file.inference_size
    rgb = real_rgb("coffee")[::2, ::2]
    assert np.array_equal(in_memory.colorize(rgb), from_file.colorize(rgb))
