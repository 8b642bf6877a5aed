"""Headless core: colour space, image files and the Colorizer. Never imports Qt."""
