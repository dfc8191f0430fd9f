"""Unit of work: one transaction, its outbox rows, and a wake-up for the relay."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.events import Event
from shared.outbox import enqueue


class UnitOfWork:
    """``with uow: ...; uow.publish(event); uow.commit()`` — events commit with the change."""

    def __init__(self, engine: Engine, outbox: Table | None = None, after_commit: Callable[[], None] | None = None) -> None:
        self.engine, self.outbox = engine, outbox
        self.after_commit = after_commit or (lambda: None)
        self.session: Session
        self._events: list[tuple[Event, str | None]] = []

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.engine, expire_on_commit=False)
        self._events = []
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def publish(self, *events: Event, correlation_id: str | None = None) -> None:
        """Queue events for the outbox; ``correlation_id`` when handling another event in a batch."""
        if self.outbox is None:
            raise RuntimeError("this unit of work has no outbox")
        self._events.extend((e, correlation_id) for e in events)

    def commit(self) -> list[Event]:
        pending, self._events = self._events, []
        published = enqueue(self.session, self.outbox, pending) if pending else []
        self.session.commit()
        if published:
            self.after_commit()
        return published
