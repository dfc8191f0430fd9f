"""Which organizations a subtree holds on a day, and how a date range splits where the tree changed.

A report for a past range rolls up along the tree in force then: the range is cut at every date a parent
link changed, and each piece counts the facts of the orgs under the root on that piece's first day (the tree
does not change inside a piece). ``tree=today`` reads the whole range along today's tree instead.
"""
from __future__ import annotations

import threading
from bisect import bisect_right
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
    return Tree(parents).segments(roots, start, end, today)


class Tree:
    """Parent histories and what is derived from them, kept while they are (``tree.pieces`` keeps one per large
    subtree and tree version). The children of every org are the same on any two days with no parent record
    dated after the first and up to the second (``parent_on``): the days between two such dates are one
    *interval*, and each root's subtree is derived once per interval, whatever range asks for it (a province at
    national scale: ~20 ms a derivation; December, the fourth quarter and the year of 2025 share one)."""

    KEPT = 16  # intervals whose children lists are kept (the subtrees derived from them: 4 per interval on average)

    def __init__(self, parents: Parents):
        self.parents = parents
        self.changes = sorted({d for history in parents.values() for d, _ in history})
        self._kids: dict[int, dict[str, list[str]]] = {}
        self._under: dict[tuple[int, str], frozenset[str]] = {}
        self._lock = threading.Lock()

    def subtree_on(self, day: date, root: str) -> frozenset[str]:
        """``subtree(children_on(parents, day), root)``."""
        interval = bisect_right(self.changes, day)
        found = self._under.get((interval, root))
        if found is None:
            kids = self._kids.get(interval)
            if kids is None:
                kids = children_on(self.parents, day)
            found = subtree(kids, root)
            with self._lock:  # request threads share a kept tree
                _bounded(self._kids, interval, kids, self.KEPT)
                _bounded(self._under, (interval, root), found, 4 * self.KEPT)
        return found

    def segments(self, roots: list[str], start: date, end: date,
                 today: date | None = None) -> list[tuple[date, date, dict[str, frozenset[str]]]]:
        """See ``segments``."""
        if today is not None:
            return [(start, end, {root: self.subtree_on(today, root) for root in roots})]
        firsts = [start, *self.changes[bisect_right(self.changes, start):bisect_right(self.changes, end)]]
        return [(first, firsts[i + 1] - timedelta(days=1) if i + 1 < len(firsts) else end,
                 {root: self.subtree_on(first, root) for root in roots}) for i, first in enumerate(firsts)]


def _bounded(kept: dict, key, value, most: int) -> None:
    kept.pop(key, None)
    if len(kept) >= most:
        kept.pop(next(iter(kept)))  # the oldest entry
    kept[key] = value


def piece_of(pieces: list[tuple[date, date, dict[str, frozenset[str]]]], day: date):
    """The piece holding ``day`` (clamped to the range)."""
    for piece in pieces:
        if day <= piece[1]:
            return piece
    return pieces[-1]
