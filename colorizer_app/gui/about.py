"""Help > About: the app, the paper, and where the current model came from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from ..engine.catalog import open_model


def show_about(parent: QWidget, model: str, device_text: str) -> None:
    try:
        mf = open_model(model)
        meta = mf.metadata
        val = meta.get("val") or {}
        provenance = (
            f"<b>Model:</b> {Path(model).stem} (preset {mf.preset}; classifiers "
            f"{', '.join(mf.config.backbones) or 'none'})<br>"
            f"{meta.get('description', '')}<br>"
            f"Trained: {meta.get('steps', '?')} steps on "
            f"{', '.join(Path(d).name for d in meta.get('data', [])) or 'unknown data'}"
            + (f"; held-out PSNR {val['psnr']:.2f} dB" if "psnr" in val else "")
        )
    except Exception as exc:
        provenance = f"<b>Model:</b> not available ({exc})"
    QMessageBox.about(
        parent,
        "About Colorizer",
        f"<h3>Colorizer {__version__}</h3>"
        "<p>Gives old black-and-white photographs their colour back.</p>"
        "<p>The deep hybrid model of Kiani, Hemmatpour and Rastgoo (JADM 2021): a "
        "convolutional encoder, the averaged outputs of frozen pretrained classifiers fused "
        "into it, and a decoder that predicts colour (CIE Lab a, b).</p>"
        f"<p>{provenance}</p><p>Device: {device_text or 'not loaded yet'}</p>",
    )
