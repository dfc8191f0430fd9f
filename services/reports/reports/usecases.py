"""The transaction boundary: one committed batch of projected events."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.consumer import Envelope
from shared.events import Event
from reports import generation, queries, roll_months
from reports.projections import Changes, apply_batch, lifecycle_changes


def project(engine: Engine, envelopes: Sequence[Envelope] | Sequence[Event]) -> Changes:
    """Apply a batch and commit it (inbox, facts and counters together), in the projection in force."""
    with Session(generation.current(engine)) as session:
        changes = apply_batch(session, envelopes)
        session.commit()
    return changes


def project_marking(engine: Engine, envelopes: Sequence[Envelope]) -> tuple[Changes, Changes]:
    """``project``, and the (org, period) pairs a member, obligation, fee, grade or alert event touched: their
    live dashboards are told (``refresh``) to read the figures' other sections (members, changes, fees,
    alerts) again, which the pushed counters do not carry."""
    with Session(generation.current(engine)) as session:
        changes = apply_batch(session, envelopes)
        session.commit()
        events = [getattr(x, "event", x) for x in envelopes]
        return changes, lifecycle_changes(session, events) & changes


def figures_for_changes(engine: Engine, changes: Changes,
                        refresh: Changes = frozenset()) -> list[tuple[frozenset[str], dict]]:
    """Committed figures of the changed (org, period) pairs, with the lineage that may see each; ``refresh``
    marks the pairs whose other sections changed."""
    with Session(generation.current(engine)) as session:
        pushed = queries.changed_figures(session, changes)
    for _, payload in pushed:
        if (payload["org_id"], payload["period"]) in refresh:
            payload["refresh"] = True
    return pushed


def keep_roll_base(engine: Engine, today: date) -> str | None:
    """Move the roll counters' base month to ``roll_months.base_target(today)`` if it is behind (once a year);
    returns the new base month, None when nothing moved. One transaction under the projection's lock."""
    target = roll_months.base_target(today)
    with Session(generation.current(engine)) as session:
        if roll_months.advance_base(session, target):
            session.commit()
            return target
    return None
