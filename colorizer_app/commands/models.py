"""`colorizer models ...`: list, inspect and create model files, through engine.catalog and
engine.model_files (torch is imported only when a command runs, so the parser stays light)."""

from __future__ import annotations

import argparse

from .console import EXIT_OK, fail, say


def out_refused(out: str, overwrite: bool) -> str:
    """Why OUT must not be written ("" when it may): a folder, or a file already there without
    --overwrite (init wrote an untrained model over a trained one without a word: a review)."""
    from ..core.builtin_files import check_not_builtin
    from ..training.outputs import model_file_problem

    check_not_builtin(out)  # a built-in model's file: said as such (a ModelError), never written
    return model_file_problem(out, overwrite) or ""


# ---- the commands ----------------------------------------------------------------------------


def cmd_models_list(args: argparse.Namespace) -> int:
    from ..engine.catalog import list_models

    entries = list_models()
    if not entries:
        say("No models installed. Train one with `colorizer train`, or reinstall Colorizer.")
    else:  # headed, as a person reads a table (a trial found the columns unnamed)
        say(f"{'NAME':<24} {'KIND':<9} FILE")
    for e in entries:
        state = "" if e.path.is_file() else "  (file missing)"
        say(f"{e.name:<24} {e.kind:<9} {e.path}{state}")
    return EXIT_OK


def cmd_models_info(args: argparse.Namespace) -> int:
    from ..engine.model_files import describe_model

    for line in describe_model(args.model):
        say(line)
    return EXIT_OK


def cmd_models_init(args: argparse.Namespace) -> int:
    from ..engine.model_files import write_untrained

    refused = out_refused(args.out, args.overwrite)
    if refused:
        return fail(refused)
    path, preset = write_untrained(args.preset, args.out)
    print(f"Wrote {path} (preset {preset}; untrained: train it with `colorizer train`)")
    return EXIT_OK


def cmd_models_set_colour(args: argparse.Namespace) -> int:
    from ..engine.model_files import COLOUR_KNOBS, with_colour_settings

    refused = out_refused(args.out, args.overwrite)
    if refused:
        return fail(refused)
    knobs = {k: getattr(args, k) for k in COLOUR_KNOBS if getattr(args, k) is not None}
    if not knobs:
        return fail(
            "name at least one of --strength, --uncertain-strength, --certain-strength, "
            "--neutral-prior"
        )
    path, config = with_colour_settings(args.model, args.out, args.note or "", knobs)
    print(
        f"Wrote {path}: colour strength {config.colour_strength:g}, where unsure "
        f"{config.uncertain_strength:g}, where sure {config.certain_strength:g}, neutral prior "
        f"{config.neutral_prior:g} (same weights)"
    )
    return EXIT_OK


def cmd_models_combine(args: argparse.Namespace) -> int:
    from ..engine.model_files import combine_models

    refused = out_refused(args.out, args.overwrite)
    if refused:
        return fail(refused)
    path = combine_models(args.models, args.out, args.note or "")
    size = path.stat().st_size / 1e6
    print(
        f"Wrote {path} ({size:.1f} MB): {len(args.models)} models colouring as one. Choose its "
        "colour on your validation photos with `colorizer models set-colour`."
    )
    return EXIT_OK


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from ..engine.model_files import fetch_backbones

    for path in fetch_backbones(args.names or None):
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
    m.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
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
    m.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    m.set_defaults(func=cmd_models_set_colour)
    m = msub.add_parser(
        "combine",
        help="write an ensemble: trained bins-head models whose colour distributions are "
        "averaged (their files unchanged)",
    )
    m.add_argument("out", metavar="OUT")
    m.add_argument("models", nargs="+", metavar="NAME|PATH", help="two or more models")
    m.add_argument("--note", help="why these members (kept in the model's metadata)")
    m.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    m.set_defaults(func=cmd_models_combine)
    m = msub.add_parser(
        "fetch-backbones", help="download torchvision's VGG16/ResNet50/Inception-v3 weights"
    )
    m.add_argument("names", nargs="*", help="vgg16, resnet50, inception_v3 (default: all)")
    m.set_defaults(func=cmd_models_fetch)
