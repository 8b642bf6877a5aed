"""Mix two models of the same network weight by weight (Wortsman et al., "Robust fine-tuning of
zero-shot models", CVPR 2022: WiSE-FT).

    python -m tests.tools.weight_mix START.pt TUNED.pt ALPHA OUT.pt

OUT = (1 - ALPHA) x START + ALPHA x TUNED for every floating-point tensor (BatchNorm's running
statistics too), the rest (counts) from TUNED; the colour knobs from START, the metadata from
TUNED (how it was trained: its encoder trained whole, say), with the mix recorded. A network
fine-tuned on a narrow pool gains there and loses where START was general; a point between the
two often keeps most of both. Evaluate OUT like any model.
"""

from __future__ import annotations

import argparse

from colorizer_app.model.model_file import read_model_file, save_model
from colorizer_app.model.networks import build_network


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("start")
    p.add_argument("tuned")
    p.add_argument("alpha", type=float)
    p.add_argument("out")
    a = p.parse_args(argv)
    start, tuned = read_model_file(a.start), read_model_file(a.tuned)
    if start.preset != tuned.preset or set(start.state_dict) != set(tuned.state_dict):
        raise SystemExit("the two models are not the same network")
    mixed = {}
    for k, t in tuned.state_dict.items():
        s = start.state_dict[k]
        mixed[k] = (1 - a.alpha) * s.float() + a.alpha * t.float() if t.is_floating_point() else t
    model = build_network(start.config, pretrained_backbones=False)
    model.load_state_dict(mixed)
    meta = dict(tuned.metadata)
    meta["weight_mix"] = {"start": a.start, "tuned": a.tuned, "alpha": a.alpha}
    meta["description"] = (
        f"{tuned.metadata.get('description', '')}; mixed {a.alpha:g} with {a.start}"
    )
    save_model(model, a.out, start.preset, meta, half=True)
    print(f"Wrote {a.out}: {1 - a.alpha:g} x {a.start} + {a.alpha:g} x {a.tuned}")


if __name__ == "__main__":
    main()
