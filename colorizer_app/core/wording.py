"""Counts said as a person writes them: "1 photo", "3 photos", never "3 photo(s)"."""

from __future__ import annotations


def photos(n: int) -> str:
    return f"{n} photo" if n == 1 else f"{n} photos"
