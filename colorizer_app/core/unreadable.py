"""Why a photo file cannot be read, in words a person can act on.

A decoder's own message ("cannot identify image file", "44 bytes not processed") says nothing
to someone with a shoebox of scans; these name the kind of file, what is wrong with it and where
to get a good copy.
"""

from __future__ import annotations

from pathlib import Path


def why_unreadable(path: Path, data: bytes, heif_readable: bool) -> str:
    """What is wrong with a file no decoder could open, and what to do about it."""
    suffix = path.suffix.lower()
    if suffix in (".heic", ".heif") or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        if heif_readable:
            return "a damaged HEIC/HEIF file (it cannot be decoded); try the original file again"
        return (
            "a HEIC/HEIF photo, which this installation cannot read; install pillow-heif, "
            "or export it as JPEG"
        )
    for magic, kind in _SIGNATURES.items():
        if data.startswith(magic):
            # A trial's JPEG cut off after 20 KB was called one whose "header cannot be read":
            # true, but what the person needs to know is that the file is incomplete.
            return incomplete(kind, data) or (
                f"a damaged {kind} file (its header cannot be read); try the original file again"
            )
    return "not an image or an unsupported format; use JPEG, PNG, TIFF, BMP, WebP, GIF or AVIF"


# What a whole file of a kind ends with: JPEG's end-of-image marker, PNG's last chunk.
_ENDS = {"JPEG": b"\xff\xd9", "PNG": b"IEND"}


def incomplete(kind: str, data: bytes) -> str | None:
    """Why a file of `kind` cut off before its end cannot be read; None if it is whole. A whole
    file may carry bytes after its end: padding to a card's block (zeros or 0xFF), or a
    camera's trailer; a review found such a damaged JPEG called "incomplete"."""
    end = _ENDS.get(kind)
    if end is None or end in data.rstrip(b"\x00\xff \r\n\t")[-64:]:
        return None
    if kind == "PNG" and end + b"\xae\x42\x60\x82" in data:  # IEND and its checksum
        return None
    return (
        f"an incomplete {kind} file (it stops after {_size(len(data))}, before its picture is "
        "whole); copy it again from the card, scanner or backup"
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


_SIGNATURES = {
    b"\x89PNG": "PNG",
    b"\xff\xd8": "JPEG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"RIFF": "WebP",
}
