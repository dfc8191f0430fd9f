"""The transaction boundary: one committed batch of projected events."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.consumer import Envelope
from shared.events import Event
from reports import generation, queries
from reports.projections import Changes, apply_batch


def project(engine: Engine, envelopes: Sequence[Envelope] | Sequence[Event]) -> Changes:
    """Apply a batch and commit it (inbox, facts and counters together), in the projection in force."""
    with Session(generation.current(engine)) as session:
        changes = apply_batch(session, envelopes)
        session.commit()
    return changes


def figures_for_changes(engine: Engine, changes: Changes) -> list[tuple[frozenset[str], dict]]:
    """Committed figures of the changed (org, period) pairs, with the lineage that may see each."""
    with Session(generation.current(engine)) as session:
        return queries.changed_figures(session, changes)
