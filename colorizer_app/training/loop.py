"""The one training loop: `colorizer train` (every preset), `colorizer finetune` and the GUI's
advanced panel all run `run`; what differs between networks is a StepTask (how a batch is read,
its loss, the held-out scores): photo_task.PhotoTask for the paper-style networks,
semantic.SemanticTask for the pretrained-encoder (`scenes`) ones.

A checkpoint is a model file (loadable as it is) with the optimizer and step added, written
atomically: a stop request, Ctrl+C or a crash always leaves the last good one. The data order and
every augmentation are functions of (seed, epoch, index), so `resume` continues exactly.

Under torchrun (core/distributed.py) every process walks the same global order, trains on its
own contiguous part of each global batch (`batch_size` stays the global batch), and
DistributedDataParallel averages the gradients; each part's loss is weighted by its share, so
the step is the one a single process would take on the whole batch (up to BatchNorm statistics,
which are per process on CPUs, where SyncBatchNorm does not run). Only the first process writes
checkpoints and reports progress; a stop is taken by all processes at the same step. A step is
a global batch, so a run resumes with any number of processes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingCancelled, TrainingError
from ..model.model_file import model_payload, read_model_file, write_payload
from ..model.networks import ColorNet, as_module

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """How the loop runs, whatever the network (its objective's own options are its task's)."""

    epochs: int | None = 10  # None: until max_steps
    max_steps: int | None = None  # stops earlier than `epochs` if reached
    batch_size: int = 20  # the global batch under torchrun
    lr: float = 1e-3
    loss: str = "mse"
    cf_weight: float | None = None  # colourfulness-shortfall weight; None: the loss's default
    schedule: str = "constant"  # or "cosine" (cosine_lr): decays towards cosine_floor x lr
    # 0.05 for the paper presets; the scenes pipeline keeps 0.02, what its shipped models had.
    cosine_floor: float = 0.05
    weight_decay: float = 0.0
    freeze_encoder: bool = False
    device: str = "cpu"
    seed: int = 0
    num_workers: int = 0
    checkpoint: Path | None = None
    checkpoint_every: int = 200
    resume: bool = False
    early_stopping_patience: int | None = None  # evaluations without a better held-out score
    # When to score the held-out photos: None at each epoch's end, N every N steps, 0 only at
    # the end (always at the end as well).
    eval_every: int | None = None
    keep_best: bool = False  # hand back (and checkpoint) the best-scoring weights, not the last
    # Train with the BatchNorm running statistics the model learnt kept as they are (fine-tuning
    # on a person's few photos): updated from batches of 8, they moved a trained model's answers
    # more than its weights did (a fine-tune at a learning rate of 1e-12 lost 0.64 dB in 8
    # steps). Layers that never learnt theirs (an untrained network's) still learn them.
    batch_norm_frozen: bool = False
    preset: str = "custom"
    metadata: dict = field(default_factory=dict)


@dataclass
class Progress:
    step: int
    total_steps: int
    epoch: int
    epochs: int
    loss: float
    images_per_s: float
    eta_s: float
    val: dict | None = None  # set once per epoch: {"loss": .., "psnr": ..}


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    val: list[dict] = field(default_factory=list)
    stopped: bool = False
    early_stopped: bool = False
    best_val_loss: float | None = None
    step: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def save_checkpoint(path: Path, model, optimizer, state: dict, config, history: History) -> None:
    """A model file (loadable as it is) with the optimizer and step added, written atomically."""
    payload = model_payload(
        model,
        config.preset,
        {
            **config.metadata,
            "checkpoint": True,
            "steps": state["step"],
            "history": history.to_dict(),
        },
    )
    payload["training"] = {"optimizer": optimizer.state_dict(), **state}
    write_payload(path, payload)


def cosine_lr(base_lr: float, step: int, total_steps: int, floor: float) -> float:
    """The learning rate before `step` (0-based) of `total_steps` under cosine decay from
    `base_lr` towards `floor` x `base_lr`. The one schedule of both loops; each keeps its own
    floor: `fit` 0.05, `fit_semantic` 0.02 (what the shipped scenes models were trained with)."""
    return base_lr * (
        floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * step / max(total_steps, 1)))
    )


def _epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n, generator=g).tolist()


def global_batches(n: int, batch_size: int, world: int) -> int:
    """Global batches per epoch. Under torchrun a last batch too small to give every process a
    photo is left out (by every process alike)."""
    full, rest = divmod(n, batch_size)
    return full + (1 if rest >= world else 0)


class StepTask(Protocol):
    """What `run` needs of one kind of network: the one thing that differs between presets."""

    model: ColorNet  # what checkpoints hold and resume into
    # Said when a checkpoint's optimizer does not fit this run's (another set of trained parts).
    options_hint: str

    def module(self) -> torch.nn.Module:
        """What a step's forward runs through (DistributedDataParallel wraps it under
        torchrun); its parameters include every trained one."""
        ...

    def optimizer(self) -> torch.optim.Optimizer: ...

    def train_size(self) -> int:
        """Training items per epoch; the loop orders and batches their indices."""
        ...

    def batches(self, epoch: int, parts: list[list[int]]) -> Iterable[Any]:
        """This process's part of each global batch of the epoch, read (in workers or here)."""
        ...

    def loss(self, net: torch.nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        """The mean loss of one part, through `net` (the module, maybe wrapped)."""
        ...

    def evaluate(self, device: torch.device) -> dict | None:
        """Held-out scores (None without held-out photos)."""
        ...

    def score(self, metrics: dict) -> float:
        """Lower is better: what early stopping and keep_best compare."""
        ...

    def legacy_best(self, training: dict) -> float:
        """The best score of a checkpoint written before checkpoints said `best_score`."""
        ...

    def load_weights(self, state_dict: dict) -> None: ...

    def finish(self) -> None:
        """After training (e.g. freeze again what was tuned)."""
        ...


def _resume(task: StepTask, optimizer, path: Path) -> tuple[int, float, int, dict | None, History]:
    """(step, best score, evaluations without a better one, best weights, history) of a
    checkpoint, its weights and optimizer loaded."""
    ckpt = read_model_file(path)  # read once: weights, optimizer, step
    if ckpt.training is None:
        raise TrainingError(f"{path}: not a training checkpoint; cannot resume")
    try:
        task.load_weights(ckpt.state_dict)
    except RuntimeError as exc:  # another preset's or network's weights: a page of key names
        first = str(exc).splitlines()[0]
        raise TrainingError(
            f"{path}: a checkpoint of another kind of model ({first[:120]}); resume with the "
            "preset and options it was started with, or start afresh with --overwrite"
        ) from None
    try:
        optimizer.load_state_dict(ckpt.training["optimizer"])
    except ValueError:
        raise TrainingError(
            f"{path}: made with other options ({task.options_hint}); resume with the options it "
            "was started with, or start afresh without --resume"
        ) from None
    training = ckpt.training
    best = float(training["best_score"]) if "best_score" in training else task.legacy_best(training)
    saved = ckpt.metadata.get("history") or {}
    history = History(**{k: v for k, v in saved.items() if k in History.__dataclass_fields__})
    history.stopped = False
    log.info("resuming from %s at step %d", path, int(training["step"]))
    return (
        int(training["step"]),
        best,
        int(training.get("bad_epochs", 0)),
        training.get("best_state"),
        history,
    )


def _wrap(module: torch.nn.Module, device: torch.device, group: Group) -> torch.nn.Module:
    """The module a step runs through: DistributedDataParallel under torchrun (which also
    starts every process from the first one's weights), else the module itself."""
    if not group.active:
        return module
    from torch.nn.parallel import DistributedDataParallel

    cuda = device.type == "cuda"
    if cuda:
        module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return DistributedDataParallel(module, device_ids=[device.index] if cuda else None)


def learnt_batch_norms(model: ColorNet) -> list[torch.nn.Module]:
    """The BatchNorm layers whose running statistics were learnt (a network's fresh layers have
    none yet: theirs must still be learnt)."""
    return [
        m
        for m in as_module(model).modules()
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
        and m.num_batches_tracked is not None
        and int(m.num_batches_tracked) > 0
    ]


def train_mode(model: ColorNet, kept: list[torch.nn.Module]) -> None:
    """The model in training mode, but the BatchNorm layers of `kept` normalise with their
    running statistics and leave them as they are (their scale and shift still learn)."""
    model.train()
    for module in kept:
        module.eval()


def run(
    task: StepTask,
    config: TrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    group: Group = SINGLE,
) -> History:
    """Train `task.model` in place. Returns its History; `history.stopped` if asked to stop."""
    n = task.train_size()
    if n == 0:
        raise TrainingError("no training photos: the folder has no usable colour photos")
    if config.batch_size < group.world:
        raise TrainingError(
            f"the batch ({config.batch_size}) is the global batch: it needs at least one photo "
            f"for each of the {group.world} processes"
        )
    if config.epochs is None and config.max_steps is None:
        raise TrainingError("give a number of epochs or of steps")
    device = torch.device(config.device)
    torch.manual_seed(config.seed)
    model = task.model
    model.to(device)
    cuda = device.type == "cuda"
    if cuda:
        model.to(memory_format=torch.channels_last)
    net = _wrap(task.module(), device, group)
    kept_statistics = learnt_batch_norms(model) if config.batch_norm_frozen else []
    optimizer = task.optimizer()
    base_lrs = [g["lr"] for g in optimizer.param_groups]  # what the cosine decays from

    per_epoch = global_batches(n, config.batch_size, group.world)
    total_steps = per_epoch * config.epochs if config.epochs is not None else math.inf
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    total_steps = int(total_steps)
    epochs = math.ceil(total_steps / per_epoch)
    history = History()
    step, best, bad_evals, best_state = 0, math.inf, 0, None
    if config.resume and config.checkpoint is not None and not Path(config.checkpoint).is_file():
        # It started afresh without a word (a review: a typo in -o trained from step 0).
        raise TrainingError(
            f"--resume: there is no checkpoint at {config.checkpoint} to go on from; run "
            "without --resume to start afresh"
        )
    if config.resume and config.checkpoint is not None:
        step, best, bad_evals, best_state, history = _resume(
            task, optimizer, Path(config.checkpoint)
        )

    autocast_dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=cuda and autocast_dtype == torch.float16)

    def checkpoint() -> None:
        if config.checkpoint is not None and group.is_main:
            state: dict = {"step": step, "best_score": best, "bad_epochs": bad_evals}
            if best_state is not None:
                state["best_state"] = best_state
            save_checkpoint(Path(config.checkpoint), model, optimizer, state, config, history)

    def evaluate(epoch: int) -> bool:
        """Score the held-out photos; True when early stopping says stop."""
        nonlocal best, bad_evals, best_state
        metrics = task.evaluate(device)
        if metrics is None:
            train_mode(model, kept_statistics)
            return False
        # BatchNorm's running statistics are each process's own on CPUs: the first
        # process's scores decide for all, so every process stops at the same evaluation.
        metrics = group.gather(metrics)[0]
        metrics.update(epoch=epoch + 1, step=step)
        history.val.append(metrics)
        if on_progress is not None and group.is_main:
            last = history.losses[-1] if history.losses else 0.0
            on_progress(Progress(step, total_steps, epoch + 1, epochs, last, 0.0, 0.0, metrics))
        if task.score(metrics) < best - 1e-6:
            best, bad_evals = task.score(metrics), 0
            if config.keep_best:
                best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        else:
            bad_evals += 1
        # After the callback: it may look at the model as it is evaluated.
        train_mode(model, kept_statistics)
        patience = config.early_stopping_patience
        return patience is not None and bad_evals >= patience

    def due(step: int) -> bool:
        every = config.eval_every
        return step >= total_steps or (
            step % every == 0 if every else every is None and step % per_epoch == 0
        )

    start_time = time.monotonic()
    first_step_done = start_time
    start_step = step
    seen_images = 0
    while step < total_steps and not (history.stopped or history.early_stopped):
        epoch = step // per_epoch
        order = _epoch_order(n, config.seed, epoch)
        skip = step - epoch * per_epoch  # batches of this epoch already done (resume)
        size = config.batch_size
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        batches = batches[skip:per_epoch]
        # This process's part of each global batch, and its weight in the batch's mean loss.
        parts = [group.batch_share(b) for b in batches]
        train_mode(model, kept_statistics)
        for data, part, batch in zip(task.batches(epoch, parts), parts, batches, strict=True):
            stop = should_stop is not None and should_stop()
            if group.any(stop):
                history.stopped = True
                break
            # Dropout draws from the global generator: seeding it by step makes a resumed run
            # draw exactly what an unbroken one would.
            torch.manual_seed(config.seed * 1_000_003 + step)
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=cuda):
                loss = task.loss(net, data, device)
            # The global batch's loss, the same on every process (so is every decision on it).
            loss_value = group.mean(float(loss.detach()), len(part))
            if not math.isfinite(loss_value):
                where = (
                    f"; the last good checkpoint is {config.checkpoint}"
                    if (config.checkpoint and Path(config.checkpoint).is_file())
                    else ""
                )
                raise TrainingError(
                    f"the loss became {loss_value} at step {step + 1}: training diverged; "
                    f"lower the learning rate (now {config.lr:g}){where}"
                )
            if config.schedule == "cosine":
                for param_group, base_lr in zip(optimizer.param_groups, base_lrs, strict=True):
                    param_group["lr"] = cosine_lr(base_lr, step, total_steps, config.cosine_floor)
            optimizer.zero_grad(set_to_none=True)
            weight = len(part) * group.world / len(batch)
            scaler.scale(loss * weight if weight != 1.0 else loss).backward()
            scaler.step(optimizer)
            scaler.update()
            step += 1
            seen_images += len(batch)
            history.steps.append(step)
            history.losses.append(loss_value)
            now = time.monotonic()
            elapsed = now - start_time
            rate = seen_images / elapsed if elapsed > 0 else 0.0
            # The first step carries the start-up (workers, first allocations): timing from it
            # made the first estimate of the time left far too high. 0: not known yet.
            if step - start_step == 1:
                first_step_done = now
                eta = 0.0
            else:
                eta = (total_steps - step) * (now - first_step_done) / (step - start_step - 1)
            if on_progress is not None and group.is_main:
                on_progress(Progress(step, total_steps, epoch + 1, epochs, loss_value, rate, eta))
            if due(step) and evaluate(epoch):
                history.early_stopped = True
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                checkpoint()
            if step >= total_steps or history.early_stopped:
                break
    history.step = step
    history.best_val_loss = None if best == math.inf else best
    history.seconds = time.monotonic() - start_time
    if history.stopped and step == start_step:
        # Stopped before its first step (a Ctrl+C while the photos were read): nothing learnt,
        # so nothing is written. It wrote an untrained model over the -o it was given and a
        # step-0 checkpoint over the one an earlier run left (a review).
        task.finish()
        raise TrainingCancelled("stopped before the first step; nothing was written")
    checkpoint()  # the last step's weights: what --resume goes on from
    if best_state is not None:
        # The model handed back is the best seen, a stopped run's too: it kept the last step's
        # while its file and report named the best (a review: "13.44 dB at step 2", the weights
        # step 6's 12.80).
        model.load_state_dict(best_state)
    task.finish()
    model.eval()
    return history
