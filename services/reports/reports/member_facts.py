"""Pure rules of the member roll: a member's spans on a cell's roll, and the change each event records.

A member's spans are a function of the SET of their roll events, folded in date order, never of arrival
order: events are sorted by (effective date, rank, occurred_at, id), so a registration arriving after the
transfer that followed it still gives the same spans. Within a day: joining first, then status or profile
changes, then transfers, then the end of membership.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shared.events import (BadgeAwarded, Event, MemberAdmitted, MemberExempted, MemberOfficialStatusGranted,
                           MemberProfileChanged, MemberRegistered, MembershipEnded, MemberTemporarilyTransferred,
                           MemberTransferReceived, MemberTransferred, PartyCardIssued)

ROLL_EVENTS = (MemberRegistered, MemberAdmitted, MemberTransferReceived, MemberProfileChanged,
               MemberOfficialStatusGranted, MemberTransferred, MembershipEnded)
_RANK = {MemberRegistered: 0, MemberAdmitted: 0, MemberTransferReceived: 0, MemberProfileChanged: 1,
         MemberOfficialStatusGranted: 1, MemberTransferred: 2, MembershipEnded: 3}
PROFILE_FIELDS = ("sex", "date_of_birth", "ethnicity", "religion", "education_level", "political_theory_level",
                  "party_age_start")


@dataclass(frozen=True)
class State:
    org_id: str | None = None
    status: str | None = None
    active: bool = False
    profile: tuple = (None,) * len(PROFILE_FIELDS)


def _profile(event) -> tuple:
    if getattr(event, "profile", None) is not None:
        return tuple(getattr(event.profile, f) for f in PROFILE_FIELDS)
    # MemberRegistered v1: no profile; sex and date of birth are on the event, the rest is unknown
    return (event.sex, event.date_of_birth) + (None,) * (len(PROFILE_FIELDS) - 2)


def step(state: State, event: Event) -> State:
    if isinstance(event, (MemberRegistered, MemberTransferReceived)):
        return State(str(event.organization_id), event.status, True, _profile(event))
    if isinstance(event, MemberAdmitted):
        return State(str(event.organization_id), "probationary", True, _profile(event))
    if isinstance(event, MemberProfileChanged):
        return replace(state, profile=_profile(event))
    if isinstance(event, MemberOfficialStatusGranted):
        return replace(state, status="official")
    if isinstance(event, MemberTransferred):
        if event.to_organization_id is None:
            return replace(state, active=False)
        return replace(state, org_id=str(event.to_organization_id))
    if isinstance(event, MembershipEnded):
        return replace(state, active=False)
    return state


def spans(member_id: str, events: list[Event]) -> list[dict]:
    """The member's rows on the roll: [valid_from, valid_to) with org, status and profile (None: open)."""
    ordered = sorted(events, key=lambda e: (e.effective_from, _RANK[type(e)], e.occurred_at, str(e.event_id)))
    state, by_day = State(), []
    for event in ordered:
        state = step(state, event)
        if by_day and by_day[-1][0] == event.effective_from:
            by_day[-1] = (event.effective_from, state)
        else:
            by_day.append((event.effective_from, state))
    rows: list[dict] = []
    for i, (day, state) in enumerate(by_day):
        if rows and rows[-1]["valid_to"] is None:
            rows[-1]["valid_to"] = day
        if state.active and state.org_id:
            if rows and rows[-1]["valid_to"] == day and _same(rows[-1], state):
                rows[-1]["valid_to"] = None  # nothing counted changed: one longer span
                continue
            rows.append({"member_id": member_id, "valid_from": day, "valid_to": None, "org_id": state.org_id,
                         "status": state.status or "probationary", **dict(zip(PROFILE_FIELDS, state.profile))})
    return rows


def _same(row: dict, state: State) -> bool:
    return (row["org_id"], row["status"], tuple(row[f] for f in PROFILE_FIELDS)) == \
        (state.org_id, state.status or "probationary", state.profile)


def change(event: Event) -> dict | None:
    """The lifecycle change an event records (None for events that are not counted as changes)."""
    kind, org, other = _change_kind(event)
    if kind is None:
        return None
    return {"event_id": str(event.event_id), "member_id": str(event.member_id), "kind": kind, "org_id": org,
            "other_org_id": other, "happened_on": event.effective_from}


def _change_kind(event: Event) -> tuple[str | None, str | None, str | None]:
    org = str(getattr(event, "organization_id", "") or "")
    if isinstance(event, MemberAdmitted):
        return "admitted", org, None
    if isinstance(event, MemberOfficialStatusGranted):
        return "made_official", org, None
    if isinstance(event, MemberTransferReceived):
        return "transfer_received", org, None
    if isinstance(event, MemberTransferred):
        to = str(event.to_organization_id) if event.to_organization_id else None
        return "transferred", str(event.from_organization_id), to
    if isinstance(event, MemberTemporarilyTransferred):
        host = str(event.host_organization_id) if event.host_organization_id else None
        return "temporarily_transferred", str(event.home_organization_id), host
    if isinstance(event, PartyCardIssued):
        return ("card_replaced" if event.replacement else "card_issued"), org, None
    if isinstance(event, BadgeAwarded):
        return "badge_awarded", org, None
    if isinstance(event, MemberExempted):
        return "exempted", org, None
    if isinstance(event, MembershipEnded):
        return event.reason, org, None
    return None, None, None


def info(member_id: str, events: list[Event]) -> dict:
    """The member's name (the latest event carrying one) and latest probation: the last admission's ceremony
    date (``effective_from``) and the decision that closed it (made official, or membership ended, after it;
    its decision date, else its effective date; 9999-12-31 while undecided). A function of the set of events, like ``spans``."""
    ordered = sorted(events, key=lambda e: (e.effective_from, _RANK[type(e)], e.occurred_at, str(e.event_id)))
    name = probation_from = decided_on = None
    for event in ordered:
        name = getattr(event, "full_name", None) or name
        if isinstance(event, MemberAdmitted):
            probation_from, decided_on = event.effective_from, None
        elif isinstance(event, (MemberOfficialStatusGranted, MembershipEnded)) and probation_from is not None \
                and decided_on is None:
            decided_on = event.decision_date or event.effective_from
    until = None if probation_from is None else decided_on or date.max
    return {"member_id": member_id, "full_name": name, "probation_from": probation_from, "probation_until": until}


def roll_place(spans_: list[dict]) -> dict:
    """Where the member is on the roll from some day on: the last span's org, first day and end (None: open;
    all None when the member has no span). On any day from ``roll_from`` until ``roll_until`` the member is on
    ``roll_org_id``'s roll, and from ``roll_until`` on on no roll (nothing comes after the last span): the
    overdue-probation alert reads this instead of the member's spans; only a day before ``roll_from`` needs them."""
    if not spans_:
        return {"roll_org_id": None, "roll_from": None, "roll_until": None}
    last = max(spans_, key=lambda row: row["valid_from"])
    return {"roll_org_id": last["org_id"], "roll_from": last["valid_from"], "roll_until": last["valid_to"]}
