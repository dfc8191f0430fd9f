"""The reports live stream as the dashboard sees it: every ``event: figures``
of the bench cells in one period, with the time it arrived here."""
from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict

import httpx


class FiguresWatch:
    """Reads ``GET /reports/api/stream`` and keeps, per cell, (arrival, held, rated) in arrival order."""

    def __init__(self, cells: list[str], period: str) -> None:
        self.cells, self.period = set(cells), period
        self.history: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
        self.messages = 0
        self.connected = asyncio.Event()
        self.changed = asyncio.Event()

    def held(self, cell: str) -> int:
        return self.history[cell][-1][1] if self.history[cell] else 0

    def rated(self, cell: str) -> int:
        return self.history[cell][-1][2] if self.history[cell] else 0

    async def run(self, reports: httpx.AsyncClient, org_id: str) -> None:
        async with reports.stream("GET", "/reports/api/stream", params={"org_id": org_id},
                                  timeout=httpx.Timeout(10.0, read=None)) as response:
            if response.status_code != 200:
                await response.aread()
                raise RuntimeError(f"the reports stream answered {response.status_code}: {response.text[:300]}")
            event = None
            async for line in response.aiter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "figures":
                    self._on_figures(json.loads(line[5:]), time.monotonic())
                elif not line:
                    event = None

    def _on_figures(self, payload: dict, arrived: float) -> None:
        self.messages += 1
        cell = payload.get("org_id")
        if cell not in self.cells or payload.get("period") != self.period:
            return
        held = int(payload["meetings_held"])
        rated = held - int(payload["levels"]["unrated"])
        self.history[cell].append((arrived, held, rated))
        self.changed.set()

    def first_arrival(self, cell: str, count: int, column: int) -> float | None:
        """When the cell's count (1 = held, 2 = rated) first reached ``count``; None if not yet."""
        for entry in self.history[cell]:
            if entry[column] >= count:
                return entry[0]
        return None

    async def wait_for(self, expected: dict[str, int], column: int, timeout: float) -> bool:
        """Wait until every cell's count reached ``expected[cell]``; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.held if column == 1 else self.rated
            if all(current(cell) >= n for cell, n in expected.items()):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass
