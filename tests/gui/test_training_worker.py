"""The advanced panel's worker takes the one settings shape `colorizer train` builds: the app can
start any training the command can (issue 25)."""

from __future__ import annotations

from PIL import Image

from colorizer_app.gui.training_worker import TrainingWorker
from colorizer_app.model.model_file import read_model_file
from colorizer_app.training.settings import TrainSettings


def test_the_worker_trains_a_preset_from_train_settings(qtbot, tmp_path, data_dir):
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:10]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    worker = TrainingWorker()
    steps: list[int] = []
    worker.progress.connect(lambda step, *_: steps.append(step))
    failed: list[str] = []
    worker.failed.connect(failed.append)
    out = tmp_path / "from-the-app.pt"
    settings = TrainSettings(
        [folder], out, preset="tiny", steps=3, epochs=100, size=48, batch_size=4, device="cpu"
    )
    with qtbot.waitSignal(worker.finished, timeout=300_000) as finished:
        worker.train_requested.emit(settings)  # the worker's own slot, as the panel would ask
    assert not failed
    result = finished.args[0]
    assert result["path"] == str(out) and result["steps"] == 3 and steps == [1, 2, 3]
    model = read_model_file(out)
    assert model.preset == "tiny" and model.metadata["steps"] == 3
