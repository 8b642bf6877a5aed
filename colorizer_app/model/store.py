"""Model files: one file holds the format tag, preset and config, every weight, and metadata.

Read with `torch.load(weights_only=True)`, never plain pickle. Shipped models are named in
`models/manifest.json` with their sha256; a user's models live in the platform's app-data folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from ..core.errors import ModelError
from ..core.fileio import write_atomically
from ..core.paths import shipped_models_dir, user_models_dir
from .backbones import REGISTRY
from .colour_knobs import COLOUR_KNOBS, colour_knob_ok, colour_knob_range
from .ensemble import can_be_member, ensemble_config
from .hybrid import HybridConfig
from .networks import ENCODERS, HEADS, Network, build_network
from .shipped import check_not_builtin

FORMAT_TAG = "colorizer-model"
FORMAT_VERSION = 1
MODEL_SUFFIX = ".pt"
DEFAULT_MODEL = "default"


@dataclass
class ModelFile:
    path: Path | None
    preset: str
    config: HybridConfig
    state_dict: dict[str, torch.Tensor]
    metadata: dict = field(default_factory=dict)
    training: dict | None = None  # a checkpoint's optimizer, step and the like


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(models_dir: Path | None = None) -> dict:
    models_dir = models_dir or shipped_models_dir()
    path = models_dir / "manifest.json"
    if not path.is_file():
        return {"models": {}}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc}); reinstall Colorizer") from exc


def model_payload(
    model: Network,
    preset: str,
    metadata: dict | None = None,
    half: bool = False,
    dtypes: dict[str, torch.dtype] | None = None,
) -> dict:
    """What a model file holds: format tag and version, preset and config, every weight, and
    metadata with a checksum of the weights. Checkpoints are this plus a `training` entry.
    `dtypes`: the stored dtype of each float weight named (a fine-tune keeps its source's)."""
    state = {}
    for key, value in model.state_dict().items():
        value = value.detach().cpu()
        if half and value.is_floating_point():
            value = value.half()
        elif dtypes and key in dtypes and value.is_floating_point():
            value = value.to(dtypes[key])
        state[key] = value.clone()
    state = share_identical(state)
    metadata = {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        **(metadata or {}),
        "weights_sha256": weights_digest(state),
    }
    return _payload(preset, model.config, state, metadata)


def share_identical(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The same table, with tensors of identical content made one tensor, so torch.save writes
    each once: an ensemble's members built on the same pretrained encoder carry it once."""
    seen: dict[tuple, torch.Tensor] = {}
    shared = {}
    for key, t in state.items():
        sig = (str(t.dtype), tuple(t.shape), hashlib.sha256(_raw_bytes(t)).hexdigest())
        shared[key] = seen.setdefault(sig, t)
    return shared


def _payload(preset: str, config: HybridConfig, state: dict, metadata: dict) -> dict:
    return {
        "format": FORMAT_TAG,
        "version": FORMAT_VERSION,
        "preset": preset,
        "config": config.to_dict(),
        "state_dict": state,
        "metadata": metadata,
    }


def write_payload(path: str | os.PathLike, payload: dict) -> Path:
    check_not_builtin(path)
    buf = io.BytesIO()
    torch.save(payload, buf)
    path = Path(path)
    write_atomically(path, buf.getvalue())
    return path


def save_model(
    model: Network,
    path: str | os.PathLike,
    preset: str,
    metadata: dict | None = None,
    half: bool = False,
    dtypes: dict[str, torch.dtype] | None = None,
) -> Path:
    """Write a model file atomically. `half`: float weights as float16; `dtypes`: as named."""
    return write_payload(path, model_payload(model, preset, metadata, half, dtypes))


def read_model_file(path: str | os.PathLike, expected_sha256: str | None = None) -> ModelFile:
    path = Path(path)
    _check_is_a_file(path)
    if expected_sha256 and sha256_of(path) != expected_sha256:
        raise ModelError(
            f"{path}: checksum does not match models/manifest.json (damaged or replaced); "
            "reinstall Colorizer to restore it"
        )
    try:
        with warnings.catch_warnings():  # torch's notes on odd pickles: the error says enough
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(
            f"{path}: not a readable model file (corrupt, truncated or not a Colorizer model: "
            f"{type(exc).__name__}); use another file or train it again"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_TAG:
        raise ModelError(f"{path}: not a Colorizer model file (no '{FORMAT_TAG}' tag)")
    _check_version(path, payload.get("version"))
    config, state, preset, metadata = _validated(path, payload)
    training = payload.get("training")
    return ModelFile(
        path, preset, config, state, metadata, training if isinstance(training, dict) else None
    )


def _check_is_a_file(path: Path) -> None:
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


def _check_version(path: Path, version: object) -> None:
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


def _raw_bytes(t: torch.Tensor) -> bytes:
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
        h.update(_raw_bytes(t))
    return h.hexdigest()


def _validated(path: Path, payload: dict) -> tuple[HybridConfig, dict, str, dict]:
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
    _check_config(config, bad)
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
    _check_weights_fit(config, state, bad)
    for key, t in state.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ModelError(
                f"{path}: weight {key!r} holds NaN or infinite values (a diverged "
                "or damaged model); use another file or train it again"
            )
    return config, state, payload["preset"], metadata


# The paper's full preset (three classifiers) has 194 million weights; a config asking for more
# than twice that is damaged or hostile, and is refused before any of it is allocated.
MAX_WEIGHTS = 400_000_000
_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _check_weights_fit(config: HybridConfig, state: dict, bad: Callable[[str], ModelError]) -> None:
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


def _check_config(config: HybridConfig, bad, member: bool = False) -> None:
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
    if config.hint_inputs and (config.encoder == "own" or config.members):
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
        _check_config(member_config, bad, member=True)  # a nested ensemble is refused here
        if not can_be_member(member_config):
            raise bad("ensemble members must be pretrained-encoder models with a bins head")


def build_model(model_file: ModelFile) -> Network:
    """The network from a file: backbones' weights come from the file, never downloaded."""
    try:
        model = build_network(model_file.config, pretrained_backbones=False)
    except (TypeError, ValueError, RuntimeError, KeyError) as exc:
        raise ModelError(
            f"{model_file.path}: its settings describe no network this app can "
            f"build ({exc}); use another file or train it again"
        ) from exc
    state = {k: v.float() if v.is_floating_point() else v for k, v in model_file.state_dict.items()}
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ModelError(
            f"{model_file.path}: weights do not fit preset {model_file.preset!r} ({exc})"
        ) from exc
    model.eval()
    return model


@dataclass
class ModelEntry:
    name: str
    path: Path
    kind: str  # "built-in" or "user"
    sha256: str | None = None
    description: str = ""


def list_models() -> list[ModelEntry]:
    entries: list[ModelEntry] = []
    models_dir = shipped_models_dir()
    for name, info in read_manifest(models_dir).get("models", {}).items():
        entries.append(
            ModelEntry(
                name,
                models_dir / info["file"],
                "built-in",
                info.get("sha256"),
                info.get("description", ""),
            )
        )
    user_dir = user_models_dir()
    if user_dir.is_dir():
        for p in sorted(user_dir.glob(f"*{MODEL_SUFFIX}")):
            if not p.name.startswith("."):
                entries.append(ModelEntry(p.stem, p, "user"))
    return entries


def resolve_model(name_or_path: str | os.PathLike) -> ModelEntry:
    """A model's name (built-in or user) or a path to a model file -> its entry."""
    text = str(name_or_path)
    for entry in list_models():
        if entry.name == text:
            return entry
    path = Path(text).expanduser()
    if path.suffix == MODEL_SUFFIX or path.exists() or os.sep in text:
        return ModelEntry(path.stem, path, "file")
    if text == DEFAULT_MODEL:
        raise ModelError(
            "no trained model is installed (models/default.pt is missing); reinstall Colorizer, "
            "or pass --model with a model file"
        )
    names = ", ".join(e.name for e in list_models()) or "none"
    raise ModelError(f"no model named {text!r}; installed models: {names}")


def open_model(name_or_path: str | os.PathLike) -> ModelFile:
    entry = resolve_model(name_or_path)
    return read_model_file(entry.path, expected_sha256=entry.sha256)


# ---- a person's own models: names, rename, delete, export -----------------------------------

CHECKPOINT_SUFFIX = ".ckpt"
_BAD_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)}


def valid_model_name(name: str) -> str:
    """A model's name as a person typed it -> the name, or a ModelError saying what is wrong.
    It becomes a file name, so no folder separators, control characters or leading dot."""
    name = name.strip()
    if not name:
        raise ModelError("a model needs a name")
    if len(name) > 100:
        raise ModelError("a model name can have at most 100 characters")
    bad = sorted(set(name) & _BAD_NAME_CHARS)
    if bad or name.startswith("."):
        shown = " ".join(repr(c) for c in bad) or "a leading dot"
        raise ModelError(f"a model name cannot contain {shown}; choose another name")
    return name


def user_model_path(name: str) -> Path:
    return user_models_dir() / f"{valid_model_name(name)}{MODEL_SUFFIX}"


def rename_user_model(old: str, new: str) -> Path:
    """Rename a person's model and its training checkpoint together."""
    source, target = user_model_path(old), user_model_path(new)
    if not source.is_file():
        raise ModelError(f"there is no model named {old!r} of yours")
    if target.exists() and target != source:
        raise ModelError(f"a model named {new!r} exists already; choose another name")
    try:
        source.rename(target)
        ckpt = source.with_suffix(CHECKPOINT_SUFFIX)
        if ckpt.is_file():
            ckpt.rename(target.with_suffix(CHECKPOINT_SUFFIX))
    except OSError as exc:
        raise ModelError(f"could not rename {source} ({exc.strerror or exc})") from exc
    return target


def delete_user_model(name: str) -> None:
    """Delete a person's model and its training checkpoint (built-in models are never touched)."""
    path = user_model_path(name)
    try:
        path.unlink(missing_ok=True)
        path.with_suffix(CHECKPOINT_SUFFIX).unlink(missing_ok=True)
    except OSError as exc:
        raise ModelError(f"could not delete {path} ({exc.strerror or exc})") from exc


def with_colour(
    model_file: ModelFile, dest: str | os.PathLike, note: str = "", **knobs: float
) -> Path:
    """Write a copy of a model with other colour knobs (COLOUR_KNOBS, in their ranges). The
    weights are the very same tensors, so only how its colour is shown changes; the metadata
    records what was set and `note` (why). The source is never written (a built-in model's
    checksum must hold)."""
    unknown = set(knobs) - set(COLOUR_KNOBS)
    if unknown:
        raise ValueError(f"unknown colour setting {sorted(unknown)[0]!r}")
    for name, value in knobs.items():
        if not colour_knob_ok(name, value):
            shown = name.replace("_", " ")
            raise ModelError(f"{shown} must be {colour_knob_range(name)}, not {value:g}")
    dest = Path(dest)
    if model_file.path is not None and dest.resolve() == Path(model_file.path).resolve():
        raise ModelError(f"{dest} is the model being read; write the copy to another file")
    if model_file.config.head != "bins" and set(knobs) - {"colour_strength"}:
        raise ModelError(
            "uncertain and certain strengths and the neutral prior need a model with a bins "
            "head (the scenes "
            "preset): this model names one colour per pixel and has no certainty"
        )
    config = replace(model_file.config)  # a copy, with the knobs (checked above) set on it
    for name, value in knobs.items():
        setattr(config, name, value)
    # Older records of how the colour was chosen describe the settings this copy replaces.
    metadata = {
        k: v
        for k, v in model_file.metadata.items()
        if k not in ("colour_strength_choice", "colour_strength_chosen_on")
    }
    metadata["colour_set"] = {k: getattr(config, k) for k in COLOUR_KNOBS}
    if note:
        metadata["colour_set"]["why"] = note
    return write_payload(dest, _payload(model_file.preset, config, model_file.state_dict, metadata))


def export_model(source: Path, dest: Path) -> Path:
    """Copy a model file elsewhere, atomically."""
    check_not_builtin(dest)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ModelError(f"could not read {source} ({exc.strerror or exc})") from exc
    write_atomically(Path(dest), data)
    return Path(dest)


def combine(model_files: list[ModelFile], dest: str | os.PathLike, note: str = "") -> Path:
    """Write an ensemble of trained bins-head models (model/ensemble.py): every member's weights
    under `members.<i>.`, identical tensors (a shared pretrained encoder) stored once. Colour
    settings start from the first member's; an ensemble is less sure than its members, so choose
    its own with `with_colour`. The members' files are never written."""
    if len(model_files) < 2:
        raise ModelError("an ensemble needs at least two models")
    dest = Path(dest)
    for mf in model_files:
        name = mf.path or mf.preset
        if mf.config.members:
            raise ModelError(f"{name} is an ensemble already; combine its members instead")
        if not can_be_member(mf.config):
            raise ModelError(
                f"{name}: only pretrained-encoder models with a bins head (the scenes preset) "
                "can be combined; their distributions over colours are what is averaged"
            )
        if mf.path is not None and dest.resolve() == Path(mf.path).resolve():
            raise ModelError(f"{dest} is one of the models being read; write to another file")
    state: dict[str, torch.Tensor] = {}
    for i, mf in enumerate(model_files):
        state.update({f"members.{i}.{k}": v for k, v in mf.state_dict.items()})
    state["ab_bins"] = model_files[0].state_dict["ab_bins"]
    state = share_identical(state)
    metadata = {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "trained": True,
        "description": f"{len(model_files)} models, their colour distributions averaged",
        "members": [
            {
                "file": Path(mf.path).name if mf.path else None,
                "sha256": sha256_of(Path(mf.path)) if mf.path else None,
                "description": mf.metadata.get("description", ""),
            }
            for mf in model_files
        ],
        "weights_sha256": weights_digest(state),
    }
    if note:
        metadata["note"] = note
    config = ensemble_config([mf.config for mf in model_files])
    return write_payload(dest, _payload(model_files[0].preset, config, state, metadata))
