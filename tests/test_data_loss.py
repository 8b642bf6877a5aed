"""Issue 26, data loss: an output never lands on an input of the run, a suffix never leaves the
output folder, a built-in model is never written, and a stopped or killed save leaves nothing
behind. Real files in tmp_path, the real `colorizer` command in a fresh process."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from colorizer_app.core.errors import ImageSaveError, ModelError
from colorizer_app.core.fileio import write_atomically
from colorizer_app.engine.batch import output_path, plan_jobs
from colorizer_app.engine.user_models import export_model
from colorizer_app.model.model_file import build_model, read_model_file, save_model

from .conftest import real_rgb, run_cli, run_main


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(folder):
    return {p.name: _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _photo(path, name="coffee", step=4):
    cv2.imwrite(str(path), real_rgb(name)[::step, ::step, ::-1])
    return path


def _dead_pid():
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


# ---- 1. an output never lands on an input of the run ----------------------------------------


def test_an_output_never_replaces_a_photo_of_the_same_run(tmp_path, tiny_model_path):
    x = tmp_path / "x"
    x.mkdir()
    _photo(x / "p.png", "coffee")
    _photo(x / "p_colorized.png", "chelsea")  # given as an input: it must survive
    _photo(x / "q.png", "astronaut")
    before = _sha(x / "p_colorized.png")
    run = run_cli(
        "colorize", x / "p.png", x / "p_colorized.png", x / "q.png", "--overwrite",
        "--model", tiny_model_path,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # one photo failed, the rest were done
    assert "Traceback" not in run.stderr
    assert _sha(x / "p_colorized.png") == before
    line = next(ln for ln in run.stderr.splitlines() if ln.startswith(str(x / "p.png")))
    assert "p_colorized.png" in line and "-o" in line and "--suffix" in line
    assert (x / "q_colorized.png").is_file()  # the batch went on
    assert (x / "p_colorized_colorized.png").is_file()
    assert "Colorized 2" in run.stderr and "failed 1" in run.stderr


def test_an_output_that_is_an_input_by_another_name_is_refused(tmp_path):
    """The same file through a hard link or a symlink counts as the same input."""
    x = tmp_path / "x"
    x.mkdir()
    _photo(x / "a.png")
    _photo(x / "kept.png", "chelsea")
    os.link(x / "kept.png", x / "b_colorized.png")  # b's output is kept.png by another name
    _photo(x / "b.png", "astronaut")
    _photo(x / "c.png", "astronaut")
    os.symlink(x / "a.png", x / "c_colorized.png")  # c's output leads to a.png
    jobs = {j.source.name: j for j in plan_jobs([x / "kept.png", x / "a.png", x / "b.png",
                                                 x / "c.png"], None)}  # fmt: skip
    assert jobs["b.png"].problem and "b_colorized.png" in jobs["b.png"].problem
    assert jobs["c.png"].problem and "c_colorized.png" in jobs["c.png"].problem
    assert jobs["a.png"].problem is None and jobs["kept.png"].problem is None


# ---- 2. a suffix never leaves the output folder -----------------------------------------------


@pytest.fixture
def kodak_in(tmp_path, data_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("kodim02.png", "kodim03.png"):
        shutil.copy(data_dir / "kodak24" / name, folder / name)
    return folder


@pytest.mark.parametrize(
    "suffix, to_folder",
    [
        ("/../../in/kodim03", True),
        ("/../../in/kodim03", False),
        ("\\..\\x", True),
        ("_a..b", False),
    ],
)
def test_a_suffix_with_a_path_in_it_is_refused_up_front(
    tmp_path, kodak_in, tiny_model_path, suffix, to_folder
):
    before = _digest(tmp_path)
    where = ["-o", tmp_path / "o" / "deep"] if to_folder else []
    run = run_main(
        "colorize", kodak_in / "kodim02.png", *where, "--suffix", suffix, "--overwrite",
        "--model", tiny_model_path,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "--suffix" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert _digest(tmp_path) == before  # nothing written, nothing replaced
    assert not (tmp_path / "o").exists()


def test_an_empty_suffix_keeps_the_names_in_another_folder_and_never_replaces_an_original(
    tmp_path, kodak_in, tiny_model_path
):
    """`--suffix ""` with -o: the copies keep the originals' names (it left out every photo, as if
    every name ended in the empty suffix). Beside the originals, each copy would be its original,
    so each photo fails and nothing is written over."""
    before = _digest(kodak_in)
    run = run_main(
        "colorize", kodak_in, "-o", tmp_path / "out", "--suffix", "", "--model", tiny_model_path
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["kodim02.png", "kodim03.png"]
    assert "Left out" not in run.stderr
    beside = run_main(
        "colorize", kodak_in, "--suffix", "", "--overwrite", "--model", tiny_model_path
    )
    assert beside.returncode == 1 and "never written over" in beside.stderr, beside.stderr
    assert _digest(kodak_in) == before


def test_the_output_path_never_leaves_its_folder(tmp_path):
    source = tmp_path / "in" / "kodim02.png"
    for suffix in ("/../../in/kodim03", "/x", "\0"):
        with pytest.raises(ImageSaveError, match="would leave the output folder"):
            output_path(source, tmp_path / "o", None, suffix, "same")
        with pytest.raises(ImageSaveError):
            output_path(source, None, None, suffix, "same")
    assert (
        output_path(source, tmp_path / "o", None, "_c", "same") == tmp_path / "o" / "kodim02_c.png"
    )


# ---- 3. the built-in model is never written ---------------------------------------------------


@pytest.fixture
def shipped(tmp_path, tiny_model_path):
    """An install's models folder: one built-in model named in its manifest with its sha256."""
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(tiny_model_path, models / "default.pt")
    manifest = {
        "models": {"default": {"file": "default.pt", "sha256": _sha(models / "default.pt")}}
    }
    (models / "manifest.json").write_text(json.dumps(manifest))
    return models


def _env(models):
    return {"COLORIZER_MODELS_DIR": str(models)}


def test_set_colour_never_writes_over_the_built_in_model(tmp_path, shipped, tiny_model_path):
    before = _digest(shipped)
    link = tmp_path / "link.pt"
    link.symlink_to(shipped / "default.pt")
    targets = [shipped / "default.pt", link, tmp_path / "models" / ".." / "models" / "default.pt"]
    for out in targets:
        run = run_main(
            "models", "set-colour", tiny_model_path, out, "--strength", "1.5",
            env_extra=_env(shipped),
        )  # fmt: skip
        assert run.returncode == 2, run.stderr
        assert "built-in model" in run.stderr and "Traceback" not in run.stderr
        assert _digest(shipped) == before  # not written, and no temporary file left
    assert link.is_symlink()
    photo = _photo(tmp_path / "a.png")
    colorized = run_main("colorize", photo, env_extra=_env(shipped))  # its checksum still holds
    assert colorized.returncode == 0, colorized.stderr


def test_every_model_writer_refuses_the_built_in_files(shipped, tiny_model_path, monkeypatch):
    monkeypatch.setenv("COLORIZER_MODELS_DIR", str(shipped))
    before = _digest(shipped)
    model = read_model_file(tiny_model_path)
    for dest in (shipped / "default.pt", shipped / "manifest.json"):
        with pytest.raises(ModelError, match="built-in model"):
            save_model(build_model(model), dest, "tiny")
        with pytest.raises(ModelError, match="built-in model"):
            export_model(tiny_model_path, dest)
    assert _digest(shipped) == before
    # Other files in that folder are a person's to write.
    assert save_model(build_model(model), shipped / "mine.pt", "tiny").is_file()


@pytest.fixture
def colour_photos(tmp_path, data_dir):
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:12]:
        Image.open(src).resize((120, 80)).save(folder / src.name, quality=92)
    return folder


def test_finetune_never_writes_over_the_built_in_model(shipped, colour_photos, tiny_model_path):
    before = _digest(shipped)
    run = run_main(
        "finetune", colour_photos, "--from", tiny_model_path, "-o", shipped / "default.pt",
        "--keep-anyway", "--steps", "2", "--size", "48", "--batch", "4", "--device", "cpu",
        env_extra=_env(shipped),
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "built-in model" in run.stderr and "Traceback" not in run.stderr
    assert _digest(shipped) == before  # no model, no checkpoint, no temporary file


# ---- 4. a stopped or killed save leaves nothing behind ----------------------------------------


def _as_from_a_terminal() -> None:
    """In the child: SIGINT and SIGHUP as a terminal gives them. A run started in the background
    (`cmd &`) or under nohup inherits them ignored, and an ignored signal stays ignored (as it
    should: the app keeps it so), which would make these tests test the launcher."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.fixture
def big_tiff(tmp_path):
    """A 5 MP 16-bit TIFF of noise: its colorized copy is ~30 MB, so writing it takes a moment."""
    folder = tmp_path / "scans"
    folder.mkdir()
    import tifffile

    gray = np.random.default_rng(0).integers(0, 65535, (2000, 2500), dtype=np.uint16)
    tifffile.imwrite(folder / "big.tif", np.dstack([gray] * 3), photometric="rgb")
    return folder / "big.tif"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_saving_leaves_no_temporary_file(big_tiff, tiny_model_path, sig):
    folder = big_tiff.parent
    original = _sha(big_tiff)
    for _attempt in range(3):  # the write lasts some 10 to 100 ms: catch it, or try again
        proc = subprocess.Popen(
            [sys.executable, "-m", "colorizer_app", "colorize", big_tiff, "--overwrite",
             "--model", tiny_model_path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_as_from_a_terminal,
        )  # fmt: skip
        sent = False
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.endswith(".part") for n in os.listdir(folder)):
                proc.send_signal(sig)
                sent = True
                break
            time.sleep(0.001)
        _, err = proc.communicate(timeout=120)
        if sent and proc.returncode != 0:
            break
        (folder / "big_colorized.tif").unlink(missing_ok=True)  # finished first: again
    assert sent and proc.returncode == 128 + sig, err
    assert f"stopped by {signal.Signals(sig).name}" in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["big.tif"]  # no .part, no half copy
    assert _sha(big_tiff) == original


def test_a_later_run_removes_what_a_killed_save_left(tmp_path, tiny_model_path):
    src = _photo(tmp_path / "kodim.png")
    out = tmp_path / "out"
    out.mkdir()
    dead, alive = _dead_pid(), os.getpid()
    removed = [
        f".kodim_colorized.png.0123abcd.pid{dead}.part",  # its process is gone
        ".old_colorized.tif.abc_1234.part",  # an older version's, an hour old
    ]
    kept = [
        f".busy_colorized.png.0123abcd.pid{alive}.part",  # its process still runs
        ".recent_colorized.tif.abc_1234.part",  # an older version's, but recent
        f"kodim_colorized.png.0123abcd.pid{dead}.part",  # not hidden: not ours
        f".kodim_colorized.png.0123abcd.pid{dead}.partial",
        f".kodim_colorized.png.0123ABCD.pid{dead}.part",
        f".kodim_colorized.png.pid{dead}.part",
        ".notes.txt.abc_1234.part",  # not a kind of file we write
        "holiday.part",
    ]
    for name in removed + kept:
        (out / name).write_bytes(b"half a file")
    hour_ago = time.time() - 3600
    for name in (".old_colorized.tif.abc_1234.part", ".notes.txt.abc_1234.part", "holiday.part"):
        os.utime(out / name, (hour_ago, hour_ago))
    (out / f".dir.png.0123abcd.pid{dead}.part").mkdir()  # a folder, never removed
    kept.append(f".dir.png.0123abcd.pid{dead}.part")
    run = run_cli("colorize", src, "-o", out, "--model", tiny_model_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*kept, "kodim_colorized.png"])


def test_a_save_whose_process_was_killed_is_cleaned_up_by_the_next(tmp_path, tiny_model_path):
    """SIGKILL cannot be caught: the next run into that folder removes what it left."""
    folder = tmp_path / "scans"
    folder.mkdir()
    leftover = folder / ".scan_colorized.png.5a5a5a5a.pid1.part"  # pid 1 lives: kept
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import colorizer_app.core.fileio as f\n"
        "def killed(fd): os.kill(os.getpid(), 9)\n"
        "os.fsync = killed\n"
        "f.write_atomically(Path(sys.argv[1]), b'x' * 100000)\n"
    )
    subprocess.run([sys.executable, "-c", script, folder / "scan_colorized.png"], check=False)
    left = [p.name for p in folder.iterdir()]
    assert len(left) == 1 and left[0].endswith(".part")  # what SIGKILL leaves
    leftover.write_bytes(b"")
    _photo(folder / "scan.png")
    run = run_cli("colorize", folder / "scan.png", "--model", tiny_model_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["scan.png", "scan_colorized.png", leftover.name]
    )


# ---- 12. long names ---------------------------------------------------------------------------


def test_a_long_name_that_fits_is_written(tmp_path):
    """A name of up to 255 bytes is written, its temporary name shortened to fit."""
    for name in ("a" * 251 + ".png", "é" * 124 + "_c.png"):
        dest = tmp_path / name
        write_atomically(dest, b"data")
        assert dest.read_bytes() == b"data"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_output_name_too_long_fails_that_photo_alone(tmp_path, tiny_model_path):
    src = tmp_path / "in"
    src.mkdir()
    fits = _photo(src / ("f" * 230 + ".png"))  # output 244 bytes: its temporary name is cut
    too_long = _photo(src / ("t" * 250 + ".png"), "chelsea")  # output 264 bytes
    short = _photo(src / "short.png", "astronaut")
    run = run_cli("colorize", too_long, fits, short, "--model", tiny_model_path)
    assert run.returncode == 1, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    line = next(ln for ln in run.stderr.splitlines() if ln.startswith(str(too_long)))
    assert "264 bytes" in line and "255" in line and "suffix" in line
    assert (src / ("f" * 230 + "_colorized.png")).is_file()
    assert (src / "short_colorized.png").is_file()
    assert "Colorized 2" in run.stderr and "failed 1" in run.stderr
    assert not [p for p in src.iterdir() if p.name.endswith(".part")]


# ---- 13. Ctrl+C as the command starts ---------------------------------------------------------

_SIGINT_WHILE_STARTING = """
import os, signal, sys
import colorizer_app.cli as cli
build = cli.build_parser
def interrupted_build():
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while the parser is built
    return build()
cli.build_parser = interrupted_build
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_while_the_command_starts_is_one_line(tmp_path, tiny_model_path):
    photo = _photo(tmp_path / "a.png")
    args = ["colorize", photo, "--model", tiny_model_path]
    run = subprocess.run(
        [sys.executable, "-c", _SIGINT_WHILE_STARTING, *map(str, args)],
        capture_output=True, text=True, timeout=120, preexec_fn=_as_from_a_terminal,
    )  # fmt: skip
    assert run.returncode == 130, run.stderr
    assert run.stderr.strip() == "colorizer: interrupted"
    # And the real command, interrupted while it starts: once Python's own import log says the
    # parser's command modules have loaded (a signal before that, in the interpreter's start, is
    # Python's, not ours), while the command still loads torch and the model. Not after a fixed
    # sleep: under load the interpreter's start alone can outlast it.
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "colorizer_app", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal,
    )  # fmt: skip
    log = []
    for line in proc.stderr:
        log.append(line)
        if line.rstrip().endswith("| colorizer_app.commands.colorize"):
            break
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = "".join(ln for ln in log + rest.splitlines(True) if not ln.startswith("import time:"))
    assert any("colorizer_app.commands.colorize" in ln for ln in log), "".join(log)[-2000:]
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.strip() == "colorizer: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_ctrl_c_mid_batch_says_how_far_it_got_and_how_to_go_on(tmp_path, tiny_model_path):
    """A trial: Ctrl+C in a long run ended in 'colorizer: interrupted', with no word of what
    was written or whether running it again starts over."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(30):
        _photo(folder / f"scan{i:02d}.png", step=1)
    for _attempt in range(3):  # the signal must come after the first copy, before the last
        proc = subprocess.Popen(
            [sys.executable, "-m", "colorizer_app", "colorize", folder, "--model", tiny_model_path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_as_from_a_terminal,
        )  # fmt: skip
        log = []
        for line in proc.stderr:
            log.append(line)
            if "colorized ->" in line:
                proc.send_signal(signal.SIGINT)
                break
        _, rest = proc.communicate(timeout=120)
        err = "".join(log) + rest
        if proc.returncode == 130:
            break
        for copy in folder.glob("*_colorized.png"):
            copy.unlink()
    assert proc.returncode == 130 and "Traceback" not in err, err
    written = sorted(folder.glob("*_colorized.png"))
    last = err.strip().splitlines()[-1]
    assert last == (
        f"colorizer: interrupted after {len(written)} of 30 photos colorized; the same command "
        "again does the rest (those written are skipped)"
    )
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
    again = run_main("colorize", folder, "--model", tiny_model_path)
    assert again.returncode == 0, again.stderr
    assert f"Colorized {30 - len(written)}, skipped {len(written)} (already there)" in again.stderr


def test_an_output_folder_inside_the_input_is_not_colorized_again(
    tmp_path, kodak_in, tiny_model_path
):
    """A review: `colorize DIR -o DIR/colour --suffix ''` run twice colorized the copies in
    DIR/colour again, into DIR/colour/colour, a level deeper each run."""
    out = kodak_in / "colour"
    for _ in range(2):
        run = run_main("colorize", kodak_in, "-o", out, "--suffix", "", "--model", tiny_model_path)
        assert run.returncode == 0, run.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "kodim02.png",
        "kodim03.png",
    ]
    # The folder itself as the output folder, or one above it, hides none of its photos.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(kodak_in / "kodim02.png", fresh / "kodim02.png")
    for where in (fresh, tmp_path):
        run = run_main("colorize", fresh, "-o", where, "--model", tiny_model_path)
        assert run.returncode == 0 and "Colorizing 1 photo " in run.stderr, run.stderr
    assert (fresh / "kodim02_colorized.png").is_file()
    assert (tmp_path / "kodim02_colorized.png").is_file()


def test_a_folder_that_cannot_be_written_is_named_before_anything_is_saved(tmp_path):
    """What Save All checks before it starts (a trial's read-only folder was named only after
    10 s, as a subfolder it would have made): the folder itself, and why, nothing written."""

    from colorizer_app.core.fileio import cannot_write_in

    assert cannot_write_in(tmp_path / "new" / "1920s") is None  # made when saved: fine
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    assert cannot_write_in(blocker / "1920s") == f"{blocker} is a file, not a folder"
    drive = tmp_path / "cd"
    drive.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(drive)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("a read-only drive cannot be mounted here (needs root)")
    try:
        assert cannot_write_in(drive / "1920s") == (
            f"{drive} is on a drive that cannot be written (read-only)"
        )
        assert list(drive.iterdir()) == []
    finally:
        subprocess.run(["umount", str(drive)], check=True)


def test_a_full_drive_is_named_before_saving(tmp_path):
    """A review found the check trusting the permission bits: a full card (and a Windows
    access list, a share's server) said "writable" and failed photo by photo."""
    from colorizer_app.core.fileio import cannot_write_in

    card = tmp_path / "card"
    card.mkdir()
    small = ["mount", "-t", "tmpfs", "-o", "size=64k,nr_inodes=8", "tmpfs", str(card)]
    mounted = subprocess.run(small, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small drive cannot be mounted here (needs root)")
    try:
        made = 0  # a tmpfs takes an empty file while it has inodes: fill those
        while True:
            try:
                (card / f"scan{made}.jpg").touch()
            except OSError:
                break
            made += 1
        assert cannot_write_in(card / "1920s") == f"{card} is on a drive that is full"
        assert sorted(p.name for p in card.iterdir() if p.name.startswith(".")) == []
    finally:
        subprocess.run(["umount", str(card)], check=True)
