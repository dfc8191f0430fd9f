"""The rebuild's pipeline: the next batch is fetched while one is applied; batches are applied one at a time,
in order, and each is reported (acked, progress) only after its own apply ended; a failed apply stops it."""
import asyncio

import pytest

from reports.rebuild import pipeline


def _source(batches, log):
    pending = list(batches)

    async def fetch():
        log.append(("fetch", len(batches) - len(pending)))
        await asyncio.sleep(0)
        return pending.pop(0) if pending else None

    return fetch


def test_batches_are_applied_in_order_one_at_a_time_while_the_next_is_fetched_and_reported_after_their_apply():
    log, running = [], []

    async def apply(batch):
        assert not running, "two applies at once"
        running.append(batch)
        log.append(("apply", batch[0]))
        await asyncio.sleep(0.01)  # long enough for the next fetch to run meanwhile
        running.pop()
        log.append(("applied", batch[0]))
        return len(batch) - 1

    async def applied(batch, skipped):
        log.append(("report", batch[0], skipped))

    asyncio.run(pipeline(_source([[1, 2], [3], [4, 5, 6]], log), apply, applied))
    assert [e for e in log if e[0] == "report"] == [("report", 1, 1), ("report", 3, 0), ("report", 4, 2)]
    for first in (1, 3, 4):  # each batch reported only once its apply ended
        assert log.index(("applied", first)) < log.index(("report", first, [1, 0, 2][[1, 3, 4].index(first)]))
    # the second batch was fetched while the first was being applied, the third while the second was
    assert log.index(("fetch", 1)) < log.index(("applied", 1)) and log.index(("fetch", 2)) < log.index(("applied", 3))
    assert [e[1] for e in log if e[0] == "apply"] == [1, 3, 4]


def test_a_failed_apply_stops_the_pipeline_and_its_batch_is_never_reported():
    log, reported = [], []

    async def apply(batch):
        await asyncio.sleep(0)
        if batch[0] == 3:
            raise RuntimeError("database gone")
        return 0

    async def applied(batch, skipped):
        reported.append(batch[0])

    with pytest.raises(RuntimeError, match="database gone"):
        asyncio.run(pipeline(_source([[1], [3], [4], [5]], log), apply, applied))
    assert reported == [1]
