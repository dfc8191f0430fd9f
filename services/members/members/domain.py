"""Pure rules of the members service: organization kinds, where each may sit,
and what a member registration must satisfy. No I/O here."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from shared.events import CELL_KINDS, MemberRegistered, OrganizationCreated

ORG_KINDS: tuple[str, ...] = ("province", "committee", "grassroots_committee", "grassroots_cell",
                              "sub_committee", "subordinate_cell")
SECTORS: tuple[str, ...] = ("administrative", "public_service", "state_enterprise", "non_state_enterprise",
                            "school", "armed_forces", "rural_residential", "other")
# kind -> the kinds its parent may have; () means it is a root.
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    "province": (),
    "committee": ("province",),
    "grassroots_committee": ("committee", "province"),
    "grassroots_cell": ("committee", "province"),
    "sub_committee": ("grassroots_committee",),
    "subordinate_cell": ("grassroots_committee", "sub_committee"),
}
KIND_LABELS_VI = {"province": "Đảng bộ tỉnh", "committee": "Đảng bộ trực thuộc tỉnh",
                  "grassroots_committee": "Đảng bộ cơ sở", "grassroots_cell": "Chi bộ cơ sở",
                  "sub_committee": "Đảng bộ bộ phận", "subordinate_cell": "Chi bộ trực thuộc"}
CCCD_PATTERN = re.compile(r"[0-9]{12}")  # ASCII only: \d would accept full-width digits
DEFAULT_MIN_AGE = 18


@dataclass(frozen=True)
class Problem:
    field: str
    vi: str
    en: str


class RuleError(Exception):
    """One or more broken rules, each naming the field to fix."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.en for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class OrgRef:
    """What the rules need to know about an existing organization."""

    id: uuid.UUID
    kind: str
    created_on: date
    dissolved_on: date | None = None


@dataclass(frozen=True)
class NewOrganization:
    name: str
    kind: str
    sector: str
    effective_from: date
    parent_id: uuid.UUID | None = None
    cluster: str | None = None
    id: uuid.UUID | None = None  # given only by the demo loader / imports, for stable ids


@dataclass(frozen=True)
class NewMember:
    full_name: str
    sex: str
    date_of_birth: date
    status: str
    organization_id: uuid.UUID
    effective_from: date
    cccd: str | None = None
    phone: str | None = None
    id: uuid.UUID | None = None


def age_on(born: date, day: date) -> int:
    """Completed years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parent_problems(kind: str, parent: OrgRef | None, effective_from: date) -> list[Problem]:
    allowed = ALLOWED_PARENTS[kind]
    if parent is None:
        return [] if not allowed else [Problem("parent_id", f"{KIND_LABELS_VI[kind]} phải có tổ chức cấp trên",
                                               f"A {kind} needs a parent organization")]
    if parent.kind not in allowed:
        names = ", ".join(KIND_LABELS_VI[k] for k in allowed) or "không có (cấp cao nhất)"
        return [Problem("parent_id", f"{KIND_LABELS_VI[kind]} chỉ được đặt dưới: {names}",
                        f"A {kind} may only sit under: {', '.join(allowed) or 'nothing (root)'}")]
    if effective_from < parent.created_on or (parent.dissolved_on and effective_from >= parent.dissolved_on):
        return [Problem("effective_from", "Tổ chức cấp trên chưa tồn tại hoặc đã giải thể vào ngày này",
                        "The parent organization does not exist on this date")]
    return []


def new_organization(cmd: NewOrganization, parent: OrgRef | None, *, actor: str | None) -> OrganizationCreated:
    """Check where the organization may sit and return the fact of its creation."""
    problems: list[Problem] = []
    if not cmd.name.strip():
        problems.append(Problem("name", "Tên tổ chức không được để trống", "The name must not be empty"))
    if cmd.kind not in ORG_KINDS:
        problems.append(Problem("kind", "Loại tổ chức không hợp lệ", "Unknown organization kind"))
    elif cmd.sector not in SECTORS:
        problems.append(Problem("sector", "Lĩnh vực không hợp lệ", "Unknown sector"))
    else:
        problems += parent_problems(cmd.kind, parent, cmd.effective_from)
    if problems:
        raise RuleError(*problems)
    return OrganizationCreated(organization_id=cmd.id or uuid.uuid4(), parent_id=parent.id if parent else None,
                               name=cmd.name.strip(), kind=cmd.kind, sector=cmd.sector,
                               cluster=(cmd.cluster or "").strip() or None, effective_from=cmd.effective_from,
                               actor=actor)


def cccd_problems(cccd: str | None) -> list[Problem]:
    if cccd is None or CCCD_PATTERN.fullmatch(cccd):
        return []
    return [Problem("cccd", "Số CCCD phải gồm đúng 12 chữ số", "The citizen ID (CCCD) must be exactly 12 digits")]


def member_problems(cmd: NewMember, cell: OrgRef, today: date, min_age: int) -> list[Problem]:
    problems: list[Problem] = []
    if not cmd.full_name.strip():
        problems.append(Problem("full_name", "Họ và tên không được để trống", "The full name must not be empty"))
    if cmd.date_of_birth > today:
        problems.append(Problem("date_of_birth", "Ngày sinh không được ở tương lai",
                                "The date of birth must not be in the future"))
    elif cmd.status == "probationary" and age_on(cmd.date_of_birth, cmd.effective_from) < min_age:
        problems.append(Problem("date_of_birth", f"Đảng viên dự bị phải đủ {min_age} tuổi vào ngày hiệu lực",
                                f"A probationary member must be at least {min_age} on the effective date"))
    if cell.kind not in CELL_KINDS:
        problems.append(Problem("organization_id", "Đảng viên chỉ được sinh hoạt tại chi bộ",
                                "Members can only be placed in a cell"))
    elif cmd.effective_from < cell.created_on or (cell.dissolved_on and cmd.effective_from >= cell.dissolved_on):
        problems.append(Problem("effective_from", "Chi bộ chưa tồn tại hoặc đã giải thể vào ngày này",
                                "The cell does not exist on this date"))
    return problems + cccd_problems(cmd.cccd)


def register(cmd: NewMember, cell: OrgRef, *, today: date, actor: str | None,
             min_age: int = DEFAULT_MIN_AGE) -> MemberRegistered:
    """Check a registration and return the fact that the member was registered in the cell."""
    problems = member_problems(cmd, cell, today, min_age)
    if cmd.status not in ("probationary", "official"):
        problems.insert(0, Problem("status", "Trạng thái đảng viên không hợp lệ", "Unknown member status"))
    if cmd.sex not in ("male", "female"):
        problems.insert(0, Problem("sex", "Giới tính không hợp lệ", "Unknown sex"))
    if problems:
        raise RuleError(*problems)
    return MemberRegistered(member_id=cmd.id or uuid.uuid4(), organization_id=cell.id,
                            full_name=" ".join(cmd.full_name.split()), sex=cmd.sex, date_of_birth=cmd.date_of_birth,
                            status=cmd.status, effective_from=cmd.effective_from, actor=actor)
