"""Help > About: the app, the paper, and where the current model came from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__


def _trained_on(meta: dict) -> str:
    """What the model learnt from: a fine-tune's own folders and its held-out scores, else the
    training data it names."""
    steps = meta.get("steps", "?")
    if meta.get("finetune_data"):
        folders = ", ".join(Path(d).name for d in meta["finetune_data"])
        how = "Retrained" if meta.get("mode") == "retrain" else "Fine-tuned"
        line = (
            f"{how} from {meta.get('base_model', 'a built-in model')}: {steps} steps on {folders}"
        )
        if "val_psnr_before" in meta and "val_psnr_after" in meta:
            line += (
                f"; held-out PSNR {meta['val_psnr_before']:.2f} dB before → "
                f"{meta['val_psnr_after']:.2f} dB after"
            )
        return line
    data = ", ".join(Path(d).name for d in meta.get("data", [])) or "data it does not name"
    val = meta.get("val") or {}
    return f"Trained: {steps} steps on {data}" + (
        f"; validation PSNR {val['psnr']:.2f} dB" if "psnr" in val else ""
    )


def provenance_html(model_file) -> str:
    """Where a model came from, from its file's config and metadata (read on the worker)."""
    meta = model_file.metadata
    config = model_file.config
    parts = [f"{config.encoder} (encoder)"] if config.pretrained_encoder else config.backbones
    return (
        f"<b>Model:</b> {Path(model_file.path).stem if model_file.path else model_file.preset} "
        f"(preset {model_file.preset}; classifiers {', '.join(parts) or 'none'})<br>"
        f"{meta.get('description', '')}<br>{_trained_on(meta)}"
    )


def show_about(parent: QWidget, provenance: str, device_text: str) -> None:
    """`provenance` comes from the colorize worker when it loaded the model: nothing here reads
    or hashes a model file on the GUI thread. `device_text`: where the model runs ("CPU", the
    GPU's name), as the worker said."""
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
