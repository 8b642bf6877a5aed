"""Help > About: the app, the paper, and where the current model came from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__


def provenance_html(model_file) -> str:
    """Where a model came from, from its file's config and metadata (read on the worker)."""
    meta = model_file.metadata
    val = meta.get("val") or {}
    config = model_file.config
    parts = config.backbones if config.encoder == "own" else [f"{config.encoder} (encoder)"]
    return (
        f"<b>Model:</b> {Path(model_file.path).stem if model_file.path else model_file.preset} "
        f"(preset {model_file.preset}; classifiers {', '.join(parts) or 'none'})<br>"
        f"{meta.get('description', '')}<br>"
        f"Trained: {meta.get('steps', '?')} steps on "
        f"{', '.join(Path(d).name for d in meta.get('data', [])) or 'unknown data'}"
        + (f"; validation PSNR {val['psnr']:.2f} dB" if "psnr" in val else "")
    )


def show_about(parent: QWidget, provenance: str, device_text: str) -> None:
    """`provenance` comes from the colorize worker when it loaded the model: nothing here reads
    or hashes a model file on the GUI thread."""
    QMessageBox.about(
        parent,
        "About Colorizer",
        f"<h3>Colorizer {__version__}</h3>"
        "<p>Gives old black-and-white photographs their colour back.</p>"
        "<p>The deep hybrid model of Kiani, Hemmatpour and Rastgoo (JADM 2021): a "
        "convolutional encoder, the averaged outputs of frozen pretrained classifiers fused "
        "into it, and a decoder that predicts colour (CIE Lab a, b).</p>"
        f"<p>{provenance or '<b>Model:</b> not loaded yet'}</p>"
        f"<p>Device: {device_text or 'not loaded yet'}</p>",
    )
