"""Choose a bins-head model's colour knobs on validation photos, running the network once.

    python -m tests.tools.colour_search MODEL DATA... --split validation \
        --variant 0.6,1.35,0 --variant 0.6,1.35,2 ...

Each variant is `uncertain,certain,neutral[,strength[,t]]` (HybridConfig's uncertain_strength,
certain_strength, neutral_prior, colour_strength and anneal_t, the annealed mean's temperature).
Every photo goes through the evaluate protocol (`training.evaluate`: 256 x 256, colorized from L
alone, compared in RGB) once per variant, but the network's head is computed once per photo and
only decoded per variant, so a search over many variants costs about one evaluation. Prints, per
folder and variant: PSNR, colourfulness and the share of photos more than 1 dB below gray; and
the mean over folders.
The chosen knobs are then written with `colorizer models set-colour` and checked with
`colorizer evaluate`, which must give the same figures.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F

from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.model import ab_bins
from colorizer_app.model.ensemble import EnsembleColorizer
from colorizer_app.training.data import scan_folders, split_photos, validation_split
from colorizer_app.training.evaluate import GRAY, evaluate


class _Heads:
    """The network's bin logits per input, computed once and shared by every variant."""

    def __init__(self, net):
        self.net = net
        self.cache: dict[str, torch.Tensor] = {}

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        key = hashlib.sha1(x.cpu().numpy().tobytes()).hexdigest()
        if key not in self.cache:
            with torch.inference_mode():
                if isinstance(self.net, EnsembleColorizer):
                    head = self.net.head_output(x)
                else:
                    head = self.net.head_output(x, *self.net.encode(x))
            self.cache[key] = head.float()
        return self.cache[key]


class _Variant(torch.nn.Module):
    """Stands in for the network inside a Colorizer: the shared head, decoded with its knobs."""

    def __init__(self, heads: _Heads, uncertain: float, certain: float, neutral: float, t: float):
        super().__init__()
        self.heads, self.knobs = heads, (uncertain, certain, neutral)
        self.register_buffer("ab_bins", heads.net.ab_bins.float().clone())
        self.anneal_t = t

    def with_choices(self, x: torch.Tensor, k: int):
        head = self.heads(x)
        ab = ab_bins.shown_colour(head, self.ab_bins, self.anneal_t, *self.knobs)
        return F.interpolate(ab, size=x.shape[-2:], mode="bilinear", align_corners=False), None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("data", nargs="+")
    p.add_argument("--split", choices=["validation", "test", "all"], default="validation")
    p.add_argument("--split-by", default="file")
    p.add_argument("--min-colorfulness", type=float, default=5.0)
    p.add_argument("--limit", type=int)
    p.add_argument("--variant", action="append", required=True)
    args = p.parse_args()

    base = Colorizer(args.model, device="cpu")
    heads = _Heads(base.net)
    colorizers = {}
    for text in args.variant:
        values = [float(v) for v in text.split(",")]
        uncertain, certain, neutral = values[:3]
        strength = values[3] if len(values) > 3 else base.config.colour_strength
        t = values[4] if len(values) > 4 else base.config.anneal_t
        colorizers[text] = Colorizer(base.net, device="cpu")  # the loaded network, shared
        colorizers[text].config = replace(base.config, colour_strength=strength)
        colorizers[text].net = _Variant(heads, uncertain, certain, neutral, t)

    totals: dict[str, list[tuple[float, float, float]]] = {n: [] for n in [GRAY, *colorizers]}
    for folder in args.data:
        photos = scan_folders(
            [Path(folder)],
            split_by=args.split_by,
            min_colorfulness=args.min_colorfulness,
            keep_side=256,
        ).usable
        if args.split == "test":
            photos = split_photos(photos)[1]
        elif args.split == "validation":
            photos = validation_split(split_photos(photos)[0])[1]
        photos = photos[: args.limit] if args.limit else photos
        result = evaluate(colorizers, photos, sample_count=0)
        heads.cache.clear()
        print(f"{Path(folder).name} ({len(photos)}; truth CF {result.truth_colorfulness:.1f})")
        for row in result.rows:
            totals[row.model].append((row.psnr, row.colorfulness, row.below_gray))
            print(
                f"  {row.model:>22}  {row.psnr:6.2f} dB  CF {row.colorfulness:5.1f}  "
                f"below gray {100 * row.below_gray:4.0f}%"
            )
    print("mean over folders")
    for name, rows in totals.items():
        t = torch.tensor(rows).mean(0).tolist()
        worst = max(r[2] for r in rows)
        print(
            f"  {name:>22}  {t[0]:6.3f} dB  CF {t[1]:5.1f}  below gray {100 * t[2]:4.1f}% "
            f"(worst set {100 * worst:.0f}%)"
        )


if __name__ == "__main__":
    main()
