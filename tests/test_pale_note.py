"""A photo the shipped model leaves near gray says so, with what makes it bolder: a trial took
the pale Detroit and Buffalo bank for the app not working."""

from __future__ import annotations

from pathlib import Path

from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.engine.session import PALE_NOTE, colorize_for_view

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"


def test_a_photo_left_near_gray_says_why_and_a_coloured_one_does_not():
    shipped = Colorizer("default", device="cpu")
    street = colorize_for_view(shipped, SAMPLES / "detroit-1915.jpg")
    assert PALE_NOTE in street.notes
    portrait = colorize_for_view(shipped, SAMPLES / "migrant-mother-nipomo-1936.jpg")
    assert PALE_NOTE not in portrait.notes and portrait.notes == []
