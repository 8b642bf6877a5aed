"""Colorizer: gives old black-and-white photographs their colour back."""

__version__ = "0.1.0"
