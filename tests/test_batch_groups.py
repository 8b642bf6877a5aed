"""Small photos of a batch are colorized in groups (the network once for several): each photo
comes out as it does alone, a bad photo fails alone, and the lines keep the photos' order."""

import cv2
import numpy as np

from colorizer_app.core.imageio import load_image
from colorizer_app.engine import batch
from colorizer_app.engine.batch import plan_jobs, run_jobs
from colorizer_app.engine.colorizer import Colorizer


def _gray_scans(data_dir, folder, names):
    folder.mkdir()
    for name in names:
        bgr = cv2.imread(str(data_dir / "kodak24" / f"{name}.png"))
        cv2.imwrite(str(folder / f"{name}.jpg"), cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    return folder


def test_grouped_photos_come_out_as_each_alone(data_dir, tiny_model_path, tmp_path):
    names = ["kodim01", "kodim02", "kodim03", "kodim04", "kodim05", "kodim06"]
    album = _gray_scans(data_dir, tmp_path / "album", names)
    (album / "kodim03b.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    colorizer = Colorizer(tiny_model_path, device="cpu")
    lines = []
    out = tmp_path / "out"
    result = run_jobs(
        colorizer,
        plan_jobs([album], out, fmt="png"),
        on_progress=lambda i, job, status: lines.append((i, job.source.stem, status)),
    )
    assert [i for i, _, _ in lines] == list(range(1, 8))
    assert [stem for _, stem, _ in lines] == sorted(names + ["kodim03b"])
    assert [s.startswith("failed") for _, stem, s in lines] == [
        stem == "kodim03b" for _, stem, _ in lines
    ]
    assert len(result.done) == 6 and len(result.failed) == 1
    for name in names:
        grouped = load_image(out / f"{name}_colorized.png").rgb.astype(int)
        alone = colorizer.colorize(load_image(album / f"{name}.jpg").rgb).astype(int)
        assert np.abs(grouped - alone).max() <= 1, name
        assert np.abs(grouped[:, :, 0] - grouped[:, :, 2]).mean() > 1  # it has colour


def test_a_stop_between_photos_of_a_group_leaves_the_rest_unstarted(
    data_dir, tiny_model_path, tmp_path, monkeypatch
):
    monkeypatch.setattr(batch, "GROUP_SIZE", 4)
    album = _gray_scans(data_dir, tmp_path / "album", ["kodim07", "kodim08", "kodim09"])
    lines = []
    result = run_jobs(
        Colorizer(tiny_model_path, device="cpu"),
        plan_jobs([album], tmp_path / "out"),
        on_progress=lambda i, job, status: lines.append(status),
        should_stop=lambda: len(lines) >= 1,
    )
    assert lines == ["done"] and len(result.done) == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["kodim07_colorized.jpg"]
