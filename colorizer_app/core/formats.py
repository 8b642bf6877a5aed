"""The output formats `colorizer colorize --format` offers, by name.

Light on purpose (no NumPy, OpenCV or torch): the CLI builds its parser from these on every
start, `colorizer --help` included. What each is written as: core/imagesave.py.
"""

OUTPUT_FORMATS = ("same", "png", "jpg", "tiff", "webp", "bmp")
