"""The `colorizer` command on folders of real files: the runs that colorize, as a person runs
them (a subprocess); what it makes of its arguments and of model files, through its own `main`
in this process (conftest.run_main)."""

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from .conftest import real_rgb, run_cli, run_main


def _digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def mixed_folder(tmp_path, data_dir):
    folder = tmp_path / "scans"
    folder.mkdir()
    photo = cv2.imread(str(data_dir / "kodak24" / "kodim05.png"))[:, :, ::-1]
    Image.fromarray(photo).save(folder / "street.jpg", quality=92)
    rgb16 = photo.astype(np.uint16) * 257
    alpha = np.full(photo.shape[:2], 40000, np.uint16)
    cv2.imwrite(str(folder / "deep.png"), np.dstack([rgb16[:, :, ::-1], alpha]))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    Image.fromarray(real_rgb("coffee")).save(folder / "rotated.jpg", exif=exif.tobytes())
    Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)).save(folder / "gray.png")
    pano = cv2.resize(photo, (3000, 500), interpolation=cv2.INTER_LINEAR)
    Image.fromarray(pano).save(folder / "panorama.jpg", quality=90)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_text("shopping list: milk, eggs")
    return folder


def test_colorize_a_mixed_folder(mixed_folder, tiny_model_path, tmp_path):
    before = _digest(mixed_folder)
    out_dir = tmp_path / "out"
    result = run_cli("colorize", mixed_folder, "-o", out_dir, "--model", tiny_model_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    error_lines = [ln for ln in lines if "empty.jpg" in ln or "notes.jpg" in ln]
    assert len(error_lines) == 2, result.stderr
    assert any("empty" in ln for ln in error_lines if "empty.jpg" in ln)
    assert any("not an image" in ln for ln in error_lines if "notes.jpg" in ln)
    assert "Traceback" not in result.stderr
    assert "Colorized 5" in result.stderr and "failed 2" in result.stderr

    expect = {  # name: (width, height, bit depth)
        "street_colorized.jpg": (500, 500, 8),
        "deep_colorized.png": (500, 500, 16),
        "rotated_colorized.jpg": (400, 600, 8),  # upright: portrait
        "gray_colorized.png": (500, 500, 8),
        "panorama_colorized.jpg": (3000, 500, 8),
    }
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(expect)
    for name, (w, h, depth) in expect.items():
        img = cv2.imread(str(out_dir / name), cv2.IMREAD_UNCHANGED)
        assert img.shape[1] == w and img.shape[0] == h, name
        assert img.dtype == (np.uint16 if depth == 16 else np.uint8), name
    assert cv2.imread(str(out_dir / "deep_colorized.png"), cv2.IMREAD_UNCHANGED).shape[2] == 4
    gray_out = cv2.imread(str(out_dir / "gray_colorized.png"))
    assert np.abs(gray_out[:, :, 0].astype(int) - gray_out[:, :, 2]).mean() > 1  # now in colour
    assert _digest(mixed_folder) == before  # no input changed


def test_outputs_beside_originals_and_existing_ones_skipped(tmp_path, tiny_model_path):
    sub = tmp_path / "album" / "1950s"
    sub.mkdir(parents=True)
    Image.fromarray(real_rgb("astronaut")).save(sub / "portrait.png")
    first = run_cli("colorize", tmp_path / "album", "--model", tiny_model_path)
    assert first.returncode == 0, first.stderr
    out = sub / "portrait_colorized.png"
    assert out.is_file()
    stamp = out.stat().st_mtime_ns
    again = run_cli("colorize", tmp_path / "album", "--model", tiny_model_path)
    assert again.returncode == 0 and "skipped 1" in again.stderr
    # How to have both (a trial ran `--restore all` over a coloured folder: every photo was
    # skipped, and only --overwrite, which loses the first copies, was offered).
    assert (
        f"skipped: {out} is already there (--overwrite to replace it, or another --suffix to "
        "keep both)" in again.stderr
    )
    # The earlier output in the folder is left out, and said so (a person's own photo may
    # have such a name).
    assert (
        "Left out portrait_colorized.png: its name ends in _colorized, as the copies Colorizer "
        "saves do; give it by name to include it." in again.stderr
    )
    assert out.stat().st_mtime_ns == stamp
    assert not (sub / "portrait_colorized_colorized.png").exists()
    forced = run_cli(
        "colorize",
        tmp_path / "album",
        "--model",
        tiny_model_path,
        "--overwrite",
        "--format",
        "jpg",
        "-o",
        tmp_path / "exported",
    )
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "exported" / "1950s" / "portrait_colorized.jpg").is_file()


def test_no_model_installed_is_said_plainly(tmp_path):
    Image.fromarray(real_rgb("astronaut")).save(tmp_path / "a.png")
    result = run_main(
        "colorize",
        tmp_path / "a.png",
        env_extra={"COLORIZER_MODELS_DIR": str(tmp_path / "nomodels")},
    )
    assert result.returncode == 2
    assert "no trained model is installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path):
    _small(tmp_path / "p.png")
    nothing = run_main("colorize")
    assert nothing.returncode == 2
    assert "the following arguments are required: INPUT" in nothing.stderr, nothing.stderr
    gif = run_main("colorize", tmp_path, "--format", "gif")
    assert gif.returncode == 2 and "invalid choice: 'gif'" in gif.stderr, gif.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]  # nothing written


def test_models_init_and_info(tmp_path):
    out = tmp_path / "fresh.pt"
    made = run_main("models", "init", "--preset", "tiny", out)
    assert made.returncode == 0 and out.is_file(), made.stderr
    assert f"Wrote {out} (preset tiny; untrained" in made.stdout
    info = run_main("models", "info", out)
    assert info.returncode == 0, info.stderr
    assert "preset:    tiny" in info.stdout and "trained: False" in info.stdout
    assert f"sha256:    {hashlib.sha256(out.read_bytes()).hexdigest()}" in info.stdout


# ---- issue 26, item 7: every photo of the run gets its own line -------------------------------


def _small(path, name="coffee"):
    cv2.imwrite(str(path), real_rgb(name)[::8, ::8, ::-1])
    return path


def _line(stderr, path):
    return next((ln for ln in stderr.splitlines() if ln.startswith(f"{path}:")), None)


def test_links_and_unreadable_folders_each_get_a_line(tmp_path, tiny_model_path):
    album = tmp_path / "album"
    (album / "a").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _small(album / "a" / "p.png")
    (album / "a" / "q.png").symlink_to(album / "a" / "p.png")  # the same photo again
    _small(elsewhere / "far.png", "chelsea")
    (album / "b").symlink_to(elsewhere)  # a symlinked subfolder: its photo is colorized
    (album / "c").mkdir()
    _small(album / "c" / "hidden.png", "astronaut")
    (album / "c").chmod(0)  # cannot be searched: said, not left out
    try:
        run = run_cli("colorize", album, "-o", tmp_path / "out", "--model", tiny_model_path)
    finally:
        (album / "c").chmod(0o755)
    assert "Traceback" not in run.stderr
    assert "colorized -> " in _line(run.stderr, album / "a" / "p.png")
    twice = _line(run.stderr, album / "a" / "q.png")
    assert "same photo as" in twice and str(album / "a" / "p.png") in twice
    assert "colorized -> " in _line(run.stderr, album / "b" / "far.png")
    assert (tmp_path / "out" / "b" / "far_colorized.png").is_file()
    if os.geteuid() != 0:
        unreadable = _line(run.stderr, album / "c")
        assert "cannot be read" in unreadable and "permission" in unreadable
        assert run.returncode == 1 and "Colorized 2" in run.stderr
    else:  # root reads any folder: its photo is colorized
        assert "colorized -> " in _line(run.stderr, album / "c" / "hidden.png")
        assert run.returncode == 0 and "Colorized 3" in run.stderr
    assert "1 given twice" in run.stderr
    assert not (tmp_path / "out" / "a" / "q_colorized.png").exists()


def test_a_photo_added_later_never_takes_an_earlier_output(tmp_path, tiny_model_path):
    _small(tmp_path / "p.png")
    first = run_cli("colorize", tmp_path / "p.png", "--format", "png", "--model", tiny_model_path)
    assert first.returncode == 0, first.stderr
    made = (tmp_path / "p_colorized.png").read_bytes()
    _small(tmp_path / "p.jpg", "chelsea")  # added later, its output also p_colorized.png
    again = run_cli("colorize", tmp_path, "--format", "png", "--model", tiny_model_path)
    assert again.returncode == 0, again.stderr
    assert "already there" in _line(again.stderr, tmp_path / "p.png")
    assert "colorized -> " in _line(again.stderr, tmp_path / "p.jpg")
    assert (tmp_path / "p_colorized.png").read_bytes() == made  # p.png's, untouched
    jpg_out = cv2.imread(str(tmp_path / "p_colorized-2.png"))  # p.jpg's own
    assert jpg_out.shape[:2] == real_rgb("chelsea")[::8, ::8].shape[:2]


def test_a_folder_at_the_outputs_name_is_not_already_there(tmp_path, tiny_model_path):
    _small(tmp_path / "p.png")
    (tmp_path / "p_colorized.png").mkdir()
    for extra in ([], ["--overwrite"]):
        run = run_cli("colorize", tmp_path / "p.png", *extra, "--model", tiny_model_path)
        assert run.returncode == 1, run.stderr
        line = _line(run.stderr, tmp_path / "p.png")
        assert "a folder" in line and "already there" not in line and "Traceback" not in run.stderr
        assert (tmp_path / "p_colorized.png").is_dir()


# ---- issue 26, item 8: numbers no photo can use are refused before anything runs --------------


@pytest.mark.parametrize(
    "option, value",
    [
        ("--saturation", "nan"),
        ("--saturation", "inf"),
        ("--saturation", "1e308"),
        ("--saturation", "-0.5"),
        ("--quality", "0"),
        ("--quality", "-5"),
        ("--quality", "1000"),
    ],
)
def test_numbers_no_photo_can_use_are_a_usage_error(tmp_path, capsys, option, value):
    from colorizer_app.cli import main

    photo = _small(tmp_path / "p.png")
    with pytest.raises(SystemExit) as stop:
        main(["colorize", str(photo), f"{option}={value}", "--format", "jpg"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}:" in err and repr(value) in err and "from" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]  # nothing written


# ---- issue 26, item 15: names and notes never drive the terminal -------------------------------


def test_models_list_and_info_show_escape_codes_harmlessly(tmp_path, tiny_model_path):
    from colorizer_app.model.model_file import build_model, read_model_file, save_model

    users = tmp_path / "user"
    (users / "models").mkdir(parents=True)
    name = "evil\x1b]0;pwned\x07\x1b[2J"
    save_model(
        build_model(read_model_file(tiny_model_path)),
        users / "models" / f"{name}.pt",
        "tiny",
        {"note": "\x1b[31mred\x1b[0m and \x9b2J", "trained": False},
    )
    env = {"COLORIZER_USER_DIR": str(users)}
    listed = run_main("models", "list", env_extra=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split() == ["NAME", "KIND", "FILE"]  # a headed table
    helped = run_main("restore", "--help")
    assert "(default: fading,grain)" in " ".join(helped.stdout.split())  # with no --restore
    assert "evil?]0;pwned??[2J" in listed.stdout
    info = run_main("models", "info", name, env_extra=env)
    assert info.returncode == 0, info.stderr
    assert "?[31mred?[0m and ?2J" in info.stdout
    for out in (listed.stdout, info.stdout):
        assert not any(c in out for c in "\x1b\x07\x9b"), out


# ---- issue 26, item 9: a copy carries only a profile that describes it ------------------------

_GHOSTSCRIPT_ICC = Path("/usr/share/color/icc/ghostscript")


def test_a_copy_keeps_only_an_rgb_profile(tmp_path, tiny_model_path):
    from PIL import ImageCms

    if not (_GHOSTSCRIPT_ICC / "sgray.icc").is_file():
        pytest.skip("needs ghostscript's Gray and CMYK ICC profiles (apt: ghostscript)")
    gray_icc = (_GHOSTSCRIPT_ICC / "sgray.icc").read_bytes()
    cmyk_icc = (_GHOSTSCRIPT_ICC / "default_cmyk.icc").read_bytes()
    srgb_icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    gray = Image.fromarray(cv2.cvtColor(real_rgb("coffee")[::4, ::4], cv2.COLOR_RGB2GRAY))
    src = tmp_path / "in"
    src.mkdir()
    gray.save(src / "gray.png", icc_profile=gray_icc)
    gray.convert("CMYK").save(src / "cmyk.jpg", quality=92, icc_profile=cmyk_icc)
    gray.save(src / "junk.png", icc_profile=bytes(range(200)))  # 200 bytes of no profile
    gray.convert("RGB").save(src / "srgb.png", icc_profile=srgb_icc)
    out = tmp_path / "out"
    run = run_cli("colorize", src, "-o", out, "--model", tiny_model_path)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "Traceback" not in run.stderr
    for name, words in [("gray.png", "GRAY ICC profile was not copied"),
                        ("cmyk.jpg", "CMYK ICC profile was not copied"),
                        ("junk.png", "ICC profile is damaged")]:  # fmt: skip
        line = _line(run.stderr, src / name)
        assert words in line and "colorized -> " in line, line
        copy = Image.open(out / f"{Path(name).stem}_colorized{Path(name).suffix}")
        assert copy.mode == "RGB" and "icc_profile" not in copy.info, name
    kept = Image.open(out / "srgb_colorized.png").info.get("icc_profile")
    assert kept == srgb_icc  # an RGB profile is the copy's own


def test_numbered_copies_and_the_apps_copies_are_not_colorized_again(tmp_path, tiny_model_path):
    """A review: p.jpg and p.png colorized to PNG gave p_colorized.png and p_colorized-2.png, and
    the next run colorized p_colorized-2.png again; `restore` restored the _colorized copies."""
    album = tmp_path / "album"
    album.mkdir()
    Image.fromarray(real_rgb("astronaut")).save(album / "p.jpg")
    Image.fromarray(real_rgb("astronaut")).save(album / "p.png")
    args = ("--model", tiny_model_path, "--format", "png")
    first = run_cli("colorize", album, *args)
    assert first.returncode == 0, first.stderr
    made = sorted(p.name for p in album.iterdir())
    assert made == ["p.jpg", "p.png", "p_colorized-2.png", "p_colorized.png"], made
    again = run_cli("colorize", album, *args)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in album.iterdir()) == made
    assert "Left out 2 photos whose names end in _colorized" in again.stderr, again.stderr
    restored = run_cli("restore", album, "--restore", "fading")
    assert restored.returncode == 0, restored.stderr
    assert sorted(p.name for p in album.iterdir() if "_restored" in p.name) == [
        "p_restored.jpg",
        "p_restored.png",
    ]


def test_photos_in_the_output_folder_inside_the_input_are_named(tmp_path, tiny_model_path):
    """A review: `colorize scans -o scans/sub` left out scans/sub/b.jpg without a word."""
    scans = tmp_path / "scans"
    (scans / "sub").mkdir(parents=True)
    for where in (scans / "a.jpg", scans / "sub" / "b.jpg"):
        Image.fromarray(real_rgb("astronaut")).save(where)
    run = run_cli("colorize", scans, "-o", scans / "sub", "--model", tiny_model_path)
    assert run.returncode == 0, run.stderr
    assert (
        f"Left out b.jpg in {scans / 'sub'}, the output folder: give it by name to include it"
        in run.stderr
    ), run.stderr
    assert (scans / "sub" / "a_colorized.jpg").is_file()


def test_a_run_given_its_own_earlier_copy_keeps_it_and_does_not_invite_overwrite(
    tmp_path, tiny_model_path
):
    """A review: `colorize *.jpg` again gives a.jpg and a_colorized.jpg; a.jpg's line said
    "--overwrite to replace it", and with --overwrite it failed as never written over."""
    Image.fromarray(real_rgb("astronaut")).save(tmp_path / "a.jpg")
    first = run_cli("colorize", tmp_path / "a.jpg", "--model", tiny_model_path)
    assert first.returncode == 0, first.stderr
    copy = tmp_path / "a_colorized.jpg"
    before = copy.read_bytes()
    again = run_cli("colorize", tmp_path / "a.jpg", copy, "--model", tiny_model_path)
    assert again.returncode == 0, again.stderr
    assert f"{copy} is already there, and is one of the photos given: kept" in again.stderr
    assert "--overwrite to replace" not in again.stderr
    assert copy.read_bytes() == before


def test_an_output_folder_that_cannot_be_written_is_said_before_any_photo(tmp_path):
    """A trial's `-o outfile` (a file) coloured all 30 scans, then failed each one."""
    album = tmp_path / "album"
    album.mkdir()
    Image.fromarray(real_rgb("astronaut")).save(album / "a.jpg")
    (tmp_path / "outfile").write_text("notes")
    for command in (["colorize", "--model", "none.pt"], ["restore"]):
        run = run_main(*command, album, "-o", tmp_path / "outfile")
        assert run.returncode == 2, run.stderr
        assert f"-o {tmp_path / 'outfile'}: {tmp_path / 'outfile'} is a file, not a folder" in (
            run.stderr
        )
        assert "Colorizing" not in run.stderr and "Restoring" not in run.stderr
    assert sorted(p.name for p in album.iterdir()) == ["a.jpg"]
