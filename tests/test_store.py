import json

import pytest
import torch

from colorizer_app.core.errors import ModelError
from colorizer_app.core.paths import user_models_dir
from colorizer_app.engine.catalog import list_models, open_model
from colorizer_app.model.hybrid import HybridColorizer
from colorizer_app.model.model_file import build_model, read_model_file, save_model, sha256_of
from colorizer_app.model.presets import get_preset

from .conftest import ROOT


def _outputs(model):
    torch.manual_seed(1)
    x = torch.rand(1, 1, 64, 96) * 2 - 1
    with torch.no_grad():
        return model.eval()(x)


def test_round_trip_gives_the_same_colours(tmp_path, tiny_model_path):
    mf = read_model_file(tiny_model_path)
    model = build_model(mf)
    again = tmp_path / "again.pt"
    save_model(model, again, "tiny", {"note": "copy"})
    mf2 = read_model_file(again)
    assert mf2.preset == "tiny" and mf2.metadata["note"] == "copy"
    assert torch.equal(_outputs(model), _outputs(build_model(mf2)))


def test_half_precision_file_is_smaller_and_close(tmp_path):
    model = HybridColorizer(get_preset("offline").config, pretrained_backbones=True)
    full, half = tmp_path / "full.pt", tmp_path / "half.pt"
    save_model(model, full, "offline")
    save_model(model, half, "offline", half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    diff = (
        (
            _outputs(build_model(read_model_file(full)))
            - _outputs(build_model(read_model_file(half)))
        )
        .abs()
        .max()
    )
    assert diff < 0.01


def test_bad_model_files_give_clear_errors(tmp_path, tiny_model_path):
    data = tiny_model_path.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00" * 1000)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes on the model\n")
    wrong = tmp_path / "wrong.pt"
    torch.save({"weights": torch.zeros(3)}, wrong)
    newer = tmp_path / "newer.pt"
    payload = torch.load(tiny_model_path, weights_only=True)
    payload["version"] = 99
    torch.save(payload, newer)
    cases = {
        truncated: "a damaged model file (truncated or corrupt",
        garbage: "not a Colorizer model file (a model is a .pt file that Colorizer wrote)",
        notes: "not a Colorizer model file (a model is a .pt file that Colorizer wrote)",
        wrong: "not a Colorizer model",
        newer: "update Colorizer",
        tmp_path / "absent.pt": "not found",
    }
    for path, words in cases.items():
        with pytest.raises(ModelError) as info:
            read_model_file(path)
        assert str(path) in str(info.value) and words in str(info.value)
        assert "KeyError" not in str(info.value)  # a pickle error's name tells a person nothing


def test_pickled_code_is_never_run(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"format": "colorizer-model", "x": Evil()}))
    with pytest.raises(ModelError, match="not a Colorizer model file"):
        read_model_file(path)


def test_shipped_models_are_checked_against_the_manifest(tmp_path, monkeypatch, tiny_model_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "default.pt").write_bytes(tiny_model_path.read_bytes())
    manifest = {
        "models": {"default": {"file": "default.pt", "sha256": sha256_of(shipped / "default.pt")}}
    }
    (shipped / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("COLORIZER_MODELS_DIR", str(shipped))
    assert open_model("default").preset == "tiny"
    with open(shipped / "default.pt", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="checksum does not match"):
        open_model("default")


def test_user_models_are_listed_by_name(tmp_path, monkeypatch, tiny_model_path):
    monkeypatch.setenv("COLORIZER_MODELS_DIR", str(tmp_path / "none"))
    user = user_models_dir()
    user.mkdir(parents=True)
    (user / "family-1970s.pt").write_bytes(tiny_model_path.read_bytes())
    entries = list_models()
    assert [(e.name, e.kind) for e in entries] == [("family-1970s", "user")]
    assert open_model("family-1970s").preset == "tiny"
    with pytest.raises(ModelError, match="no trained model is installed"):
        open_model("default")


def test_a_persons_model_is_renamed_and_deleted_with_its_checkpoint(tiny_model_path):
    import shutil

    from colorizer_app.core.errors import ModelError
    from colorizer_app.core.paths import user_models_dir
    from colorizer_app.engine.catalog import list_models
    from colorizer_app.engine.user_models import delete_user_model, rename_user_model

    folder = user_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_model_path, folder / "family.pt")
    shutil.copy(tiny_model_path, folder / "family.ckpt")
    for bad in ("a/b", "..", "", "x\\y", ".hidden"):
        with pytest.raises(ModelError):
            rename_user_model("family", bad)
    assert (folder / "family.pt").is_file()  # a refused name changes nothing
    target = rename_user_model("family", "Grandma's 1950s")
    assert target.name == "Grandma's 1950s.pt" and target.is_file()
    assert (folder / "Grandma's 1950s.ckpt").is_file() and not (folder / "family.ckpt").exists()
    assert "Grandma's 1950s" in [e.name for e in list_models()]
    delete_user_model("Grandma's 1950s")
    assert list(folder.iterdir()) == []


def _payload_of(path):
    return torch.load(path, map_location="cpu", weights_only=True)


def _first_float(payload) -> str:
    return next(k for k, v in payload["state_dict"].items() if v.is_floating_point())


def test_edited_weights_without_their_checksum_are_refused(tmp_path, tiny_model_path):
    from colorizer_app.engine.colorizer import Colorizer

    for what in ("checksum", "metadata"):
        payload = _payload_of(tiny_model_path)
        payload["state_dict"][_first_float(payload)].mul_(-3.0)
        if what == "checksum":
            del payload["metadata"]["weights_sha256"]
        else:
            del payload["metadata"]
        path = tmp_path / f"edited_no_{what}.pt"
        torch.save(payload, path)
        with pytest.raises(ModelError, match="no checksum of its weights") as info:
            Colorizer(path, device="cpu")
        assert str(path) in str(info.value)


def _with_valid_checksum(payload) -> dict:
    """An edit made as a careful attacker would: the stored checksum recomputed to match."""
    from colorizer_app.model.file_checks import weights_digest

    payload["metadata"]["weights_sha256"] = weights_digest(payload["state_dict"])
    return payload


@pytest.mark.parametrize("dtype", [torch.complex64, torch.int32, torch.int64, torch.bool])
def test_weights_of_the_wrong_kind_of_number_are_refused(tmp_path, tiny_model_path, dtype):
    payload = _payload_of(tiny_model_path)
    key = _first_float(payload)
    payload["state_dict"][key] = payload["state_dict"][key].to(dtype)
    path = tmp_path / "odd.pt"
    torch.save(_with_valid_checksum(payload), path)
    with pytest.raises(ModelError, match=f"{key}.*holds {dtype}") as info:
        read_model_file(path)
    assert str(path) in str(info.value)


def test_a_config_claiming_enormous_layers_is_refused_before_anything_is_built(
    tmp_path, tiny_model_path
):
    import resource

    payload = _payload_of(tiny_model_path)  # its weights and their checksum untouched
    payload["config"].update(
        encoder_channels=[4096] * 4, fusion_channels=4096, decoder_channels=[4096] * 3
    )
    path = tmp_path / "huge.pt"
    torch.save(payload, path)
    assert path.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    with pytest.raises(ModelError, match="million weights") as info:
        read_model_file(path)
    assert str(path) in str(info.value)
    # The network it claims would take 7 GB; nothing near that was allocated.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000


def test_weights_that_do_not_fit_the_config_are_refused_on_reading(tmp_path, tiny_model_path):
    payload = _payload_of(tiny_model_path)
    payload["config"].update(
        decoder_channels=[c * 2 for c in payload["config"]["decoder_channels"]]
    )
    path = tmp_path / "wider.pt"
    torch.save(payload, path)
    with pytest.raises(ModelError, match="its settings need") as info:
        read_model_file(path)
    assert str(path) in str(info.value)


def test_a_folder_or_a_fifo_is_named_for_what_it_is(tmp_path):
    import os

    folder = tmp_path / "models.pt"
    folder.mkdir()
    fifo = tmp_path / "pipe.pt"
    os.mkfifo(fifo)
    for path, what in ((folder, "is a folder"), (fifo, "is a FIFO")):
        with pytest.raises(ModelError) as info:
            read_model_file(path)  # a FIFO opened for reading would wait forever
        text = str(info.value)
        assert str(path) in text and what in text and "not found" not in text


@pytest.mark.parametrize("version", [None, "1", 0, -2, 1.5, True])
def test_a_missing_or_odd_version_is_not_called_newer(tmp_path, tiny_model_path, version):
    payload = _payload_of(tiny_model_path)
    if version is None:
        del payload["version"]
    else:
        payload["version"] = version
    path = tmp_path / "versionless.pt"
    torch.save(payload, path)
    with pytest.raises(ModelError) as info:
        read_model_file(path)
    text = str(info.value)
    assert str(path) in text and "newer" not in text and "None" not in text
    assert ("no format version" if version is None else "unknown model format version") in text


def test_the_shipped_model_still_loads_byte_for_byte():
    from colorizer_app.model.file_checks import weights_digest

    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    entry = manifest["models"]["default"]
    assert sha256_of(ROOT / "models" / entry["file"]) == entry["sha256"]
    mf = open_model("default")
    assert mf.metadata["weights_sha256"] == weights_digest(mf.state_dict)
    build_model(mf)
