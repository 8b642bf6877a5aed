"""`colorizer evaluate`, which makes the README's tables: the evaluate protocol on real photos
with a real model, the gray baseline beside it, and each model's share of photos coloured more
than 1 dB worse than no colour at all."""

import csv

import cv2
import numpy as np
from PIL import Image

from colorizer_app.core import lab
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.training.data import scan_folders
from colorizer_app.training.evaluate import GRAY, evaluate
from colorizer_app.training.metrics import psnr

from .conftest import run_main


def _photos(folder, data_dir, n=6):
    folder.mkdir()
    for src in sorted((data_dir / "kodak24").glob("*.png"))[:n]:
        Image.open(src).resize((128, 128)).save(folder / src.name)
    return folder


def test_the_share_below_gray_counts_each_photo_against_its_own_gray(tmp_path, data_dir):
    photos = scan_folders([_photos(tmp_path / "p", data_dir)], keep_side=256).usable
    model = Colorizer("default", device="cpu")
    result = evaluate({"default": model}, photos, sample_count=0)
    gray_row, row = result.rows
    assert gray_row.model == GRAY and gray_row.colorfulness < 0.5
    # By hand: each photo at 256 x 256, colorized from its L, against its own gray print.
    below = []
    for photo in photos:
        truth = cv2.resize(photo.pixels, (256, 256), interpolation=cv2.INTER_AREA)
        l = lab.rgb_to_l(truth)
        gray = lab.compose_l_ab(l, np.zeros(l.shape + (2,), np.float32), np.uint8)
        out = model.colorize(gray)
        below.append(psnr(out, truth) < psnr(gray, truth) - 1.0)
    assert row.below_gray == np.mean(below)
    assert 0.0 <= row.below_gray <= 1.0


def test_the_command_prints_the_table_and_writes_the_csv(tmp_path, data_dir):
    folder = _photos(tmp_path / "kodak", data_dir, n=4)
    out = tmp_path / "scores.csv"
    r = run_main(
        "evaluate", folder, "--model", "default", "--csv", out, "--grid", tmp_path / "g.jpg"
    )
    assert r.returncode == 0, r.stderr
    assert "(4 photos, 256x256" in r.stdout and "below gray" in r.stdout
    rows = list(csv.DictReader(out.open()))
    assert [row["model"] for row in rows] == [GRAY, "default"]
    assert all(row["n"] == "4" for row in rows)
    # The table a person copies into the README says what the CSV says, row by row.
    table = {
        cells[0]: cells[1:]
        for line in r.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| model")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(table) == {GRAY, "default"}, r.stdout
    for row in rows:
        cells = table[row["model"]]  # PSNR, SSIM, RMSE ab, RMSE ab unit, CF, delta CF, below
        assert cells[0] == f"{float(row['psnr']):.2f}" and cells[1] == f"{float(row['ssim']):.4f}"
        assert cells[4] == f"{float(row['colorfulness']):.1f}"
    assert table["default"][6] == f"{100 * float(rows[1]['below_gray']):.0f}%"
    assert float(rows[1]["colorfulness"]) > float(rows[0]["colorfulness"])
    grid = cv2.imread(str(tmp_path / "g.jpg"))  # input | the models | truth, a row per photo
    assert grid.shape[1] % 160 == 0 and grid.shape[1] >= 3 * 160
    assert (grid.shape[0] - 24) % 160 == 0 and grid.shape[0] > 24


def test_models_and_folders_named_alike_are_kept_apart_and_a_bad_grid_is_said_first(
    tmp_path, data_dir, tiny_model_path
):
    """A review: two models named model.pt (runs/a, runs/b) were scored as one; two data
    folders named test wrote one grid and one CSV over the other; --grid g.pdf crashed after
    the whole evaluation, writing no CSV."""
    import shutil

    for run in ("a", "b"):
        (tmp_path / "runs" / run).mkdir(parents=True)
        shutil.copy(tiny_model_path, tmp_path / "runs" / run / "model.pt")
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = _photos(tmp_path / "x" / "test", data_dir, n=2)
    second = _photos(tmp_path / "y" / "test", data_dir, n=2)
    models = (
        "--model",
        tmp_path / "runs" / "a" / "model.pt",
        "--model",
        tmp_path / "runs" / "b" / "model.pt",
    )
    bad = run_main("evaluate", first, *models, "--grid", tmp_path / "g.pdf")
    assert bad.returncode == 2 and "--grid" in bad.stderr and ".png" in bad.stderr, bad.stderr

    r = run_main(
        "evaluate",
        first,
        second,
        *models,
        "--csv",
        tmp_path / "s.csv",
        "--grid",
        tmp_path / "g.png",
    )
    assert r.returncode == 0, r.stderr
    for folder in ("x-test", "y-test"):
        rows = list(csv.DictReader((tmp_path / f"s-{folder}.csv").open()))
        assert [row["model"] for row in rows] == [GRAY, "a-model", "b-model"], rows
        assert (tmp_path / f"g-{folder}.png").is_file()
