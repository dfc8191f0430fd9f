"""Apply a batch of events to the projection, in the caller's transaction.

One pass per fetched batch (TOOLCHAIN: one commit per event is ~70× slower):
filter the inbox once, store the tree changes, load every touched fact once,
fold its events in memory, re-roll it onto its current path, sum the deltas per
(org, period) and write each touched counter row once with an additive upsert.
The figures are therefore a function of the facts and the tree, whatever the
order in which the two streams deliver them.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shared import inbox as shared_inbox
from shared.consumer import Envelope
from shared.events import Event, MeetingRated, MeetingRecorded
from reports import alerts, counters, lifecycle, roll_months, tree
from reports.facts import Deltas, Fact, Groups, apply_event, group_contribution, new_deltas, spread, with_path
from reports.models import STAT_COLUMNS, MeetingFact, PeriodStat, ProjectionLock, inbox
from reports.periods import periods_of
from reports.upsert import upsert

INBOX_CONSUMER = "reports-projection"  # one namespace for both durables: event ids are unique
_FACT, _LOCK = MeetingFact.__table__, ProjectionLock.__table__
Changes = set[tuple[str, str]]  # (org_id, period) whose counters changed
_STAT_KEYS = ("org_id", "period", *STAT_COLUMNS)
# anything else in a replayed stream is skipped
_PROJECTED = (*tree.TREE_EVENTS, MeetingRecorded, MeetingRated, *lifecycle.MEMBER_EVENTS, *lifecycle.LEDGER_EVENTS,
              *alerts.ALERT_EVENTS)


_gc_lock = threading.Lock()
_gc_pause = {"depth": 0, "was_enabled": True}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one batch (decode and apply), resumed after (nestable,
    thread-safe). A 2048-event batch allocates ~40k objects that live until its commit: with the collector on,
    that is a full collection almost every batch (measured: decode+apply ~2x faster paused). Nothing here
    builds reference cycles, and the first collection after the batch finds whatever there is."""
    with _gc_lock:
        if _gc_pause["depth"] == 0:
            _gc_pause["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_pause["depth"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pause["depth"] -= 1
            if _gc_pause["depth"] == 0 and _gc_pause["was_enabled"]:
                gc.enable()


def apply_batch(session: Session, envelopes: Sequence[Envelope] | Sequence[Event]) -> Changes:
    """Project the events not seen before; returns the (org, period) counters that changed. Does not commit."""
    with gc_paused():
        return _apply_batch(session, envelopes)


def _apply_batch(session: Session, envelopes: Sequence[Envelope] | Sequence[Event]) -> Changes:
    _serialize(session)
    # isinstance, not getattr(x, "event", x): on a pydantic event a missing attribute raises inside its
    # __getattr__ (~3 µs an event in a rebuild, which passes events)
    events = _claim(session, [e for e in (x.event if isinstance(x, Envelope) else x for x in envelopes)
                              if isinstance(e, _PROJECTED)])
    orgs = [e for e in events if isinstance(e, tree.TREE_EVENTS)]
    meetings = [(str(e.meeting_id), e) for e in events if isinstance(e, (MeetingRecorded, MeetingRated))]
    rerolled, roll = roll_months.before_tree(session, orgs)  # the roll counters: minus along the old tree
    new_orgs, moved_orgs = tree.record_tree(session, orgs)
    roll_months.write(session, roll_months.after_tree(session, rerolled, roll))  # plus along the new one
    lifecycle.apply(session, events)  # after the tree: the refolded spans roll along the tree as now known
    alerts.apply(session, events, new_orgs, moved_orgs)  # after the tree: each alert rolled along it
    counted = counters.apply(session, events, new_orgs, moved_orgs)
    stored = _load_facts(session, {key for key, _ in meetings}, new_orgs, moved_orgs)
    updated = _fold(stored, meetings)
    parents = tree.load_ancestry(session, {f.organization_id for f in updated.values()})
    groups: Groups = {}
    changed_facts = []
    for meeting_id, fact in updated.items():
        fact = with_path(fact, tree.path_on(parents, fact.organization_id, fact.held_on))
        old = stored.get(meeting_id)
        if fact == old:
            continue
        if old is not None:
            group_contribution(groups, old, -1)
        group_contribution(groups, fact, 1)
        changed_facts.append(fact)
    deltas = spread(new_deltas(), groups)
    _write(session, changed_facts, deltas)
    return {key for key, values in deltas.items() if any(values)} | counted | lifecycle_changes(session, events)


def lifecycle_changes(session: Session, events: list[Event]) -> Changes:
    """(org, period) along the lineage of every cell a member, obligation, fee, grade or alert event touched."""
    cells = lifecycle.touched(events) | alerts.touched(events)
    if not cells:
        return set()
    parents = tree.load_ancestry(session, {org for org, _ in cells})
    return {(org, period) for cell, day in cells for org in tree.path_on(parents, cell, day) for period in periods_of(day)}


def _serialize(session: Session) -> None:
    """Take the projection's write lock first (row lock on PostgreSQL, the write lock on SQLite): every read
    below then sees all batches committed before, whichever consumer or replica wrote them."""
    taken = session.execute(update(_LOCK).where(_LOCK.c.id == 1).values(batches=_LOCK.c.batches + 1))
    if taken.rowcount == 0:  # tables made without the migration's seed row
        upsert(session, _LOCK, [{"id": 1, "batches": 1}], ["id"], "add")


def _claim(session: Session, events: list[Event]) -> list[Event]:
    """Keep the events not seen before and remember them (the shared inbox, one statement)."""
    ids = {id(e): str(e.event_id) for e in events}  # claim() asks for each key twice: str(uuid) once
    return shared_inbox.claim(session, inbox, INBOX_CONSUMER, events, key=lambda e: ids[id(e)])


def _load_facts(session: Session, meeting_ids: set[str], new_orgs: set[str], moved_orgs: set[str]) -> dict[str, Fact]:
    """Facts the batch touches: its meetings, and those counted under an org the tree just learned or moved."""
    conditions = [_FACT.c.meeting_id.in_(meeting_ids)] if meeting_ids else []
    if new_orgs:
        conditions.append(_FACT.c.path_tail.in_(new_orgs))
    conditions += [_FACT.c.rolled_path.contains(org) for org in moved_orgs]
    if not conditions:
        return {}
    rows = session.execute(select(_FACT).where(or_(*conditions))).mappings()
    return {row["meeting_id"]: _fact_from_row(row) for row in rows}


def _fold(stored: dict[str, Fact], events: Iterable[tuple[str, MeetingRecorded | MeetingRated]]) -> dict[str, Fact]:
    updated = dict(stored)
    for key, event in events:
        fact = apply_event(updated.get(key), event, key)
        if fact is not None:
            updated[key] = fact
    return updated


def _write(session: Session, facts: list[Fact], deltas: Deltas) -> None:
    upsert(session, _FACT, [_fact_row(f) for f in facts], ["meeting_id"], raw=True)
    rows = [dict(zip(_STAT_KEYS, (org, period, *values))) for (org, period), values in deltas.items() if any(values)]
    upsert(session, PeriodStat.__table__, rows, ["org_id", "period"], "add", raw=True)


def _fact_from_row(row) -> Fact:
    path = tuple(row["rolled_path"].split(","))
    return Fact(row["meeting_id"], row["organization_id"], row["held_on"], row["kind"], row["recorded_revision"],
                row["rated_revision"], row["level"], row["present"], row["expected"], row["speakers"], path,
                bool(row["upper_level_attended"]))


def _fact_row(fact: Fact) -> dict:
    return {"meeting_id": fact.meeting_id, "organization_id": fact.organization_id, "held_on": fact.held_on,
            "kind": fact.kind, "recorded_revision": fact.recorded_revision, "rated_revision": fact.rated_revision,
            "level": fact.level, "present": fact.present, "expected": fact.expected, "speakers": fact.speakers,
            "rolled_path": ",".join(fact.path), "path_tail": fact.path[-1],
            "upper_level_attended": fact.upper_level}
