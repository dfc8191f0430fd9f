"""Which organizations a subtree holds on a day, and how a date range splits where the tree changed.

A report for a past range rolls up along the tree in force then: the range is cut at every date a parent
link changed, and each piece counts the facts of the orgs under the root on that piece's first day (the tree
does not change inside a piece). ``tree=today`` reads the whole range along today's tree instead.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from reports.tree import Parents, parent_on

Segment = tuple[date, date, frozenset[str]]  # first day, last day, orgs counted under the root


def children_on(parents: Parents, day: date) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = defaultdict(list)
    for org, history in parents.items():
        parent = parent_on(history, day)
        if parent is not None:
            kids[parent].append(org)
    return kids


def subtree(kids: dict[str, list[str]], root: str) -> frozenset[str]:
    """``root`` and everything under it."""
    found, frontier = {root}, [root]
    while frontier:
        frontier = [k for org in frontier for k in kids.get(org, ()) if k not in found]
        found.update(frontier)
    return frozenset(found)


def segments(parents: Parents, roots: list[str], start: date, end: date,
             today: date | None = None) -> list[tuple[date, date, dict[str, frozenset[str]]]]:
    """The range cut where the tree changed, with each root's subtree in each piece (one piece along
    ``today``'s tree when given)."""
    if today is not None:
        kids = children_on(parents, today)
        return [(start, end, {root: subtree(kids, root) for root in roots})]
    cuts = sorted({d for history in parents.values() for d, _ in history if start < d <= end})
    firsts = [start, *cuts]
    pieces = []
    for i, first in enumerate(firsts):
        last = firsts[i + 1] - timedelta(days=1) if i + 1 < len(firsts) else end
        kids = children_on(parents, first)
        pieces.append((first, last, {root: subtree(kids, root) for root in roots}))
    return pieces


def piece_of(pieces: list[tuple[date, date, dict[str, frozenset[str]]]], day: date):
    """The piece holding ``day`` (clamped to the range)."""
    for piece in pieces:
        if day <= piece[1]:
            return piece
    return pieces[-1]
