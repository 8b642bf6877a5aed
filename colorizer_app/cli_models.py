"""`colorizer models ...`: list, inspect and create model files (torch is imported only when a
command runs, so the parser stays light)."""

from __future__ import annotations

import argparse

from .cli_exits import EXIT_OK, fail

# ---- the commands ----------------------------------------------------------------------------


def _say(text: str) -> None:
    """One line on stdout with what names and metadata hold shown safely: a model's name or note
    with terminal escape codes in it must not move the cursor or retitle the terminal."""
    from .core.progress import printable

    print(printable(text))


def cmd_models_list(args: argparse.Namespace) -> int:
    from .engine.catalog import list_models

    entries = list_models()
    if not entries:
        _say("No models installed. Train one with `colorizer train`, or reinstall Colorizer.")
    for e in entries:
        state = "" if e.path.is_file() else "  (file missing)"
        _say(f"{e.name:<24} {e.kind:<9} {e.path}{state}")
    return EXIT_OK


def cmd_models_info(args: argparse.Namespace) -> int:
    import json

    from .engine.catalog import open_model, resolve_model
    from .model.backbones import REGISTRY
    from .model.ensemble import member_configs
    from .model.model_file import sha256_of

    entry = resolve_model(args.model)
    mf = open_model(args.model)
    _say(f"name:      {entry.name} ({entry.kind})")
    _say(f"file:      {entry.path}  ({entry.path.stat().st_size / 1e6:.1f} MB)")
    _say(f"sha256:    {sha256_of(entry.path)}")
    _say(f"preset:    {mf.preset}")
    members = member_configs(mf.config) if mf.config.members else [mf.config]
    if len(members) > 1:
        _say(f"ensemble:  {len(members)} models, their colour distributions averaged")
    for i, config in enumerate(members):
        if len(members) > 1:
            recorded = mf.metadata.get("members", [])
            source = recorded[i].get("file") if i < len(recorded) else None
            _say(f"member {i + 1}:  from {source or 'a model file'}")
        if not config.pretrained_encoder:
            continue
        source = REGISTRY[config.encoder].source if config.encoder in REGISTRY else ""
        how = (
            "pretrained, its stride-32 stages tuned for colour"
            if mf.metadata.get("tuned_encoder_top")
            else "frozen, pretrained"
        )
        fused = "; also the fused classifier" if config.fuse_classes else ""
        _say(f"encoder:   {config.encoder}, {how}{fused}")
        _say(f"           {source}")
    _say("backbones: " + (", ".join(mf.config.backbones) or "none"))
    for b in mf.config.backbones:
        _say(f"           {b}: {REGISTRY[b].source}" if b in REGISTRY else f"           {b}")
    _say("config:    " + json.dumps(mf.config.to_dict()))
    _say("metadata:")
    for k, v in mf.metadata.items():
        _say(f"  {k}: {json.dumps(v) if isinstance(v, (dict, list)) else v}")
    return EXIT_OK


def cmd_models_init(args: argparse.Namespace) -> int:
    from .model.model_file import save_model
    from .model.networks import build_network
    from .model.presets import get_preset

    preset = get_preset(args.preset)
    model = build_network(preset.config, pretrained_backbones=True)
    path = save_model(
        model,
        args.out,
        preset.name,
        {
            "trained": False,
            "note": "fresh, untrained decoder: its colours mean nothing until it is trained",
            "description": preset.description,
        },
    )
    print(f"Wrote {path} (preset {preset.name}; untrained: train it with `colorizer train`)")
    return EXIT_OK


def cmd_models_set_colour(args: argparse.Namespace) -> int:
    from .engine.catalog import open_model
    from .model.colour_knobs import COLOUR_KNOBS
    from .model.transforms import with_colour

    knobs = {k: getattr(args, k) for k in COLOUR_KNOBS if getattr(args, k) is not None}
    if not knobs:
        return fail(
            "name at least one of --strength, --uncertain-strength, --certain-strength, "
            "--neutral-prior"
        )
    source = open_model(args.model)
    path = with_colour(source, args.out, note=args.note or "", **knobs)
    config = open_model(path).config
    print(
        f"Wrote {path}: colour strength {config.colour_strength:g}, where unsure "
        f"{config.uncertain_strength:g}, where sure {config.certain_strength:g}, neutral prior "
        f"{config.neutral_prior:g} (same weights)"
    )
    return EXIT_OK


def cmd_models_combine(args: argparse.Namespace) -> int:
    from .engine.catalog import open_model
    from .model.transforms import combine

    path = combine([open_model(m) for m in args.models], args.out, note=args.note or "")
    size = path.stat().st_size / 1e6
    print(
        f"Wrote {path} ({size:.1f} MB): {len(args.models)} models colouring as one. Choose its "
        "colour on your validation photos with `colorizer models set-colour`."
    )
    return EXIT_OK


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from .model.backbones import fetch_torchvision_backbones

    for path in fetch_torchvision_backbones(args.names or None):
        print(f"ok  {path}")
    return EXIT_OK


# ---- the parser -------------------------------------------------------------------------------


def add_models_command(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="list, inspect and create model files")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    m = msub.add_parser("list", help="installed models (built-in and yours)")
    m.set_defaults(func=cmd_models_list)
    m = msub.add_parser("info", help="what a model is, how it was made, its scores")
    m.add_argument("model", metavar="NAME|PATH")
    m.set_defaults(func=cmd_models_info)
    m = msub.add_parser("init", help="write a fresh, untrained model of a preset")
    m.add_argument("--preset", required=True)
    m.add_argument("out", metavar="OUT")
    m.set_defaults(func=cmd_models_init)
    m = msub.add_parser(
        "set-colour",
        help="write a copy of a model with another colour strength (its weights unchanged)",
    )
    m.add_argument("model", metavar="NAME|PATH")
    m.add_argument("out", metavar="OUT")
    m.add_argument(
        "--strength",
        dest="colour_strength",
        type=float,
        help="the model's own colour strength: its colour is scaled by this (0 to 2)",
    )
    m.add_argument(
        "--uncertain-strength",
        type=float,
        help="bins-head models: the scale where the model is unsure of the colour (0 to 2)",
    )
    m.add_argument(
        "--certain-strength",
        type=float,
        help="bins-head models: the scale where it is sure; between the two it follows the "
        "certainty of each spot (0 to 2)",
    )
    m.add_argument(
        "--neutral-prior",
        type=float,
        help="bins-head models: how strongly a spot the model is unsure of leans to gray "
        "rather than to a guessed colour (0 to 10; 0: off)",
    )
    m.add_argument("--note", help="why these settings (kept in the model's metadata)")
    m.set_defaults(func=cmd_models_set_colour)
    m = msub.add_parser(
        "combine",
        help="write an ensemble: trained bins-head models whose colour distributions are "
        "averaged (their files unchanged)",
    )
    m.add_argument("out", metavar="OUT")
    m.add_argument("models", nargs="+", metavar="NAME|PATH", help="two or more models")
    m.add_argument("--note", help="why these members (kept in the model's metadata)")
    m.set_defaults(func=cmd_models_combine)
    m = msub.add_parser(
        "fetch-backbones", help="download torchvision's VGG16/ResNet50/Inception-v3 weights"
    )
    m.add_argument("names", nargs="*", help="vgg16, resnet50, inception_v3 (default: all)")
    m.set_defaults(func=cmd_models_fetch)
