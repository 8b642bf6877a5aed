"""The window's controllers on their own: the real colorize worker on its thread, real photos,
the tiny model, files written to disk; no window around them."""

import shutil

import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from colorizer_app.gui.app_settings import AppSettings
from colorizer_app.gui.batch_controller import BatchController
from colorizer_app.gui.model_controller import ModelController
from colorizer_app.gui.photo_list import PhotoListModel, PhotoState
from colorizer_app.gui.save_controller import SaveController
from colorizer_app.gui.save_options import SaveOptions
from colorizer_app.gui.worker import colorize_host
from tests.conftest import ROOT

from .conftest import WorkerGate


@pytest.fixture
def worker(tiny_model_path):
    host = colorize_host()
    host.worker.model_requested.emit(str(tiny_model_path), "cpu")
    yield host.worker
    host.stop(5.0)


@pytest.fixture
def jobs(qtbot, tmp_path, photo_dir, worker):
    """A batch and a save controller over one list of three photos and a broken file."""
    host = QWidget()  # the save's dialogs would open over it
    qtbot.addWidget(host)
    photos = PhotoListModel()
    files = [photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more/photo2.jpg"]
    photos.add([*files, photo_dir / "broken.jpg"])
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    batch = BatchController(photos, worker)
    saving = SaveController(photos, worker, settings, host)
    return photos, batch, saving


def _idle(qtbot, *controllers):
    qtbot.waitUntil(lambda: not any(c.pending for c in controllers), timeout=120_000)


def test_a_save_during_a_batch_keeps_each_ones_own_count(qtbot, tmp_path, worker, jobs):
    """A save of the first photo while the rest are colorized: the batch still says how its own
    photos went, the save writes its file; neither counts the other's jobs."""
    photos, batch, saving = jobs
    first = photos.items[0]
    ended, said = [], []
    batch.ended.connect(ended.append)
    saving.status.connect(said.append)
    gate = WorkerGate(worker)
    batch.colorize(photos.items)
    assert batch.pending == 4 and [it.state for it in photos.items] == [PhotoState.QUEUED] * 4
    qtbot.waitUntil(lambda: first.result is not None, timeout=120_000)  # the rest wait
    out = tmp_path / "out"
    assert saving.save([first], SaveOptions(folder=out, fmt="png")) == 1
    assert (saving.pending, saving.total, batch.total) == (1, 1, 4)
    gate.release()
    _idle(qtbot, batch, saving)

    assert ended == ["Colorized 3 of 4 photos; 1 failed (hover a photo for the reason)."]
    assert [it.state for it in photos.items] == [PhotoState.DONE] * 3 + [PhotoState.FAILED]
    assert "broken.jpg" in photos.items[3].error
    assert (saving.done, saving.total) == (1, 1) and said[
        -1
    ] == f"Saved photo0_colorized.png in {out}"
    written = out / "photo0_colorized.png"
    assert first.saved_to == str(written)
    assert Image.open(written).size == Image.open(first.path).size


def test_cancel_skips_what_both_queued(qtbot, tmp_path, worker, jobs):
    """The worker's queue is one: a cancel skips the queued photos and the queued save alike,
    and each controller's count says so."""
    photos, batch, saving = jobs
    first = photos.items[0]
    ended = []
    batch.ended.connect(ended.append)
    gate = WorkerGate(worker)
    batch.colorize(photos.items[:3])
    qtbot.waitUntil(lambda: first.result is not None, timeout=120_000)
    out = tmp_path / "out"
    assert saving.save([first], SaveOptions(folder=out, fmt="png")) == 1
    worker.cancel_queued()
    gate.release()
    _idle(qtbot, batch, saving)

    assert ended == ["Colorized 1 of 3 photos; 2 cancelled."]
    assert [it.state for it in photos.items[:3]] == [PhotoState.DONE] + [PhotoState.ADDED] * 2
    assert saving.done == 1 and not out.exists() and first.saved_to == ""
    batch.colorize(photos.items[1:2])  # after a cancel, new work runs
    _idle(qtbot, batch)
    assert photos.items[1].state == PhotoState.DONE and ended[-1] == "Colorized 1 of 1 photo."


def test_a_model_chosen_before_torch_has_loaded_stays_chosen(
    qtbot, tmp_path, worker, tiny_model_path, monkeypatch
):
    """A script (the screenshots, the GUI benchmark) chooses a model at once: when the worker's
    first answer lists the models, the choice holds; it is not replaced by the settings' one."""
    from colorizer_app.core.paths import user_models_dir

    monkeypatch.setenv("COLORIZER_MODELS_DIR", str(tmp_path / "no-builtin"))
    user = user_models_dir()
    user.mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_model_path, user / "first.pt")
    second = user / "second.pt"
    shutil.copy(tiny_model_path, second)
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    models = ModelController(worker, settings)
    chosen = []
    models.model_chosen.connect(chosen.append)
    models.start()
    models.choose(str(second))  # before the worker's answer has come back
    assert not models.engine_ready
    qtbot.waitUntil(lambda: models.engine_ready, timeout=120_000)
    assert models.current_model() == str(second)
    assert models.model_combo.currentText() == "second (yours)"
    assert chosen[-1] == str(second)


def test_a_narrow_photo_list_shows_names_under_the_thumbnails(qtbot):
    """At 200% with a side panel open the list was about 130 px wide and a name beside its
    thumbnail read "bu…g": where the list is narrow the name and state go under the
    thumbnail, across the whole width; where it is wide, beside it as before."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    from colorizer_app.gui.photo_list import photo_list_view

    samples = sorted((ROOT / "resources" / "samples").glob("*.jpg"))
    photos = PhotoListModel()
    photos.add(samples)
    # Shown with its state ("done, with a note"), the last still "added" (name only): the rows
    # were sized from the last one, and the others' state was cut off (a review).
    for item in photos.items[:-1]:
        item.state = PhotoState.DONE
    view = photo_list_view(photos)
    qtbot.addWidget(view)
    view.show()

    def name_rect(width: int):
        """(where the first photo's name is drawn, the row's height, the list's inner width)"""
        view.resize(width, 600)
        qtbot.wait(50)
        index = photos.index(0)
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = view.visualRect(index)
        option.decorationSize = view.iconSize()  # as the view gives its delegate
        view.itemDelegate().initStyleOption(option, index)
        rect = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        return rect, option.rect.height(), view.viewport().width()

    name = photos.shown_name(photos.items[0])
    needs = QFontMetrics(view.font()).horizontalAdvance(name)
    narrow, narrow_height, inner = name_rect(150)
    # The whole width of the list, and inside it (beside the thumbnail it had a third of it,
    # and ran past the list's edge).
    assert narrow.left() >= 0 and narrow.right() <= inner, (narrow, inner)
    assert narrow.width() >= 0.9 * inner, (narrow, inner)
    two_lines = 2 * QFontMetrics(view.font()).lineSpacing()
    assert narrow.height() >= two_lines, (narrow, two_lines)  # name and state both
    wide, wide_height, inner = name_rect(420)
    assert wide.width() >= needs and wide.right() <= inner
    assert wide_height < narrow_height  # beside: the rows are lower
