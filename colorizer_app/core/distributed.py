"""Running as one of several processes started by `torchrun` (PyTorch's own launcher).

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK for each process; here a process joins the group
(NCCL where every process has its own CUDA device, gloo on CPUs) and learns which share of the
work is its own. Started without torchrun, everything is a group of one and costs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Group:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    backend: str = ""

    @property
    def active(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def device(self, requested: str = "auto") -> torch.device:
        """Each process its own GPU where the group runs on NCCL; else what was asked."""
        from .device import pick_device

        if self.backend == "nccl":
            return torch.device("cuda", self.local_rank)
        return pick_device("cpu" if self.active and requested == "auto" else requested)

    def any(self, flag: bool) -> bool:
        """True on every process when it is True on any (a stop must be taken by all at once,
        or the others wait for the one that left)."""
        if not self.active:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=self._tensor_device())
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item() > 0)

    def mean(self, value: float, weight: float = 1.0) -> float:
        """The weighted mean of a number over the processes."""
        if not self.active:
            return value
        t = torch.tensor(
            [value * weight, weight], dtype=torch.float64, device=self._tensor_device()
        )
        dist.all_reduce(t)
        return float(t[0] / t[1])

    def gather(self, obj: object) -> list:
        """Every process's `obj`, in rank order, on every process."""
        if not self.active:
            return [obj]
        out: list = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def barrier(self) -> None:
        if self.active:
            dist.barrier()

    def share(self, items: list) -> list:
        """This process's share of `items`: every world-th one from its rank (each item exactly
        once over the group, the same split whatever the timing)."""
        return items[self.rank :: self.world]

    def batch_share(self, batch: list[int]) -> list[int]:
        """This process's contiguous part of one global batch (sizes differ by at most one)."""
        return [
            int(i) for i in np.array_split(np.asarray(batch, dtype=np.int64), self.world)[self.rank]
        ]

    def _tensor_device(self) -> torch.device:
        return (
            torch.device("cuda", self.local_rank) if self.backend == "nccl" else torch.device("cpu")
        )


SINGLE = Group()


def join_from_environment() -> Group:
    """The group torchrun started this process in (initialised once), or a group of one."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return SINGLE
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    if dist.is_initialized():
        return Group(rank, world, local_rank, dist.get_backend())
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", world))
    backend = "nccl" if gpus >= local_world else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend, timeout=timedelta(minutes=30))
    return Group(rank, world, local_rank, backend)


def leave(group: Group) -> None:
    """Leave together, and let the process end without tearing the group down.

    A process that tore the group down while another still wrote the model aborted in gloo's
    teardown ("terminate called without an active exception"); so did, once in a few runs, one
    whose peer had already passed the barrier. After the barrier every process's work is done,
    so `exit_after_group` ends the process at once instead, its output flushed.
    """
    global _grouped
    if group.active and dist.is_initialized():
        _grouped = True
        try:
            dist.barrier()
        except RuntimeError:
            pass  # a peer is gone already: nothing to wait for


_grouped = False


def exit_after_group(code: int) -> int:
    """End a torchrun process with `code` without running gloo's teardown (see `leave`);
    a process that never joined a group returns `code` to its caller."""
    if not _grouped:
        return code
    import logging
    import sys

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can reach the reader
    os._exit(code)
