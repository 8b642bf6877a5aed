"""The photos pane with thousands of photos: adding them and answering every thumbnail and job
signal. Measured, not asserted: the GUI thread must stay far below a second."""

from __future__ import annotations

import time

from colorizer_app.gui.photo_list import PhotoListModel


def test_thousands_of_photos_in_the_list(qapp, tmp_path):
    paths = [tmp_path / f"scan{i:05d}.jpg" for i in range(5000)]
    for p in paths:
        p.write_bytes(b"")
    model = PhotoListModel()
    start = time.perf_counter()
    items = model.add(paths)
    for p in paths:  # one thumbnail signal per photo
        model.changed(model.item_for_path(str(p)))
    for item in items:  # one started and one finished signal per photo
        job = model.new_job(item)
        model.changed(model.item_for_job(job))
        model.forget_job(job)
    seconds = time.perf_counter() - start
    assert len(model.items) == 5000
    print(f"\nphoto list: 5000 photos added, thumbnails and jobs answered in {seconds:.2f} s")
