"""Which torch device to run on: CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import torch

from .errors import ColorizerError


def pick_device(requested: str = "auto") -> torch.device:
    requested = (requested or "auto").lower()
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise ColorizerError(
            "device 'cuda' asked for, but no CUDA GPU is available; use --device cpu"
        )
    mps = getattr(torch.backends, "mps", None)
    if requested == "mps" and not (mps and mps.is_available()):
        raise ColorizerError("device 'mps' asked for, but it is not available; use --device cpu")
    try:
        return torch.device(requested)
    except RuntimeError as exc:
        raise ColorizerError(f"unknown device {requested!r}; use auto, cpu, cuda or mps") from exc


def describe_device(device: torch.device) -> str:
    """A name a person recognises: the GPU's model, or 'CPU'."""
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "GPU: Apple (MPS)"
    return "CPU"


def available_devices() -> list[tuple[str, str]]:
    """(label, value) of every device this machine can run on, Automatic and CPU first. Asking
    starts CUDA, which takes a moment: the app asks on its worker thread, never the GUI's."""
    devices = [("Automatic", "auto"), ("CPU", "cpu")]
    if torch.cuda.is_available():
        devices.append((describe_device(torch.device("cuda")), "cuda"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(("GPU: Apple (MPS)", "mps"))
    return devices


def leave_a_core_free() -> None:
    """The desktop app's worker: torch's CPU pool one core short of all, so the GUI thread always
    has one (with every core busy, a menu waited up to 0.4 s during a batch on two cores)."""
    import os

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
