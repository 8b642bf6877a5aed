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


def test_psnr_loss_guards_neutral_photos_more_than_colourful_ones():
    """The same colour error costs more on a photo that is otherwise right (a white wall) than
    on one already far off: that is how PSNR averaged over photos scores, and plain MSE not."""
    from colorizer_app.training.losses import compute_loss

    l = torch.zeros(2, 1, 8, 8)
    target = torch.zeros(2, 2, 8, 8)
    pred = target.clone()
    pred[1] += 0.2  # photo 1 already has a large error, photo 0 none
    extra = torch.zeros_like(pred)
    on_right, on_wrong = extra.clone(), extra.clone()
    on_right[0] += 0.05
    on_wrong[1] += 0.05
    for name, guards in (("psnr", True), ("mse", False)):
        base = compute_loss(name, pred, target, l)
        cost_right = compute_loss(name, pred + on_right, target, l) - base
        cost_wrong = compute_loss(name, pred + on_wrong, target, l) - base
        assert (cost_right > 2 * cost_wrong) == guards, name


def test_colourfulness_term_charges_a_dull_prediction_only():
    """--cf-weight adds a cost for falling short of the truth's colourfulness, none for matching."""
    import cv2

    from colorizer_app.training.data import lab_pair
    from colorizer_app.training.losses import compute_loss

    l, ab = lab_pair(cv2.resize(real_rgb("astronaut"), (64, 64), interpolation=cv2.INTER_AREA))
    l, ab = l[None], ab[None]
    dull = ab * 0.3
    for name in ("psnr", "vivid"):
        assert compute_loss(name, dull, ab, l, cf_weight=1.0) > compute_loss(name, dull, ab, l, 0.0)
        exact = compute_loss(name, ab, ab, l, cf_weight=1.0)
        assert torch.isclose(exact, compute_loss(name, ab, ab, l, cf_weight=0.0))
