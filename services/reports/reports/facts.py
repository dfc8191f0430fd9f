"""Pure rules for one meeting's fact: which event wins, and what it adds to the counters.

Events may arrive in any order (two streams replayed independently, retries), so
the fact is a function of the set of events seen, never of their order:
- the level is the one of the highest MeetingRated revision;
- organization, date, kind and attendance counts come from the event with the
  highest (revision, kind) key, a MeetingRated beating a MeetingRecorded of the
  same revision (it was computed from it);
- an event with a revision not above what was seen for its type changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from operator import add, sub

from shared.events import MeetingRated, MeetingRecorded
from reports.periods import periods_of

LEVELS = ("tot", "kha", "trung_binh", "kem")
MEETING_KINDS = ("regular", "thematic", "combined", "extraordinary", "model")
# meetings_held, tot, kha, trung_binh, kem, unrated, present, expected, speakers, then held per kind
# (MEETING_KINDS) and upper-level attended: models.STAT_COLUMNS, in this order
Vector = list[int]
Deltas = dict[tuple[str, str], Vector]
Groups = dict[tuple[tuple[str, ...], tuple[str, str, str]], Vector]  # (path, periods) -> summed vector


@dataclass(frozen=True)
class Fact:
    meeting_id: str
    organization_id: str
    held_on: date
    kind: str
    recorded_revision: int = 0
    rated_revision: int = 0
    level: str | None = None
    present: int = 0
    expected: int = 0
    speakers: int = 0
    path: tuple[str, ...] = ()
    upper_level: bool = False  # an upper-level committee member attended (v2 events; v1: False)

    @property
    def base_key(self) -> tuple[int, int]:
        return max((self.recorded_revision, 0), (self.rated_revision, 1))


def apply_event(fact: Fact | None, event: MeetingRecorded | MeetingRated, meeting_id: str | None = None) -> Fact | None:
    """The fact after one event, or None when the event changes nothing (``meeting_id``: the event's, as text)."""
    rated = isinstance(event, MeetingRated)
    seen = (fact.rated_revision if rated else fact.recorded_revision) if fact else 0
    if event.revision <= seen:
        return None
    # Plain dicts rather than dataclasses.replace: this runs for every event of a rebuild.
    fields = dict(vars(fact)) if fact else {"meeting_id": meeting_id or str(event.meeting_id), "path": ()}
    if fact is None or (event.revision, int(rated)) > fact.base_key:
        fields.update(_base_fields(event))
    if rated:
        fields.update(rated_revision=event.revision, level=event.level)
    else:
        fields["recorded_revision"] = event.revision
    return Fact(**fields)


def with_path(fact: Fact, path: tuple[str, ...]) -> Fact:
    return Fact(**{**vars(fact), "path": path})


def _base_fields(event: MeetingRecorded | MeetingRated) -> dict:
    fields = {"organization_id": str(event.organization_id), "held_on": event.held_on, "kind": event.kind,
              "upper_level": event.upper_level_attended}
    if isinstance(event, MeetingRated):
        return {**fields, "present": event.present, "expected": event.expected, "speakers": event.speakers}
    statuses = [a.status for a in event.attendance]
    return {**fields, "present": statuses.count("present"), "expected": len(statuses) - statuses.count("exempt"),
            "speakers": sum(a.spoke for a in event.attendance)}


# one-hot parts of the vector, looked up rather than compared: this runs for every meeting of a rebuild
_LEVEL_BITS = {**{lv: tuple(int(lv == x) for x in LEVELS) + (0,) for lv in LEVELS}, None: (0, 0, 0, 0, 1)}
_KIND_BITS = {k: tuple(int(k == x) for x in MEETING_KINDS) for k in MEETING_KINDS}
_NO_KIND, _NO_LEVEL = (0,) * len(MEETING_KINDS), (0,) * (len(LEVELS) + 1)
WIDTH = 1 + len(_LEVEL_BITS[None]) + 3 + len(MEETING_KINDS) + 1


def vector(fact: Fact) -> Vector:
    return [1, *_LEVEL_BITS.get(fact.level, _NO_LEVEL), fact.present, fact.expected, fact.speakers,
            *_KIND_BITS.get(fact.kind, _NO_KIND), int(fact.upper_level)]


def add_contribution(deltas: Deltas, fact: Fact, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) a fact from every org on its path, in its three periods."""
    spread(deltas, {(fact.path, periods_of(fact.held_on)): [sign * v for v in vector(fact)]})


def group_contribution(groups: Groups, fact: Fact, sign: int) -> None:
    """Like add_contribution, summed per (path, periods) first: a batch's meetings share few of them,
    so ``spread`` then adds each sum to path × periods counters once rather than once per meeting."""
    key = (fact.path, periods_of(fact.held_on))
    values = vector(fact)
    row = groups.get(key)
    if row is None:
        groups[key] = values if sign == 1 else [sign * v for v in values]
    else:
        row[:] = map(add, row, values) if sign == 1 else map(sub, row, values)


def spread(deltas: Deltas, groups: Groups) -> Deltas:
    """Add each grouped vector to every org on its path, in each of its periods."""
    for (path, periods), values in groups.items():
        for org_id in path:
            for period in periods:
                row = deltas[(org_id, period)]
                row[:] = map(add, row, values)
    return deltas


def new_deltas() -> Deltas:
    return defaultdict(lambda: [0] * WIDTH)
