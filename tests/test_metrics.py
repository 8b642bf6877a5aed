import numpy as np
import torch

from colorizer_app.training import metrics

from .conftest import real_rgb


def test_psnr_of_a_known_error():
    a = np.zeros((10, 10, 3), np.float32)
    b = a + 0.1  # MSE 0.01 -> 20 dB
    assert abs(metrics.psnr(a, b) - 20.0) < 1e-6
    assert metrics.psnr(a, a) == float("inf")
    u8 = np.full((4, 4, 3), 100, np.uint8)
    assert abs(metrics.psnr(u8, u8 + 10) - 10 * np.log10(255**2 / 100)) < 1e-4


def test_colourfulness_by_hand():
    gray = np.dstack([np.linspace(0, 1, 64).reshape(8, 8)] * 3).astype(np.float32)
    assert metrics.colorfulness(gray) == 0.0
    red = np.zeros((4, 4, 3), np.float32)
    red[..., 0] = 1.0  # rg = 255, yb = 127.5, no spread -> 0.3 * sqrt(255^2 + 127.5^2)
    assert abs(metrics.colorfulness(red) - 0.3 * np.hypot(255, 127.5)) < 1e-3
    photo = real_rgb("coffee")
    t = torch.from_numpy(photo.astype(np.float32).transpose(2, 0, 1) / 255)[None]
    assert abs(float(metrics.colorfulness_torch(t)[0]) - metrics.colorfulness(photo)) < 0.05


def test_ssim_and_ab_rmse():
    photo = real_rgb("astronaut")
    assert abs(metrics.ssim(photo, photo) - 1.0) < 1e-9
    assert metrics.ab_rmse(photo, photo) == (0.0, 0.0)
    rmse, unit = metrics.ab_rmse(np.full((4, 4, 3), 128, np.uint8), photo[:4, :4])
    assert rmse > 0 and abs(unit - rmse / 128) < 1e-12
