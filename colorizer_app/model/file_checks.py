"""Everything a model file is checked for before a network is built from it: what is at the path,
the format version, the structure, every setting in range, the weights' checksum, and the weights
against the network the settings describe (built on torch's meta device, so a file that claims
enormous layers is refused before any memory is taken). Each failure is one line naming the file.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import torch

from ..core.errors import ModelError
from .backbones import REGISTRY
from .colour_knobs import COLOUR_KNOBS, colour_knob_ok, colour_knob_range
from .encoders import ENCODERS
from .ensemble import can_be_member
from .hybrid import HybridConfig
from .networks import HEADS, build_network

FORMAT_TAG = "colorizer-model"
FORMAT_VERSION = 1
# The paper's full preset (three classifiers) has 194 million weights; a config asking for more
# than twice that is damaged or hostile, and is refused before any of it is allocated.
MAX_WEIGHTS = 400_000_000
_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

Bad = Callable[[str], ModelError]


def check_is_a_file(path: Path) -> None:
    """A ModelError naming what is at `path` when it is not a regular file. Checked before it is
    opened: opening a FIFO for reading waits for a writer that never comes."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ModelError(
            f"model file not found: {path}; check the path or `colorizer models list`"
        ) from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if stat.S_ISREG(mode):
        return
    what = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    raise ModelError(f"{path} is {what}, not a model file; give the path of a .pt model file")


def check_version(path: Path, version: object) -> None:
    if version is None:
        raise ModelError(
            f"{path}: no format version (damaged, or written by something other than "
            "Colorizer); use another file or train it again"
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelError(
            f"{path}: unknown model format version {str(version)[:40]!r} (damaged, or not a "
            "Colorizer model); use another file or train it again"
        )
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {version} is newer than this app reads "
            f"({FORMAT_VERSION}); update Colorizer"
        )


def raw_bytes(t: torch.Tensor) -> bytes:
    """A tensor's values as stored, byte for byte (what the digests and sharing compare)."""
    t = t.detach().cpu().contiguous()
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""


def weights_digest(state: dict) -> str:
    """sha256 over every weight's name, dtype, shape and bytes: what a model file stores of itself
    so that a damaged or edited file is refused on load, not run."""
    h = hashlib.sha256()
    for key in sorted(state):
        t = state[key]
        h.update(f"{key}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(raw_bytes(t))
    return h.hexdigest()


def validated(path: Path, payload: dict) -> tuple[HybridConfig, dict, str, dict]:
    """The whole structure checked before anything is built from it: one clear line if not."""

    def bad(what: str) -> ModelError:
        return ModelError(
            f"{path}: malformed model file ({what}); use another file or train it again"
        )

    for key in ("config", "state_dict", "preset"):
        if key not in payload:
            raise bad(f"no {key!r}")
    raw, state, metadata = payload["config"], payload["state_dict"], payload.get("metadata")
    if not isinstance(raw, dict):
        raise bad("config is not a table of settings")
    if not isinstance(state, dict) or not state:
        raise bad("weights are not a table of tensors")
    if not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise bad("weights hold something other than named tensors")
    if metadata is not None and not isinstance(metadata, dict):
        raise bad("metadata is not a table")
    if not isinstance(payload["preset"], str):
        raise bad("preset is not a name")
    try:
        config = HybridConfig.from_dict(raw)
    except (TypeError, ValueError) as exc:
        raise bad(f"config: {exc}") from exc
    check_config(config, bad)
    stored = sum(t.numel() for t in state.values())  # before any is copied (a view can be huge)
    if stored > MAX_WEIGHTS:
        raise bad(f"{stored / 1e6:,.0f} million weights; no Colorizer model has that many")
    metadata = dict(metadata or {})
    # Without its checksum an edited file would run: every file this app writes has one.
    if not isinstance(metadata.get("weights_sha256"), str):
        raise ModelError(
            f"{path}: no checksum of its weights (edited, or written by something other than "
            "Colorizer), so it is not run; use another copy or train it again"
        )
    if metadata["weights_sha256"] != weights_digest(state):
        raise ModelError(
            f"{path}: its weights do not match the checksum stored with them "
            "(the file was damaged or altered); use another copy or train it again"
        )
    check_weights_fit(config, state, bad)
    for key, t in state.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ModelError(
                f"{path}: weight {key!r} holds NaN or infinite values (a diverged "
                "or damaged model); use another file or train it again"
            )
    return config, state, payload["preset"], metadata


def check_weights_fit(config: HybridConfig, state: dict, bad: Bad) -> None:
    """The network the config describes, built on torch's meta device (shapes and dtypes, no
    memory), against the file's weights: the same names, shapes, and kinds of number. A config
    that claims enormous layers is refused here, before a byte of them is allocated."""
    try:
        with torch.device("meta"):
            expected = build_network(config, pretrained_backbones=False).state_dict()
    except (TypeError, ValueError, RuntimeError, KeyError, ModelError) as exc:
        raise bad(f"its settings describe no network this app can build: {exc}") from exc
    count = sum(t.numel() for t in expected.values())
    if count > MAX_WEIGHTS:
        raise bad(
            f"its settings describe a network of {count / 1e6:,.0f} million weights; no "
            f"Colorizer model has more than {MAX_WEIGHTS / 1e6:,.0f} million"
        )
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        first = f"{missing[0]!r} missing" if missing else f"{extra[0]!r} unexpected"
        raise bad(
            f"its weights do not fit its settings: {len(missing)} missing, {len(extra)} "
            f"unexpected (first: {first[:120]})"
        )
    for key, want in expected.items():
        got = state[key]
        if tuple(got.shape) != tuple(want.shape):
            raise bad(
                f"weight {key!r} is {tuple(got.shape)}, its settings need {tuple(want.shape)}"
            )
        if want.dtype in _FLOATS:
            ok = got.dtype in _FLOATS  # stored in half precision or full, loaded as float32
        else:
            ok = got.dtype == want.dtype
        if not ok:
            raise bad(f"weight {key!r} holds {got.dtype} numbers where {want.dtype} belong")


def check_config(config: HybridConfig, bad: Bad, member: bool = False) -> None:
    """Every setting a network is built from, in range; an ensemble's members each in turn."""
    widths = [*config.encoder_channels, config.fusion_channels, *config.decoder_channels]
    if not all(isinstance(c, int) and 0 < c <= 4096 for c in widths):
        raise bad("channel counts must be positive whole numbers")
    if not isinstance(config.backbones, list) or not all(
        isinstance(b, str) for b in config.backbones
    ):
        raise bad("backbones must be a list of names")
    unknown = [b for b in config.backbones if b not in REGISTRY]
    if unknown:
        raise bad(f"unknown classifier {unknown[0]!r}")
    if config.encoder not in ENCODERS or config.head not in HEADS:
        raise bad(f"unknown encoder {config.encoder!r} or head {config.head!r}")
    if not (isinstance(config.inference_size, int) and 32 <= config.inference_size <= 4096):
        raise bad("inference_size must be a whole number of pixels from 32 to 4096")
    for name in COLOUR_KNOBS:
        if not colour_knob_ok(name, getattr(config, name)):
            raise bad(f"{name} must be {colour_knob_range(name)}")
    if not (isinstance(config.fusion_dropout, (int, float)) and 0 <= config.fusion_dropout < 1):
        raise bad("fusion_dropout must be in [0, 1)")
    if not isinstance(config.hint_inputs, bool):
        raise bad("hint_inputs must be true or false")
    if config.hint_inputs and (not config.pretrained_encoder or config.members):
        raise bad("only a pretrained-encoder model (the scenes preset) can take hint inputs")
    if not isinstance(config.members, list) or (member and config.members):
        raise bad("members must be a list of model settings, one level deep")
    if config.members and len(config.members) < 2:
        raise bad("an ensemble needs at least two members")
    for raw in config.members:
        if not isinstance(raw, dict):
            raise bad("a member's settings are not a table")
        try:
            member_config = HybridConfig.from_dict(raw)
        except (TypeError, ValueError) as exc:
            raise bad(f"member config: {exc}") from exc
        check_config(member_config, bad, member=True)  # a nested ensemble is refused here
        if not can_be_member(member_config):
            raise bad("ensemble members must be pretrained-encoder models with a bins head")
