"""The bench's own organizations, made through the members API like an operator
would: one committee under the root, N cells with their members; then wait
until the meetings roster (fed by member events) knows every one of them."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date

import httpx

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = (("Văn Hùng", "male"), ("Thị Lan", "female"), ("Đức Thắng", "male"), ("Thu Hương", "female"),
         ("Minh Tuấn", "male"), ("Ngọc Mai", "female"), ("Quang Hải", "male"), ("Thanh Hạnh", "female"))


@dataclass
class BenchTree:
    root_id: str
    committee_id: str
    effective_from: date
    cells: list[str] = field(default_factory=list)
    rosters: dict[str, list[dict]] = field(default_factory=dict)  # cell id → roster members
    setup_s: float = 0.0

    @property
    def member_count(self) -> int:
        return sum(len(r) for r in self.rosters.values())


def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} → {response.status_code}: "
                           f"{response.text[:300]}")
    return response.json()


async def _org(members: httpx.AsyncClient, name: str, kind: str, parent: str, since: date) -> str:
    body = {"name": name, "kind": kind, "sector": "administrative", "parent_id": parent,
            "effective_from": since.isoformat()}
    return _ok(await members.post("/members/api/organizations", json=body))["id"]


async def _member(members: httpx.AsyncClient, cell: str, n: int, since: date, gate: asyncio.Semaphore) -> None:
    given, sex = GIVEN[n % len(GIVEN)]
    body = {"full_name": f"{SURNAMES[n % len(SURNAMES)]} {given}", "sex": sex,
            "date_of_birth": date(1970 + n % 30, 1 + n % 12, 1 + n % 28).isoformat(), "status": "official",
            "organization_id": cell, "effective_from": since.isoformat()}
    async with gate:
        _ok(await members.post("/members/api/members", json=body))


async def build_tree(members: httpx.AsyncClient, meetings: httpx.AsyncClient, root_id: str, cells: int,
                     per_cell: int, on: date, timeout: float = 120.0) -> BenchTree:
    """Committee, cells and members; returns once every cell's roster on ``on`` is complete."""
    started = time.monotonic()
    since = date.fromisoformat(_ok(await members.get(f"/members/api/organizations/{root_id}"))["effective_from"])
    committee = await _org(members, "Đảng bộ Khối thử tải (bench)", "committee", root_id, since)
    tree = BenchTree(root_id, committee, since)
    for i in range(1, cells + 1):
        tree.cells.append(await _org(members, f"Chi bộ thử tải số {i:02d}", "grassroots_cell", committee, since))
    gate = asyncio.Semaphore(4)  # members writes to SQLite: a few in flight is plenty
    await asyncio.gather(*(_member(members, cell, i * per_cell + n, since, gate)
                           for i, cell in enumerate(tree.cells) for n in range(per_cell)))
    await _wait_rosters(meetings, tree, per_cell, on, timeout)
    tree.setup_s = time.monotonic() - started
    return tree


async def _wait_rosters(meetings: httpx.AsyncClient, tree: BenchTree, per_cell: int, on: date, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for cell in tree.cells:
        while True:
            response = await meetings.get(f"/meetings/api/cells/{cell}/roster", params={"on": on.isoformat()})
            roster = response.json().get("members", []) if response.status_code == 200 else []
            if len(roster) >= per_cell:
                tree.rosters[cell] = roster
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"meetings' roster of cell {cell} has {len(roster)}/{per_cell} members "
                                   f"after {timeout:.0f} s (last answer {response.status_code})")
            await asyncio.sleep(0.2)
