"""Where a training run writes (its model file and the checkpoint beside it), checked before any
photo is read: a run learns for minutes or hours, and only then wrote its model over a trained
one, into a folder it could not write, or its checkpoint over an earlier run's (a review).

Light on purpose (no torch): the commands check before they import the training stack.
"""

from __future__ import annotations

from pathlib import Path

CHECKPOINT_SUFFIX = ".ckpt"


def checkpoint_path(output: str | Path) -> Path:
    """The checkpoint beside a model file: m.pt -> m.ckpt. A name not ending in .pt keeps all of
    it (run_lr0.001 -> run_lr0.001.ckpt): with_suffix made both run_lr0.001 and run_lr0.0005 into
    run_lr0.ckpt, and one run's --resume went on from the other's weights."""
    output = Path(output)
    if output.suffix == ".pt":
        return output.with_suffix(CHECKPOINT_SUFFIX)
    return output.with_name(output.name + CHECKPOINT_SUFFIX)


def model_file_problem(output: str | Path, overwrite: bool) -> str | None:
    """Why a model file cannot be written at `output` as asked (a folder there, or a file
    without `overwrite`), or None: every command that writes a model asks it."""
    output = Path(output)
    if output.is_dir():
        return f"{output} is a folder: give the model a file name, e.g. {output / 'model.pt'}"
    if output.exists() and not overwrite:
        return f"{output} already exists; choose another name, or --overwrite to replace it"
    return None


def output_problem(output: str | Path, resume: bool, overwrite: bool) -> str | None:
    """Why a run cannot start writing `output` as asked, said so that a person can mend it, or
    None. `resume`: it goes on from the checkpoint beside `output`, which must be there.
    `overwrite`: an existing model file (and an earlier run's checkpoint) may be replaced."""
    output = Path(output)
    ckpt = checkpoint_path(output)
    if output.suffix == CHECKPOINT_SUFFIX:
        return f"{output}: a model file cannot end in {CHECKPOINT_SUFFIX} (its checkpoint's does)"
    if resume:
        folder = model_file_problem(output, overwrite=True)  # a folder; the file may be there
        if folder is None and not ckpt.is_file():
            return (
                f"--resume: there is no checkpoint at {ckpt} to go on from; run without --resume "
                "to start afresh"
            )
        return folder
    if not overwrite and ckpt.exists() and not output.is_dir():
        return (
            f"{ckpt}: an earlier run's checkpoint is there; --resume goes on from it, "
            "--overwrite starts afresh over it"
        )
    return model_file_problem(output, overwrite)
