"""What every training pipeline (train.py, scenes.py) shares: its result, how a caller shows a
long stage, the scan of the photos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from .data import ScanReport, scan_folders
from .loop import History

T = TypeVar("T")
# A stage's work is given its progress callback (done, total), or None for none.
Work = Callable[[Callable[[int, int], None] | None], T]


class Stage(Protocol):
    """(label, work) -> work's result: how a caller shows a long stage (a CLI bar)."""

    def __call__(self, label: str, work: Work[T], /) -> T: ...


@dataclass
class TrainResult:
    path: Path | None  # None on every process but the first
    history: History
    report: ScanReport | None  # None when streaming (nothing is scanned up front)
    train_count: int
    held_out_count: int
    scores: str = ""  # how the written model scores, said after it

    @property
    def last_val(self) -> dict:
        return self.history.val[-1] if self.history.val else {}


def plain(label: str, work: Work[T]) -> T:
    return work(None)


def scan_training_photos(
    data: list[Path],
    keep_side: int,
    min_colorfulness: float,
    split_by: str,
    limit: int | None,
    per_folder: int | None,
    stage: Stage = plain,
    on_status: Callable[[str], None] | None = None,
) -> ScanReport:
    """The training photos of DATA, and what was left out said (every training pipeline)."""
    report = stage(
        "scan",
        lambda cb: scan_folders(
            [Path(d) for d in data],
            keep_side=keep_side,
            min_colorfulness=min_colorfulness,
            split_by=split_by,
            limit=limit,
            per_folder=per_folder,
            on_progress=cb,
        ),
    )
    status = on_status or (lambda _msg: None)
    status(f"Photos: {report.summary()}")
    for _path, reason in report.unreadable[:20]:
        status(f"  unreadable: {reason}")
    return report
