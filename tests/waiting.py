"""Waiting in tests: poll a probe until it gives something truthy, or fail when a deadline passes.

The only way tests wait for asynchronous work (a consumer applying an event, a relay publishing, a stream
closing). Never a fixed sleep: the interval is how often to look, the timeout how long a broken system may take
to show it is broken. The probe may be a plain function or a coroutine function.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any


async def eventually(probe: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05,
                     what: str = "condition") -> Any:
    """The probe's first truthy result (awaited when it is a coroutine)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(interval)


def wait_for(probe: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1, what: str = "condition",
             details: Callable[[], str] = lambda: "") -> Any:
    """The same, blocking (for tests that drive real processes from synchronous code)."""
    deadline = time.monotonic() + timeout
    while True:
        if result := probe():
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not reached within {timeout}s{details()}")
        time.sleep(interval)
