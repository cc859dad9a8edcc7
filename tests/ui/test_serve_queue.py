"""The start-up queue of the dashboards' server (scoring.ui.serve_queue)."""

from __future__ import annotations

import asyncio

import pytest

from scoring.ui.serve_queue import StartQueue, default_slots


def test_default_slots_keeps_half_the_cores_for_pages_in_use():
    assert default_slots(1, cores=2) == 1
    assert default_slots(1, cores=8) == 4
    assert default_slots(2, cores=8) == 2
    assert default_slots(3, cores=2) == 1  # at least one per server


def test_negative_slots_are_refused_in_both_languages():
    with pytest.raises(ValueError, match="不能为负数"):
        StartQueue(-1)


def test_at_most_slots_run_and_the_rest_start_in_arrival_order():
    async def scenario() -> tuple[int, list[int]]:
        queue = StartQueue(2)
        started: list[int] = []
        peak = 0

        async def page(i: int) -> None:
            nonlocal peak
            slot = await queue.acquire()
            started.append(i)
            peak = max(peak, queue.running)
            await asyncio.sleep(0.01)
            slot.release()
            slot.release()  # idempotent: a second release frees nothing more

        tasks = []
        for i in range(7):
            tasks.append(asyncio.create_task(page(i)))
            await asyncio.sleep(0)  # arrive one after the other
        await asyncio.gather(*tasks)
        assert queue.running == 0 and queue.waiting == 0
        return peak, started

    peak, started = asyncio.run(scenario())
    assert peak == 2
    assert started == list(range(7))


def test_zero_slots_means_no_queue():
    async def scenario() -> int:
        queue = StartQueue(0)
        slots = [await queue.acquire() for _ in range(50)]
        for s in slots:
            s.release()
        return queue.running

    assert asyncio.run(scenario()) == 0


def test_a_turn_not_given_back_expires_so_the_queue_never_stalls():
    async def scenario() -> tuple[bool, int]:
        queue = StartQueue(1, hold_max=0.05)
        await queue.acquire()  # a page whose kernel died: never releases
        nxt = await asyncio.wait_for(queue.acquire(), timeout=2)
        nxt.release()
        return nxt.released, queue.expired

    released, expired = asyncio.run(scenario())
    assert released and expired == 1
