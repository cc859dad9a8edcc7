"""The start-up queue: at most ``slots`` pages of a server start a kernel and run its notebook at once.

Opening a dashboard costs its server about one CPU-second (a Python kernel starting, the notebook's
imports, the first widgets), most of it before the page is usable. When sixty experts open their
pages in the same minute on a two-core machine, sixty kernels starting at once share the cores
with the kernels already in use, and an expert who has logged in waits seconds for a save. The
queue lets ``slots`` page requests at a time start their kernel (the rest wait their turn, first
come first served, in the server's event loop: no thread, no busy wait), so that kernels in use
keep a share of the cores; a page holds its slot from its kernel's start until its response ends
(the notebook has run), then the next page starts. A turn lasts at most :data:`HOLD_MAX_S`: a
page whose kernel died while starting (seen: a kernel port taken between its choice and its
bind) must not keep every later page waiting.

Pure asyncio: the page handler of :mod:`scoring.ui.serve_handlers` acquires, its ``on_finish``
releases.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

#: Seconds a page may hold its turn (an expert page starts in about 1 s alone, 5-10 s in a crowd).
HOLD_MAX_S = 30.0


def default_slots(workers: int = 1, cores: int | None = None) -> int:
    """Kernel starts at a time for each of ``workers`` servers on ``cores`` cores: half the
    cores in all, at least one per server (so that a core stays free for the kernels in use)."""
    cores = cores or os.cpu_count() or 2
    return max(1, cores // (2 * max(1, workers)))


@dataclass
class Slot:
    """One page's turn to start a kernel (released once, however often :meth:`release` is called)."""

    queue: StartQueue
    released: bool = field(default=False)

    def release(self) -> None:
        """Give the turn to the next waiting page; idempotent."""
        if not self.released:
            self.released = True
            self.queue._release()


class StartQueue:
    """First come, first served turns for kernel starts.

    Parameters
    ----------
    slots : int
        Pages that may start their kernel at once; 0 = no queue.
    hold_max : float
        Seconds after which a turn is given up even if its page has not finished.
    """

    def __init__(self, slots: int, hold_max: float = HOLD_MAX_S) -> None:
        if int(slots) < 0:
            raise ValueError("kernel starts at a time must be >= 0 / 同时启动的内核数不能为负数")
        self.slots = int(slots)
        self.hold_max = float(hold_max)
        #: Turns given up after ``hold_max`` (their page had not finished).
        self.expired = 0
        self.running = 0
        self.waiting = 0
        self._sem: asyncio.Semaphore | None = None

    async def acquire(self) -> Slot:
        """Wait for a turn (at once when a slot is free or there is no queue)."""
        if self.slots == 0:
            return Slot(self, released=True)
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.slots)
        self.waiting += 1
        try:
            await self._sem.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        slot = Slot(self)
        asyncio.get_running_loop().call_later(self.hold_max, self._expire, slot)
        return slot

    def _expire(self, slot: Slot) -> None:
        if not slot.released:
            self.expired += 1
            slot.release()

    def _release(self) -> None:
        self.running -= 1
        assert self._sem is not None
        self._sem.release()
