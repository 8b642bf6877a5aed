"""Draws the app icon (a photo half in gray, half in colour, split by the compare divider) at
every size the platforms ask for: PNGs for Linux and Qt, .ico for Windows, .icns for macOS.

Run: .venv/bin/python resources/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent / "icons"
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


def draw(side: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    r = side // 6
    scene = Image.new("RGB", (side, side))
    s = ImageDraw.Draw(scene)
    for y in range(side):  # sky
        t = y / side
        s.line([(0, y), (side, y)], fill=(int(90 + 120 * t), int(160 + 70 * t), 235))
    s.ellipse([side * 0.62, side * 0.14, side * 0.84, side * 0.36], fill=(255, 214, 90))  # sun
    s.polygon(
        [
            (0, side * 0.72),
            (side * 0.3, side * 0.42),
            (side * 0.55, side * 0.66),
            (side * 0.75, side * 0.5),
            (side, side * 0.72),
            (side, side),
            (0, side),
        ],
        fill=(64, 140, 80),
    )  # hills
    s.rectangle([0, side * 0.78, side, side], fill=(196, 150, 96))  # field
    gray = scene.convert("L").convert("RGB")
    half = side // 2
    scene.paste(gray.crop((0, 0, half, side)), (0, 0))
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [side * 0.06, side * 0.06, side * 0.94, side * 0.94], radius=r, fill=255
    )
    shadow = mask.filter(ImageFilter.GaussianBlur(side // 60))
    img.paste((0, 0, 0, 90), (side // 80, side // 50), shadow)
    img.paste(scene, (0, 0), mask)
    d.line(
        [(half, side * 0.06), (half, side * 0.94)],
        fill=(255, 255, 255, 255),
        width=max(2, side // 64),
    )
    d.rounded_rectangle(
        [half - side * 0.035, side * 0.42, half + side * 0.035, side * 0.58],
        radius=side // 50,
        fill=(255, 255, 255, 255),
    )
    return img


def main() -> None:
    HERE.mkdir(exist_ok=True)
    big = draw()
    for size in SIZES:
        big.resize((size, size), Image.Resampling.LANCZOS).save(HERE / f"colorizer-{size}.png")
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        HERE / "colorizer.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    )
    big.resize((512, 512), Image.Resampling.LANCZOS).save(HERE / "colorizer.icns")


if __name__ == "__main__":
    main()
