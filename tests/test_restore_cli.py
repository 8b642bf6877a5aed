"""`colorizer restore` and `colorizer colorize --restore` as a person runs them (issue 28)."""

from __future__ import annotations

import shutil

import cv2
import numpy as np

from colorizer_app.core.imageio import load_image
from colorizer_app.core.lab import rgb_to_l, rgb_to_lab
from colorizer_app.restore.measure import psnr_l
from tests.conftest import run_cli, run_main

SCRATCHED = "Bringing-Old-Photos-Back-to-Life_old_w_scratch_c.png"


def test_restore_writes_a_repaired_copy_and_never_the_original(tmp_path, data_dir):
    album = tmp_path / "album"
    album.mkdir()
    shutil.copy(data_dir / "old_photos" / SCRATCHED, album / "girl.png")
    shutil.copy(data_dir / "kodak24" / "kodim23.png", album / "parrots.png")
    before = {p.name: p.read_bytes() for p in album.iterdir()}

    run = run_cli("restore", album, "--restore", "all")
    assert run.returncode == 0, run.stderr
    assert "Restored 2, skipped 0" in run.stderr
    assert {p.name: p.read_bytes() for p in album.iterdir() if p.name in before} == before
    repaired = load_image(album / "girl_restored.png").rgb
    original = load_image(album / "girl.png").rgb
    assert repaired.shape == original.shape and not np.array_equal(repaired, original)
    # A clean colour photo comes through almost unchanged (the 35 dB bar on its L).
    clean_l = rgb_to_l(load_image(album / "parrots.png").rgb)
    assert psnr_l(rgb_to_l(load_image(album / "parrots_restored.png").rgb), clean_l) >= 35

    again = run_cli("restore", album, "--restore", "all")
    assert again.returncode == 0 and "Restored 0, skipped 2" in again.stderr


def test_restore_asked_for_nothing_else_leaves_good_prints_and_says_how_to_repair_scratches(
    tmp_path, data_dir
):
    """A trial ran `colorizer restore` (all steps, then) over a folder: a clean bicycle's spokes
    and lettering, Detroit's windows, a trumpet's highlights were filled as damage. Asked for
    nothing else it now repairs fading and grain, each of which leaves a good print as it is;
    scratches are asked for, as the app's switch is, and the run says how. A photo with
    nothing to repair is said so: its copy, as it came, looked like a repair."""
    album = tmp_path / "album"
    album.mkdir()
    shutil.copy(data_dir / "kodak24" / "kodim05.png", album / "bike.png")
    shutil.copy(data_dir / "old_photos" / SCRATCHED, album / "girl.png")
    run = run_cli("restore", album)
    assert run.returncode == 0, run.stderr
    assert (
        "Restoring 2 photos: fading,grain (scratches, dust and cracks too with --restore all"
        in (run.stderr)
    )
    for name in ("bike", "girl"):
        before = rgb_to_l(load_image(album / f"{name}.png").rgb)
        after = rgb_to_l(load_image(album / f"{name}_restored.png").rgb)
        assert psnr_l(after, before) >= 35, name
    girl = next(line for line in run.stderr.splitlines() if "girl.png: restored" in line)
    assert girl.endswith("; note: nothing found to repair"), girl
    # Steps named: no hint (a review saw it after --restore none).
    named = run_cli("restore", album / "girl.png", "--restore", "fading", "-o", tmp_path / "o")
    assert named.returncode == 0 and "Restoring 1 photo: fading\n" in named.stderr, named.stderr


def test_bad_steps_are_refused_before_anything_is_written(tmp_path, data_dir):
    shutil.copy(data_dir / "old_photos" / SCRATCHED, tmp_path / "girl.png")
    for command in (["restore"], ["colorize", "--model", "none.pt"]):
        run = run_main(*command, tmp_path / "girl.png", "--restore", "scratches,dust")
        assert run.returncode == 2
        assert "unknown restoration step 'dust'" in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["girl.png"]


def test_colorize_with_restore_repairs_then_colours(tmp_path, data_dir, tiny_model_path):
    shutil.copy(data_dir / "old_photos" / SCRATCHED, tmp_path / "girl.png")
    out = tmp_path / "out"
    plain = run_cli("colorize", tmp_path / "girl.png", "-o", out / "plain", "--model",
                    tiny_model_path)  # fmt: skip
    fixed = run_cli("colorize", tmp_path / "girl.png", "-o", out / "fixed", "--model",
                    tiny_model_path, "--restore", "all")  # fmt: skip
    assert plain.returncode == 0 and fixed.returncode == 0, fixed.stderr
    assert "repairing (scratches,fading,grain) first" in fixed.stderr
    a = rgb_to_l(load_image(out / "plain" / "girl_colorized.png").rgb)
    b = rgb_to_l(load_image(out / "fixed" / "girl_colorized.png").rgb)
    assert a.shape == b.shape
    # The colour is laid on the repaired L: the scratches' pixels differ, the rest stays close.
    assert 0.001 < float(np.mean(np.abs(a - b) > 5)) < 0.5


def test_restore_alone_says_a_sepia_print_keeps_its_colours(tmp_path, data_dir, tiny_model_path):
    """The smoking woman's print is sepia: a repair alone keeps its tone, and its line says so;
    colorizing it replaces the tone, and that line says that."""
    shutil.copy(data_dir / "old_photos" / "Bringing-Old-Photos-Back-to-Life_old_w_scratch_a.png",
                tmp_path / "sepia.png")  # fmt: skip
    run = run_main("restore", tmp_path / "sepia.png", "--restore", "fading")
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stderr.splitlines() if "sepia_restored.png" in x)
    assert "its colours kept" in line and "replaced" not in line
    assert _chroma(tmp_path / "sepia_restored.png") > 0.5 * _chroma(tmp_path / "sepia.png") > 2

    coloured = run_main("colorize", tmp_path / "sepia.png", "--model", tiny_model_path)
    assert coloured.returncode == 0, coloured.stderr
    assert "its colours are replaced by new ones" in coloured.stderr


def _chroma(path) -> float:
    lab = rgb_to_lab(load_image(path).rgb)
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def test_a_strip_and_a_one_pixel_photo_are_restored_and_a_bad_quality_refused(tmp_path):
    """A review: grain measured in 8 px blocks found none on a side under 8 px and raised
    IndexError ("please report this"); `restore --quality 0` wrote quality-0 JPEGs."""
    from PIL import Image

    rng = np.random.default_rng(3)
    for name, shape in (("strip.png", (5, 900)), ("dot.png", (1, 1))):
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(tmp_path / name)
    run = run_main("restore", tmp_path, "--restore", "all")
    assert run.returncode == 0, run.stderr
    assert "Restored 2, skipped 0" in run.stderr, run.stderr
    assert load_image(tmp_path / "strip_restored.png").size == (900, 5)
    bad = run_main("restore", tmp_path / "dot.png", "--format", "jpg", "--quality", "0")
    assert bad.returncode == 2 and "--quality" in bad.stderr, bad.stderr
    assert not (tmp_path / "dot_restored.jpg").exists()


def test_a_batch_fills_the_damage_as_corrected_in_the_app(tmp_path, data_dir):
    """A trial brushed the boy's pupil and nose back in the app, then ran `colorizer colorize
    --restore all` on the folder: the batch found the damage again and filled them away. A
    photo's correction, kept in the app-data folder, is what a batch fills, and its line says
    so; a photo with none is detected as before."""
    from colorizer_app.engine.restore_records import CorrectedMasks

    album = tmp_path / "album"
    album.mkdir()
    shutil.copy(data_dir / "old_photos" / SCRATCHED, album / "girl.png")
    shutil.copy(data_dir / "old_photos" / SCRATCHED, album / "twin.png")
    user = tmp_path / "user"
    original = load_image(album / "girl.png").rgb
    # The person erased every mark but one square of cracks they want filled.
    kept = np.zeros(original.shape[:2], bool)
    kept[0:40, 25:80] = True
    CorrectedMasks(user / "damage-masks").put(album / "girl.png", kept)

    run = run_main(
        "restore", album, "--restore", "scratches", env_extra={"COLORIZER_USER_DIR": str(user)}
    )
    assert run.returncode == 0, run.stderr
    girl_line = next(line for line in run.stderr.splitlines() if "girl.png: restored" in line)
    assert "damage as corrected in the app" in girl_line
    twin_line = next(line for line in run.stderr.splitlines() if "twin.png: restored" in line)
    assert "damaged pixels filled" in twin_line and "corrected" not in twin_line
    girl = load_image(album / "girl_restored.png").rgb
    twin = load_image(album / "twin_restored.png").rgb
    changed = np.abs(rgb_to_l(girl) - rgb_to_l(original)) > 0.5
    assert changed[kept].any() and not changed[~kept].any()  # the correction, nothing else
    assert (np.abs(rgb_to_l(twin) - rgb_to_l(original)) > 0.5)[~kept].any()  # detected


def test_a_folder_at_an_outputs_name_is_named_as_a_restore_would(tmp_path, data_dir):
    shutil.copy(data_dir / "old_photos" / SCRATCHED, tmp_path / "girl.png")
    (tmp_path / "girl_restored.png").mkdir()
    run = run_main("restore", tmp_path / "girl.png", "--restore", "fading")
    assert run.returncode != 0
    assert "girl.png: not restored: a folder has its output's name" in run.stderr, run.stderr


def test_a_photo_turned_since_its_correction_is_not_filled_sideways(tmp_path, data_dir):
    """A correction is kept by the photo's path and byte size; a file turned in place keeps
    both where the format is uncompressed (a BMP, a TIFF; a JPEG turned by its orientation tag
    alone). The landscape correction was stretched across the portrait photo and its marks
    filled where there was no damage. It is set aside now, the damage found afresh, and the
    line says why."""
    from colorizer_app.engine.restore_records import CorrectedMasks
    from colorizer_app.engine.restoring import UNFIT_NOTE, repair_photo
    from colorizer_app.restore.options import RestoreOptions

    album, user = tmp_path / "album", tmp_path / "user"
    album.mkdir()
    boy = load_image(data_dir / "old_photos" / SCRATCHED).rgb
    wide = cv2.resize(boy, (96, 64), interpolation=cv2.INTER_AREA)  # 96 * 3 and 64 * 3: no pad
    photo = album / "print.bmp"
    assert cv2.imwrite(str(photo), wide[..., ::-1])
    kept = np.zeros((64, 96), bool)
    kept[20:44, 10:86] = True  # a broad band marked by hand across the landscape print
    CorrectedMasks(user / "damage-masks").put(photo, kept)
    size = photo.stat().st_size
    assert cv2.imwrite(str(photo), np.ascontiguousarray(np.rot90(wide))[..., ::-1])
    assert photo.stat().st_size == size  # the same key: the correction is found for it
    assert CorrectedMasks(user / "damage-masks").get(photo) is not None

    run = run_main(
        "restore", album, "--restore", "scratches", env_extra={"COLORIZER_USER_DIR": str(user)}
    )
    assert run.returncode == 0, run.stderr
    line = next(line for line in run.stderr.splitlines() if "print.bmp: restored" in line)
    assert UNFIT_NOTE in line and "as corrected in the app" not in line, line
    turned = load_image(photo).rgb
    detected = repair_photo(turned, RestoreOptions(scratches=True))
    assert np.array_equal(load_image(album / "print_restored.bmp").rgb, detected)


def test_a_panoramas_correction_is_filled_at_full_size(tmp_path, data_dir):
    """A review: a 7000 x 1000 panorama's correction (its 1024 x 146 preview) was judged made on
    another photo (146 x 7 is 1022, not 1024) and set aside at full size: the person had erased
    every mark, and the saved copy had the detected damage filled. It is the photo's, and
    filled as the person left it: here nothing, so the copy is the photo."""
    from colorizer_app.engine.restore_records import CorrectedMasks

    album, user = tmp_path / "album", tmp_path / "user"
    album.mkdir()
    boy = load_image(data_dir / "old_photos" / SCRATCHED).rgb
    wide = cv2.resize(boy, (7000, 1000), interpolation=cv2.INTER_LINEAR)
    assert cv2.imwrite(str(album / "group.png"), wide[..., ::-1])
    CorrectedMasks(user / "damage-masks").put(album / "group.png", np.zeros((146, 1024), bool))

    run = run_main(
        "restore", album, "--restore", "scratches", env_extra={"COLORIZER_USER_DIR": str(user)}
    )
    assert run.returncode == 0, run.stderr
    line = next(line for line in run.stderr.splitlines() if "group.png: restored" in line)
    assert "as corrected in the app" in line and "turned" not in line, line
    assert np.array_equal(load_image(album / "group_restored.png").rgb, wide)


def test_a_gray_scan_is_restored_to_a_gray_file_at_its_resolution(tmp_path, data_dir):
    """A trial's gray 600 dpi scan came back as an RGB file half as large again, with no
    resolution: an archive of gray scans grew, and its copies printed at another size."""
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.open(data_dir / "old_photos" / SCRATCHED).convert("L").save(scan, dpi=(600, 600))
    run = run_cli("restore", scan, "--restore", "all")
    assert run.returncode == 0, run.stderr
    with Image.open(tmp_path / "scan_restored.png") as im:
        assert im.mode == "L" and tuple(round(d) for d in im.info["dpi"]) == (600, 600)
        repaired = np.asarray(im)
    with Image.open(scan) as im:
        assert repaired.shape == np.asarray(im).shape
        assert not np.array_equal(repaired, np.asarray(im))  # its scratches were filled


def _gray_profile() -> bytes:
    """A small valid ICC v2 Gray profile (gamma 2.2), as a scanner's gray scans carry."""
    import struct

    def s15(x: float) -> bytes:
        return struct.pack(">i", round(x * 65536))

    text = b"Gray 2.2\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    wtpt = b"XYZ " + bytes(4) + s15(0.9642) + s15(1.0) + s15(0.8249)
    trc = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0233) + bytes(2)
    tags = [(b"desc", desc), (b"wtpt", wtpt), (b"kTRC", trc)]
    table, data, start = struct.pack(">I", len(tags)), b"", 128 + 4 + 12 * len(tags)
    for sig, body in tags:
        body += bytes(-len(body) % 4)
        table += sig + struct.pack(">II", start + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", 128 + len(table) + len(data)) + bytes(4) + struct.pack(">I", 0x02100000)
        + b"mntrGRAYXYZ " + bytes(12) + b"acsp" + bytes(36)
        + s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(48)
    )  # fmt: skip
    return header + table + data


def test_a_gray_scans_gray_profile_goes_with_its_gray_copy(tmp_path, data_dir):
    """Its line said "its GRAY ICC profile was not copied: the copy is RGB" of a copy that was
    gray, without the profile (a review): a gray copy carries it."""
    from PIL import Image

    profile = _gray_profile()
    scan = tmp_path / "scan.png"
    Image.open(data_dir / "old_photos" / SCRATCHED).convert("L").save(scan, icc_profile=profile)
    run = run_cli("restore", scan, "--restore", "all")
    assert run.returncode == 0, run.stderr
    assert "ICC profile" not in run.stderr, run.stderr
    with Image.open(tmp_path / "scan_restored.png") as im:
        assert im.mode == "L" and im.info.get("icc_profile") == profile


def test_a_gray_scan_tagged_with_an_rgb_profile_keeps_it(tmp_path, data_dir):
    """A gray scan a program tagged sRGB: its copy was written gray, and the profile, which a
    gray file cannot carry, dropped without a word (a review). It stays RGB with its profile."""
    from PIL import Image, ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    scan = tmp_path / "scan.png"
    gray = Image.open(data_dir / "old_photos" / SCRATCHED).convert("L")
    gray.save(scan, icc_profile=profile)  # libpng warns, yet such files exist
    run = run_cli("restore", scan, "--restore", "all")
    assert run.returncode == 0, run.stderr
    assert "ICC profile" not in run.stderr, run.stderr
    with Image.open(tmp_path / "scan_restored.png") as im:
        assert im.info.get("icc_profile") == profile
        repaired = np.asarray(im.convert("RGB"))
    assert repaired.shape[:2] == np.asarray(gray).shape
    assert not np.array_equal(repaired[..., 0], np.asarray(gray))  # its scratches were filled


def test_a_photo_with_nothing_to_repair_is_copied_as_the_file_it_is(tmp_path, data_dir):
    """An archivist's trial: "nothing found to repair", and the copy a re-encoded JPEG 27%
    larger, its pixels up to 7 levels off. With nothing to repair the copy is the file."""
    from PIL import Image

    scan = tmp_path / "girl.jpg"
    Image.open(data_dir / "old_photos" / SCRATCHED).convert("L").save(scan, quality=88)
    run = run_cli("restore", scan, "--restore", "fading")
    assert run.returncode == 0, run.stderr
    assert "note: nothing found to repair" in run.stderr, run.stderr
    assert (tmp_path / "girl_restored.jpg").read_bytes() == scan.read_bytes()
    # Asked to repair nothing (a review: re-encoded, as before), the file too, and no word.
    none = run_main("restore", scan, "--restore", "none", "-o", tmp_path / "none")
    assert none.returncode == 0 and "nothing found" not in none.stderr, none.stderr
    assert (tmp_path / "none" / "girl_restored.jpg").read_bytes() == scan.read_bytes()
    again = run_cli("restore", scan, "--restore", "fading", "--format", "png", "-o", tmp_path / "o")
    assert again.returncode == 0, again.stderr  # another format: the photo saved as that
    assert np.array_equal(
        load_image(tmp_path / "o" / "girl_restored.png").rgb, load_image(scan).rgb
    )


def test_an_xmp_too_large_for_a_jpeg_copy_is_said_not_dropped_silently(tmp_path, data_dir):
    """An archive's TIFF master with 90 KB of XMP (its catalogue record and history), restored to
    JPEG copies for the web: the XMP was left out of every copy without a word. A JPEG holds
    64 KB of it; the line says so and what keeps it, and a TIFF copy keeps it."""
    from PIL import Image

    record = "".join(
        f"<rdf:li>Accession 1987.12.{i}: condition checked</rdf:li>" for i in range(1800)
    )
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{record}</x:xmpmeta>'.encode()
    assert len(xmp) > 66_000
    scan = tmp_path / "master.tif"
    Image.open(data_dir / "old_photos" / SCRATCHED).convert("L").save(scan, tiffinfo={700: xmp})
    run = run_main("restore", scan, "--restore", "all", "--format", "jpg")
    assert run.returncode == 0, run.stderr
    line = next(line for line in run.stderr.splitlines() if "master.tif" in line)
    assert "XMP (" in line and "not in the copy" in line and "TIFF" in line, run.stderr
    with Image.open(tmp_path / "master_restored.jpg") as im:  # written, its EXIF without it
        assert im.size == Image.open(scan).size and 700 not in im.getexif()
    kept = run_main("restore", scan, "--restore", "all", "-o", tmp_path / "tif")
    assert kept.returncode == 0 and "XMP" not in kept.stderr, kept.stderr
    with Image.open(tmp_path / "tif" / "master_restored.tif") as im:
        assert im.info.get("xmp") == xmp
