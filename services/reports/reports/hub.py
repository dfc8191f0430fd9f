"""In-process fan-out of figure updates to live dashboards (Server-Sent Events).

Each client has a bounded, coalescing mailbox: a newer figure for the same (org, period) replaces the
pending one, and when a burst (a rebuild, a big batch) overflows it the oldest entries go. Updates are
offered deepest org first, so what survives an overflow is what the dashboard shows: its own org and
the orgs right under it. Unsubscribing removes every trace.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable


class Subscription:
    def __init__(self, org_id: str, size: int) -> None:
        self.org_id, self.size = org_id, size
        self._pending: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._ready = asyncio.Event()

    def offer(self, payload: dict) -> None:
        key = (payload.get("org_id"), payload.get("period"))
        self._pending.pop(key, None)
        self._pending[key] = payload
        if len(self._pending) > self.size:
            self._pending.popitem(last=False)
        self._ready.set()

    async def next(self, timeout: float) -> dict | None:
        """The oldest pending update, or None after ``timeout`` seconds without one."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return None
        _, payload = self._pending.popitem(last=False)
        if not self._pending:
            self._ready.clear()
        return payload

    def __len__(self) -> int:
        return len(self._pending)


class FiguresHub:
    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self._subscriptions: set[Subscription] = set()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, org_id: str) -> Subscription:
        subscription = Subscription(org_id, self.queue_size)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def deliver(self, messages: Iterable[tuple[frozenset[str], dict]]) -> None:
        """Give each client the figures of the orgs inside its subtree (its org in their lineage)."""
        ordered = sorted(messages, key=lambda message: -len(message[0]))  # deepest first, see module doc
        for subscription in list(self._subscriptions):
            for lineage, payload in ordered:
                if subscription.org_id in lineage:
                    subscription.offer(payload)
