"""Consistency check: recompute a subtree's records from the members and meetings services' own APIs
(their source records, not the event log) and list every difference from the projection.

Compared along today's tree (the sources' own): each meeting held in the range (cell, date, kind, level,
present, expected, speakers), then the roll on the range's last day (or today, if earlier): which members
are on it and in which cell, and their status when that day is today (the members service keeps the current
status only). The projection read is the one in force (generation pointer).
"""
from __future__ import annotations

import uuid
from datetime import date

import httpx
from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.auth import issue_token
from shared.db import make_engine
from reports import generation, subtrees, tree
from reports.models import MeetingFact, MemberSpan

_FACT, _SPAN = MeetingFact.__table__, MemberSpan.__table__
FIELDS = ("organization_id", "held_on", "kind", "level", "present", "expected", "speakers")


def check(settings, org_id: str, start: date, end: date, members_url: str, meetings_url: str) -> tuple[list[str], int, int]:
    """(differences, meetings read, placements read) for the subtree of ``org_id`` over [start, end]."""
    # a short-lived province-role token for this subtree, signed with the services' shared secret
    token = issue_token(settings.jwt_secret, username="reports-consistency-check", role="province",
                        org_id=uuid.UUID(org_id), ttl_minutes=10)
    placements, meetings = sources(members_url, meetings_url, token, org_id, start, end)
    home = make_engine(settings.database_url)
    try:
        return differences(home, org_id, start, end, placements, meetings), len(meetings), len(placements)
    finally:
        home.dispose()


def sources(members_url: str, meetings_url: str, token: str, org_id: str, start: date, end: date) -> tuple[list, list]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=60) as client:
        placements = client.get(f"{members_url}/members/api/sources/placements", params={"org_id": org_id})
        meetings = client.get(f"{meetings_url}/meetings/api/sources/meetings",
                              params={"org_id": org_id, "from": start.isoformat(), "to": end.isoformat()})
    placements.raise_for_status()
    meetings.raise_for_status()
    return placements.json()["placements"], meetings.json()["meetings"]


def differences(home: Engine, org_id: str, start: date, end: date, placements: list[dict], meetings: list[dict],
                today: date | None = None) -> list[str]:
    today = today or date.today()
    on = min(end, today)
    with Session(generation.current(home)) as session:
        under = subtrees.subtree(subtrees.children_on(tree.all_parents(session), today), org_id)
        projected = {r["meeting_id"]: r for r in session.execute(select(_FACT).where(
            _FACT.c.held_on.between(start, end))).mappings() if r["organization_id"] in under}
        roll = {r["member_id"]: r for r in session.execute(select(_SPAN).where(and_(
            _SPAN.c.valid_from <= on, or_(_SPAN.c.valid_to.is_(None), _SPAN.c.valid_to > on)))).mappings()
            if r["org_id"] in under}
    return _meeting_differences(projected, meetings) + _roll_differences(roll, placements, on, on == today)


def _meeting_differences(projected: dict, meetings: list[dict]) -> list[str]:
    out, source = [], {m["meeting_id"]: m for m in meetings}
    for meeting_id in sorted(set(projected) | set(source)):
        mine, theirs = projected.get(meeting_id), source.get(meeting_id)
        if mine is None:
            out.append(f"meeting {meeting_id}: thiếu trong số liệu báo cáo / missing from the projection")
        elif theirs is None:
            out.append(f"meeting {meeting_id}: không có ở dịch vụ sinh hoạt / not in the meetings service")
        else:
            for field in FIELDS:
                a, b = str(mine[field]), str(theirs[field])
                if a != b:
                    out.append(f"meeting {meeting_id}: {field} báo cáo / projection {a} ≠ nguồn / source {b}")
    return out


def _roll_differences(roll: dict, placements: list[dict], on: date, with_status: bool) -> list[str]:
    source = {p["member_id"]: p for p in placements
              if date.fromisoformat(str(p["valid_from"])) <= on
              and (p["valid_to"] is None or date.fromisoformat(str(p["valid_to"])) > on)}
    out = []
    for member_id in sorted(set(roll) | set(source)):
        mine, theirs = roll.get(member_id), source.get(member_id)
        if mine is None:
            out.append(f"member {member_id}: thiếu trong danh sách ngày {on} / missing from the roll on {on}")
        elif theirs is None:
            out.append(f"member {member_id}: không có ở dịch vụ đảng viên ngày {on} / not placed there on {on}")
        elif mine["org_id"] != theirs["organization_id"]:
            out.append(f"member {member_id}: chi bộ / cell {mine['org_id']} ≠ nguồn / source {theirs['organization_id']}")
        elif with_status and mine["status"] != theirs["status"]:
            out.append(f"member {member_id}: status báo cáo / projection {mine['status']} ≠ nguồn / source {theirs['status']}")
    return out
