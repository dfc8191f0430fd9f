"""Pure rules of the members service: organization kinds, where each may sit,
and what a member registration must satisfy. No I/O here."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from shared.calendar import add_months, add_working_days, add_years, months_between
from shared.events import (CELL_KINDS, BadgeAwarded, MemberAdmitted, MemberExempted, MemberExemptionEnded,
                           MemberOfficialStatusGranted, MemberProfileChanged, MemberRegistered,
                           MemberTemporarilyTransferred, MemberTemporaryTransferEnded, MemberTransferReceived,
                           MemberTransferred, MembershipEnded, OrganizationCreated, OrganizationDissolved,
                           OrganizationMoved, OrganizationReclassified, OrganizationRenamed, PartyCardIssued,
                           StatisticalProfile)

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
    # 0002: the official profile (PROFILE_TEXT_FIELDS values) and the admission record
    details: dict | None = None
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None


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
    problems += record_date_problems(cmd, today)
    if problems:
        raise RuleError(*problems)
    profile = statistical_profile({**(cmd.details or {}), "sex": cmd.sex, "date_of_birth": cmd.date_of_birth},
                                  cmd.admission_decision_date)
    return MemberRegistered(member_id=cmd.id or uuid.uuid4(), organization_id=cell.id,
                            full_name=" ".join(cmd.full_name.split()), sex=cmd.sex, date_of_birth=cmd.date_of_birth,
                            status=cmd.status, profile=profile, effective_from=cmd.effective_from, actor=actor)


def record_date_problems(cmd: NewMember, today: date, probation_months: int = 12) -> list[Problem]:
    """An existing member's record: decision ≤ ceremony ≤ official date − probation; none in the future."""
    problems: list[Problem] = []
    for field in ("admission_decision_date", "admission_ceremony_date", "official_date"):
        if getattr(cmd, field) is not None and getattr(cmd, field) > today:
            problems += _not_future(field, getattr(cmd, field), today)
    decision, ceremony, official = cmd.admission_decision_date, cmd.admission_ceremony_date, cmd.official_date
    if decision and ceremony and ceremony < decision:
        problems.append(Problem("admission_ceremony_date", "Lễ kết nạp không được trước ngày quyết định",
                                "The admission ceremony cannot precede the decision"))
    if official and cmd.status != "official":
        problems.append(Problem("official_date", "Đảng viên dự bị chưa có ngày chính thức",
                                "A probationary member has no official date"))
    elif official and ceremony and official < add_months(ceremony, probation_months):
        problems.append(Problem("official_date", f"Ngày chính thức phải sau lễ kết nạp {probation_months} tháng",
                                f"The official date comes {probation_months} months after the ceremony"))
    return problems


# ---------------------------------------------------------------------------
# Lifecycle rules as data (members/data/lifecycle_rules.json, loaded by members.rules)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyWindow:
    from_years: int
    to_years: int
    months: int


@dataclass(frozen=True)
class LifecycleRules:
    effective_from: date
    min_age_months: int
    max_age_months: int
    probation_months: int
    official_decision_working_days: int
    transfer_letter_working_days: int
    transfer_present_working_days: int
    temporary_min_months: int
    temporary_max_months_exclusive: int
    temporary_study_max_months: int
    readmission_min_months: int
    readmission_max_times: int
    readmission_refused_causes: tuple[str, ...]
    badge_milestones: tuple[int, ...]
    badge_early: tuple[EarlyWindow, ...]
    badge_award_days: tuple[tuple[int, int], ...]  # (month, day)
    grassroots_min_official: int
    grassroots_committee_min_official: int
    cell_committee_min_official: int
    holidays: frozenset[date] = frozenset()

    def early_months(self, years: int) -> int:
        return next((w.months for w in self.badge_early if w.from_years <= years <= w.to_years), 0)

    def next_award_date(self, after: date) -> date:
        """The first award date on or after ``after``."""
        for year in (after.year, after.year + 1):
            for month, day in sorted(self.badge_award_days):
                if date(year, month, day) >= after:
                    return date(year, month, day)
        raise ValueError("no award dates configured")

    def is_award_date(self, day: date) -> bool:
        return (day.month, day.day) in self.badge_award_days


def rules_in_force(versions: list[LifecycleRules], on: date) -> LifecycleRules:
    """The version whose ``effective_from`` is the latest on or before ``on`` (the earliest if none)."""
    ordered = sorted(versions, key=lambda r: r.effective_from)
    chosen = ordered[0]
    for version in ordered:
        if version.effective_from <= on:
            chosen = version
    return chosen


# ---------------------------------------------------------------------------
# The organization tree: rename, reclassify, move, dissolve, merge (each from a date)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgState:
    """An organization as the tree rules see it on the command's date."""

    id: uuid.UUID
    name: str
    kind: str
    sector: str
    cluster: str | None
    created_on: date
    dissolved_on: date | None
    parent: OrgRef | None  # on the effective date
    last_change: date  # the latest effective date already recorded for it (versions, parent links)
    child_kinds: tuple[str, ...] = ()  # children in force on the effective date
    member_count: int = 0  # members placed on the effective date


def _in_force_problems(org: OrgState, effective_from: date) -> list[Problem]:
    if org.dissolved_on is not None and effective_from >= org.dissolved_on:
        return [Problem("organization_id", "Tổ chức đã giải thể vào ngày này",
                        "The organization is dissolved on this date")]
    if effective_from <= org.last_change or effective_from < org.created_on:
        return [Problem("effective_from", f"Ngày hiệu lực phải sau lần thay đổi gần nhất ({org.last_change:%d/%m/%Y})",
                        f"The effective date must come after the latest recorded change ({org.last_change})")]
    return []


def rename_organization(org: OrgState, name: str, effective_from: date, *, actor: str | None):
    problems = _in_force_problems(org, effective_from)
    clean = " ".join(name.split())
    if not clean:
        problems.append(Problem("name", "Tên tổ chức không được để trống", "The name must not be empty"))
    elif clean == org.name:
        problems.append(Problem("name", "Tên mới trùng tên hiện tại", "The new name is the current name"))
    if problems:
        raise RuleError(*problems)
    return OrganizationRenamed(organization_id=org.id, name=clean, effective_from=effective_from, actor=actor)


def reclassify_organization(org: OrgState, kind: str, sector: str, cluster: str | None, effective_from: date, *,
                            actor: str | None):
    problems = _in_force_problems(org, effective_from)
    cluster = (cluster or "").strip() or None
    if kind not in ORG_KINDS:
        problems.append(Problem("kind", "Loại tổ chức không hợp lệ", "Unknown organization kind"))
    elif sector not in SECTORS:
        problems.append(Problem("sector", "Lĩnh vực không hợp lệ", "Unknown sector"))
    else:
        if (kind, sector, cluster) == (org.kind, org.sector, org.cluster):
            problems.append(Problem("kind", "Không có gì thay đổi", "Nothing changes"))
        if org.parent is not None and org.parent.kind not in ALLOWED_PARENTS[kind]:
            problems.append(Problem("kind", f"{KIND_LABELS_VI[kind]} không được đặt dưới tổ chức cấp trên hiện tại",
                                    f"A {kind} may not sit under the current parent"))
        if any(kind not in ALLOWED_PARENTS[child] for child in org.child_kinds):
            problems.append(Problem("kind", "Tổ chức trực thuộc hiện có không được đặt dưới loại này",
                                    "The existing child organizations may not sit under this kind"))
        if org.member_count and kind not in CELL_KINDS:
            problems.append(Problem("kind", "Tổ chức còn đảng viên sinh hoạt nên phải là chi bộ",
                                    "The organization still has members, so it must stay a cell"))
    if problems:
        raise RuleError(*problems)
    return OrganizationReclassified(organization_id=org.id, kind=kind, sector=sector, cluster=cluster,
                                    effective_from=effective_from, actor=actor)


def move_organization(org: OrgState, new_parent: OrgRef, effective_from: date, *, under_itself: bool,
                      actor: str | None):
    """Place the organization (with its subtree) under ``new_parent``;
    ``under_itself`` when the target lies in its own subtree."""
    problems = _in_force_problems(org, effective_from)
    if under_itself:
        problems.append(Problem("parent_id", "Không thể chuyển tổ chức vào dưới chính nó hoặc tổ chức trực thuộc nó",
                                "An organization cannot be moved under itself or its own subtree"))
    elif org.parent is not None and new_parent.id == org.parent.id:
        problems.append(Problem("parent_id", "Tổ chức đã ở dưới tổ chức cấp trên này",
                                "The organization already sits under this parent"))
    else:
        problems += parent_problems(org.kind, new_parent, effective_from)
    if problems:
        raise RuleError(*problems)
    return OrganizationMoved(organization_id=org.id, parent_id=new_parent.id, effective_from=effective_from,
                             actor=actor)


def dissolve_organization(org: OrgState, effective_from: date, *, merged_into: OrgRef | None = None,
                          actor: str | None):
    """Dissolve from a date. Without a merge it must be empty on that date; a merge moves children and members
    into ``merged_into`` (the use case publishes those moves with this event)."""
    problems = _in_force_problems(org, effective_from)
    if org.parent is None:
        problems.append(Problem("organization_id", "Không thể giải thể tổ chức cấp cao nhất",
                                "The root organization cannot be dissolved"))
    if merged_into is None:
        if org.child_kinds:
            problems.append(Problem("organization_id", "Tổ chức còn tổ chức trực thuộc: hãy chuyển chúng trước",
                                    "The organization still has child organizations: move them first"))
        if org.member_count:
            problems.append(Problem("organization_id", "Tổ chức còn đảng viên: hãy chuyển sinh hoạt trước",
                                    "The organization still has members: transfer them first"))
    else:
        if merged_into.id == org.id:
            problems.append(Problem("merged_into_id", "Không thể hợp nhất vào chính nó",
                                    "An organization cannot be merged into itself"))
        elif merged_into.dissolved_on is not None and effective_from >= merged_into.dissolved_on \
                or effective_from < merged_into.created_on:
            problems.append(Problem("merged_into_id",
                                    "Tổ chức nhận hợp nhất chưa tồn tại hoặc đã giải thể vào ngày này",
                                    "The organization merged into does not exist on this date"))
        else:
            if org.member_count and merged_into.kind not in CELL_KINDS:
                problems.append(Problem("merged_into_id", "Đảng viên chỉ được chuyển đến một chi bộ",
                                        "Members can only be moved into a cell"))
            if any(merged_into.kind not in ALLOWED_PARENTS[child] for child in org.child_kinds):
                problems.append(Problem("merged_into_id",
                                        "Tổ chức trực thuộc không được đặt dưới tổ chức nhận hợp nhất",
                                        "The child organizations may not sit under the organization merged into"))
    if problems:
        raise RuleError(*problems)
    return OrganizationDissolved(organization_id=org.id, merged_into_id=merged_into.id if merged_into else None,
                                 effective_from=effective_from, actor=actor)


GRASSROOTS_KINDS = ("grassroots_committee", "grassroots_cell")


@dataclass(frozen=True)
class StructureWarning:
    organization_id: uuid.UUID
    rule: str
    official_members: int
    vi: str
    en: str


def structure_warnings(org_id: uuid.UUID, kind: str, official: int, rules: LifecycleRules) -> list[StructureWarning]:
    """domain.md §5: a grassroots organization needs ≥3 official members; under 30 it is a cell, from 30 a
    committee; a cell elects a cell committee (chi ủy) from 9 official members, below that a secretary."""
    out: list[StructureWarning] = []
    if kind in GRASSROOTS_KINDS and official < rules.grassroots_min_official:
        out.append(StructureWarning(org_id, "grassroots_min_official", official,
                                    f"Tổ chức cơ sở đảng cần ít nhất {rules.grassroots_min_official} "
                                    "đảng viên chính thức",
                                    f"A grassroots organization needs at least {rules.grassroots_min_official} "
                                    "official members"))
    if kind == "grassroots_committee" and official < rules.grassroots_committee_min_official:
        out.append(StructureWarning(org_id, "committee_below_threshold", official,
                                    f"Dưới {rules.grassroots_committee_min_official} đảng viên chính thức: "
                                    "nên là chi bộ cơ sở",
                                    f"Under {rules.grassroots_committee_min_official} official members: "
                                    "should be a grassroots cell"))
    if kind == "grassroots_cell" and official >= rules.grassroots_committee_min_official:
        out.append(StructureWarning(org_id, "cell_above_threshold", official,
                                    f"Từ {rules.grassroots_committee_min_official} đảng viên chính thức: "
                                    "nên lập đảng bộ cơ sở",
                                    f"{rules.grassroots_committee_min_official} or more official members: "
                                    "should become a grassroots committee"))
    if kind in CELL_KINDS and official >= rules.cell_committee_min_official:
        out.append(StructureWarning(org_id, "cell_committee", official,
                                    f"Từ {rules.cell_committee_min_official} đảng viên chính thức: chi bộ bầu chi ủy",
                                    f"{rules.cell_committee_min_official} or more official members: the cell elects "
                                    "a cell committee"))
    return out


# ---------------------------------------------------------------------------
# Member records: the official profile (domain.md §7)
# ---------------------------------------------------------------------------

# Free-text profile fields of the lý lịch, beyond name, sex, date of birth, CCCD and phone.
PROFILE_TEXT_FIELDS: tuple[str, ...] = (
    "birth_name", "aliases", "place_of_birth", "hometown", "ethnicity", "religion", "permanent_residence",
    "temporary_residence", "education_level", "professional_level", "political_theory_level", "occupation",
    "position", "employer_unit")
# Fields reports count by: a change publishes MemberProfileChanged (with the name, which lists show).
STATISTICAL_FIELDS: tuple[str, ...] = ("full_name", "sex", "date_of_birth", "ethnicity", "religion", "education_level",
                                       "professional_level", "political_theory_level")
EDITABLE_FIELDS: tuple[str, ...] = ("full_name", "sex", "date_of_birth", "cccd", "phone", *PROFILE_TEXT_FIELDS)


def statistical_profile(values: dict, party_age_start: date | None) -> StatisticalProfile:
    return StatisticalProfile(sex=values["sex"], date_of_birth=values["date_of_birth"],
                              ethnicity=values.get("ethnicity"), religion=values.get("religion"),
                              education_level=values.get("education_level"),
                              professional_level=values.get("professional_level"),
                              political_theory_level=values.get("political_theory_level"),
                              party_age_start=party_age_start)


def profile_problems(values: dict, today: date) -> list[Problem]:
    """Checks of the person's own fields, shared by registration, admission, transfer-in and edits."""
    problems: list[Problem] = []
    if "full_name" in values and not (values["full_name"] or "").strip():
        problems.append(Problem("full_name", "Họ và tên không được để trống", "The full name must not be empty"))
    if "sex" in values and values["sex"] not in ("male", "female"):
        problems.append(Problem("sex", "Giới tính không hợp lệ", "Unknown sex"))
    if values.get("date_of_birth") is not None and values["date_of_birth"] > today:
        problems.append(Problem("date_of_birth", "Ngày sinh không được ở tương lai",
                                "The date of birth must not be in the future"))
    if "date_of_birth" in values and values["date_of_birth"] is None:
        problems.append(Problem("date_of_birth", "Thiếu ngày sinh", "The date of birth is required"))
    return problems + cccd_problems(values.get("cccd"))


def profile_changes(current: dict, changes: dict, today: date) -> dict[str, tuple]:
    """{field: (before, after)} for the fields that really change; RuleError on bad values or unknown fields."""
    unknown = [f for f in changes if f not in EDITABLE_FIELDS]
    if unknown:
        raise RuleError(*(Problem(f, "Trường này không sửa được ở đây", "This field cannot be edited here")
                          for f in unknown))
    cleaned = {f: (" ".join(v.split()) or None) if isinstance(v, str) else v for f, v in changes.items()}
    problems = profile_problems(cleaned, today)
    if problems:
        raise RuleError(*problems)
    diff = {f: (current.get(f), v) for f, v in cleaned.items() if current.get(f) != v}
    if not diff:
        raise RuleError(Problem("changes", "Không có thay đổi nào", "Nothing changes"))
    return diff


def profile_changed_event(member_id: uuid.UUID, values: dict, party_age_start: date | None, effective_from: date,
                          *, actor: str | None) -> MemberProfileChanged:
    return MemberProfileChanged(member_id=member_id, full_name=values["full_name"],
                                profile=statistical_profile(values, party_age_start), effective_from=effective_from,
                                actor=actor)


# ---------------------------------------------------------------------------
# Party age: from the admission decision date, less the gaps (never typed)
# ---------------------------------------------------------------------------

Gap = tuple[date, "date | None"]  # [from, to) with an open end while it lasts


def gap_days_before(gaps: tuple[Gap, ...], on: date) -> int:
    total = 0
    for start, end in gaps:
        stop = min(end or on, on)
        if stop > start:
            total += (stop - start).days
    return total


def party_age(start: date, gaps: tuple[Gap, ...], on: date) -> tuple[int, int]:
    """(years, months) of party age on ``on``: the start shifted by the gap days, then completed months."""
    shifted = date.fromordinal(start.toordinal() + gap_days_before(gaps, on))
    months = max(0, months_between(shifted, on))
    return divmod(months, 12)


def milestone_date(start: date, gaps: tuple[Gap, ...], years: int) -> date:
    """The day the party age reaches ``years`` (later by every gap day lived before it)."""
    reach = add_years(start, years)
    for _ in range(len(gaps) + 2):
        shifted = add_years(date.fromordinal(start.toordinal() + gap_days_before(gaps, reach)), years)
        if shifted == reach:
            break
        reach = shifted
    return reach


# ---------------------------------------------------------------------------
# The member state machine and the lifecycle commands
# ---------------------------------------------------------------------------

ACTIVE = ("probationary", "official")
STATUS_LABELS_VI = {"probationary": "dự bị", "official": "chính thức", "ended": "đã ra khỏi Đảng / xóa tên",
                    "transferred_out": "đã chuyển sinh hoạt ra ngoài tỉnh"}
# command -> the member statuses it is valid in
ALLOWED_IN: dict[str, tuple[str, ...]] = {
    "update_profile": (*ACTIVE, "ended", "transferred_out"),
    "make_official": ("probationary",), "refuse_official": ("probationary",),
    "transfer": ACTIVE, "receive_transfer": ACTIVE, "temporary_transfer": ACTIVE, "end_temporary_transfer": ACTIVE,
    "issue_card": ("official",), "award_badge": ("official",),
    "exempt": ACTIVE, "end_exemption": ACTIVE, "end_membership": ACTIVE,
    "readmit": ("ended",),
}
END_REASONS = ("removed", "expelled", "exited", "deceased")
END_LABELS_VI = {"removed": "xóa tên", "expelled": "khai trừ", "exited": "ra khỏi Đảng", "deceased": "từ trần",
                 "probation_not_recognized": "không công nhận đảng viên chính thức"}
END_CAUSES = ("quit_activities", "resigned", "serious_disunity", "corruption", "serious_crime", "unpaid_fees",
              "family_hardship", "other")


@dataclass(frozen=True)
class MemberState:
    """What the lifecycle rules need to know about a member."""

    id: uuid.UUID
    full_name: str
    status: str
    organization_id: uuid.UUID | None  # current cell (the last one once ended)
    profile: StatisticalProfile
    placed_from: date | None = None
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    end_cause: str | None = None
    readmissions: int = 0
    exempt_since: date | None = None
    temporary_from: date | None = None  # an open temporary transfer
    pending_transfer: bool = False
    card_number: str | None = None
    badges: tuple[int, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def party_age_start(self) -> date | None:
        return self.profile.party_age_start


def require_state(state: MemberState, command: str) -> None:
    """A command invalid in the member's state changes nothing and says why (field ``status``)."""
    if state.status not in ALLOWED_IN[command]:
        allowed = ", ".join(STATUS_LABELS_VI[s] for s in ALLOWED_IN[command])
        raise RuleError(Problem("status", f"Không thể thực hiện khi đảng viên đang ở trạng thái "
                                          f"“{STATUS_LABELS_VI[state.status]}” (chỉ khi: {allowed})",
                                f"Not possible while the member is {state.status} "
                                f"(only when: {', '.join(ALLOWED_IN[command])})"))


def _not_future(field: str, day: date, today: date) -> list[Problem]:
    return [Problem(field, "Ngày không được ở tương lai", "The date must not be in the future")] if day > today else []


def _cell_problems(field: str, cell: OrgRef | None, on: date) -> list[Problem]:
    if cell is None:
        return [Problem(field, "Không tìm thấy tổ chức này", "No such organization")]
    if cell.kind not in CELL_KINDS:
        return [Problem(field, "Đảng viên chỉ được sinh hoạt tại chi bộ", "Members can only be placed in a cell")]
    if cell.dissolved_on is not None and on >= cell.dissolved_on:
        return [Problem(field, "Tổ chức này đã giải thể vào ngày này", "This organization is dissolved on this date")]
    if on < cell.created_on:
        return [Problem(field, "Tổ chức này chưa tồn tại vào ngày này",
                        "This organization does not exist yet on this date")]
    return []


def admission_age_problems(born: date, considered_on: date, rules: LifecycleRules,
                           provincial_decision: bool) -> list[Problem]:
    """Age 18-60 counted in completed months on the day the cell considers; over 60 needs the province."""
    months = months_between(born, considered_on)
    if months < rules.min_age_months:
        years = rules.min_age_months // 12
        return [Problem("date_of_birth", f"Người vào Đảng phải đủ {years} tuổi (tính theo tháng) vào ngày chi bộ xét",
                        f"An applicant must be at least {years} (counted in months) on the day the cell considers")]
    if months > rules.max_age_months and not provincial_decision:
        years = rules.max_age_months // 12
        return [Problem("provincial_decision", f"Người trên {years} tuổi vào Đảng phải do cấp tỉnh xem xét, quyết định",
                        f"Admitting someone over {years} needs a provincial-level decision")]
    return []


@dataclass(frozen=True)
class Admission:
    full_name: str
    sex: str
    date_of_birth: date
    organization_id: uuid.UUID
    considered_on: date  # the cell's meeting that considered the application
    decision_date: date  # signing date of the admission decision: party age starts here
    ceremony_date: date  # "ngày vào Đảng": probation runs 12 months from it
    details: dict = None  # PROFILE_TEXT_FIELDS values
    cccd: str | None = None
    phone: str | None = None
    provincial_decision: bool = False
    id: uuid.UUID | None = None


def _admission_date_problems(considered_on: date, decision_date: date, ceremony_date: date,
                             today: date) -> list[Problem]:
    problems = _not_future("ceremony_date", ceremony_date, today)
    if decision_date < considered_on:
        problems.append(Problem("decision_date", "Ngày quyết định kết nạp không được trước ngày chi bộ xét",
                                "The admission decision cannot precede the cell's consideration"))
    if ceremony_date < decision_date:
        problems.append(Problem("ceremony_date", "Lễ kết nạp không được trước ngày quyết định",
                                "The admission ceremony cannot precede the decision"))
    return problems


def admit(cmd: Admission, cell: OrgRef | None, rules: LifecycleRules, *, today: date,
          actor: str | None) -> MemberAdmitted:
    values = {"full_name": cmd.full_name, "sex": cmd.sex, "date_of_birth": cmd.date_of_birth, "cccd": cmd.cccd}
    problems = profile_problems(values, today)
    if not any(p.field == "date_of_birth" for p in problems):
        problems += admission_age_problems(cmd.date_of_birth, cmd.considered_on, rules, cmd.provincial_decision)
    problems += _admission_date_problems(cmd.considered_on, cmd.decision_date, cmd.ceremony_date, today)
    problems += _cell_problems("organization_id", cell, cmd.ceremony_date)
    if problems:
        raise RuleError(*problems)
    profile = statistical_profile({**(cmd.details or {}), **values}, cmd.decision_date)
    return MemberAdmitted(member_id=cmd.id or uuid.uuid4(), organization_id=cell.id,
                          full_name=" ".join(cmd.full_name.split()), profile=profile, decision_date=cmd.decision_date,
                          ceremony_date=cmd.ceremony_date, effective_from=cmd.ceremony_date, actor=actor)


@dataclass(frozen=True)
class Readmission:
    organization_id: uuid.UUID
    considered_on: date
    decision_date: date
    ceremony_date: date
    provincial_decision: bool = False


def readmit(state: MemberState, cmd: Readmission, cell: OrgRef | None, rules: LifecycleRules, *, today: date,
            actor: str | None) -> MemberAdmitted:
    """Readmission: ≥36 months after leaving, only once, never after death or for the refused causes;
    a new probation, party age still counted from the first decision less the gap."""
    require_state(state, "readmit")
    problems: list[Problem] = []
    if state.end_reason == "deceased":
        problems.append(Problem("status", "Đảng viên đã từ trần", "The member is deceased"))
    elif state.end_cause in rules.readmission_refused_causes:
        problems.append(Problem("status", "Không kết nạp lại người đã ra khỏi Đảng vì lý do này",
                                f"No readmission after leaving for this cause ({state.end_cause})"))
    if state.readmissions >= rules.readmission_max_times:
        problems.append(Problem("status", "Chỉ được kết nạp lại một lần", "A member can be readmitted only once"))
    earliest = add_months(state.ended_on, rules.readmission_min_months) if state.ended_on else None
    if earliest and cmd.considered_on < earliest:
        problems.append(Problem("considered_on", f"Chỉ xét kết nạp lại sau {rules.readmission_min_months} tháng kể từ "
                                                 f"khi ra khỏi Đảng (từ {earliest:%d/%m/%Y})",
                                f"Readmission only {rules.readmission_min_months} months after leaving "
                                f"(from {earliest})"))
    problems += admission_age_problems(state.profile.date_of_birth, cmd.considered_on, rules, cmd.provincial_decision)
    problems += _admission_date_problems(cmd.considered_on, cmd.decision_date, cmd.ceremony_date, today)
    problems += _cell_problems("organization_id", cell, cmd.ceremony_date)
    if problems:
        raise RuleError(*problems)
    return MemberAdmitted(member_id=state.id, organization_id=cell.id, full_name=state.full_name,
                          profile=state.profile.model_copy(
                              update={"party_age_start": state.party_age_start or cmd.decision_date}),
                          decision_date=cmd.decision_date, ceremony_date=cmd.ceremony_date, readmission=True,
                          effective_from=cmd.ceremony_date, actor=actor)


@dataclass(frozen=True)
class ProbationDue:
    member_id: uuid.UUID
    due_on: date  # 12 months after the ceremony: official as of this date
    decide_by: date  # 30 working days later
    overdue: bool


def probation_due(state: MemberState, today: date, rules: LifecycleRules) -> ProbationDue:
    due = add_months(state.admission_ceremony_date, rules.probation_months)
    decide_by = add_working_days(due, rules.official_decision_working_days, rules.holidays)
    return ProbationDue(state.id, due, decide_by, today > decide_by)


def make_official(state: MemberState, decision_date: date, rules: LifecycleRules, *, today: date,
                  actor: str | None) -> tuple[MemberOfficialStatusGranted, list[Problem]]:
    """Not before 12 months of probation; official as of the 12-month mark even when decided later.
    A decision past the 30-working-day deadline is accepted with a warning (an explanation is due)."""
    require_state(state, "make_official")
    if state.admission_ceremony_date is None:
        raise RuleError(Problem("admission_ceremony_date", "Chưa có ngày lễ kết nạp", "No admission ceremony date"))
    due = probation_due(state, today, rules)
    problems = _not_future("decision_date", decision_date, today)
    if decision_date < due.due_on:
        problems.append(Problem("decision_date", f"Chưa đủ {rules.probation_months} tháng dự bị "
                                                 f"(đủ vào ngày {due.due_on:%d/%m/%Y})",
                                f"Probation of {rules.probation_months} months is not over (it ends {due.due_on})"))
    if problems:
        raise RuleError(*problems)
    warnings = []
    if decision_date > due.decide_by:
        warnings.append(Problem("decision_date", f"Quá hạn {rules.official_decision_working_days} ngày làm việc "
                                                 f"(hạn {due.decide_by:%d/%m/%Y}): cần giải trình",
                                f"Past the {rules.official_decision_working_days}-working-day deadline "
                                f"({due.decide_by}): an explanation is due"))
    return MemberOfficialStatusGranted(member_id=state.id, organization_id=state.organization_id,
                                       decision_date=decision_date, effective_from=due.due_on, actor=actor), warnings


def refuse_official(state: MemberState, decision_date: date, *, today: date, actor: str | None) -> MembershipEnded:
    require_state(state, "refuse_official")
    problems = _not_future("decision_date", decision_date, today)
    if state.admission_ceremony_date and decision_date < state.admission_ceremony_date:
        problems.append(Problem("decision_date", "Ngày quyết định không được trước lễ kết nạp",
                                "The decision cannot precede the admission ceremony"))
    if problems:
        raise RuleError(*problems)
    return MembershipEnded(member_id=state.id, organization_id=state.organization_id,
                           reason="probation_not_recognized", decision_date=decision_date,
                           effective_from=decision_date, actor=actor)


def _after_placement(field: str, state: MemberState, day: date) -> list[Problem]:
    if state.placed_from and day < state.placed_from:
        return [Problem(field, "Ngày không được trước ngày sinh hoạt tại chi bộ hiện tại "
                               f"({state.placed_from:%d/%m/%Y})",
                        f"The date cannot precede the current placement ({state.placed_from})")]
    return []


def issue_transfer(state: MemberState, target: OrgRef | None, destination: str | None, moved_on: date | None,
                   letter_issued_on: date, rules: LifecycleRules, *, today: date, target_given: bool,
                   actor: str | None) -> tuple[MemberTransferred | None, list[Problem]]:
    """An official transfer letter. Out of the province the member leaves now (event); within it the
    transfer waits for the receiving cell (``receive_transfer``). Late letters are warnings."""
    require_state(state, "transfer")
    problems = _not_future("letter_issued_on", letter_issued_on, today) + \
        _after_placement("letter_issued_on", state, letter_issued_on)
    if state.pending_transfer:
        problems.append(Problem("status", "Đảng viên đang có một giấy giới thiệu chuyển sinh hoạt chưa hoàn tất",
                                "The member already has a transfer letter pending"))
    if target_given == bool((destination or "").strip()):
        problems.append(Problem("to_organization_id", "Cần chọn đúng một: chi bộ trong tỉnh hoặc nơi đến ngoài tỉnh",
                                "Give exactly one: a cell in the province or a destination outside it"))
    elif target_given:
        problems += _cell_problems("to_organization_id", target, letter_issued_on)
        if target is not None and target.id == state.organization_id:
            problems.append(Problem("to_organization_id", "Chi bộ đến trùng chi bộ hiện tại",
                                    "The target is the member's current cell"))
    if moved_on is not None and moved_on > letter_issued_on:
        problems.append(Problem("moved_on", "Ngày chuyển công tác không được sau ngày cấp giấy giới thiệu",
                                "The job move cannot come after the letter"))
    if problems:
        raise RuleError(*problems)
    warnings = []
    if moved_on is not None:
        deadline = add_working_days(moved_on, rules.transfer_letter_working_days, rules.holidays)
        if letter_issued_on > deadline:
            warnings.append(Problem("letter_issued_on", f"Quá {rules.transfer_letter_working_days} ngày làm việc kể "
                                                        f"từ khi chuyển công tác (hạn {deadline:%d/%m/%Y})",
                                    f"More than {rules.transfer_letter_working_days} working days after the move "
                                    f"(deadline {deadline})"))
    if target_given:
        return None, warnings
    return MemberTransferred(member_id=state.id, from_organization_id=state.organization_id, to_organization_id=None,
                             destination=destination.strip(), letter_issued_on=letter_issued_on,
                             effective_from=letter_issued_on, actor=actor), warnings


def presentation_deadline(letter_issued_on: date, rules: LifecycleRules) -> date:
    return add_working_days(letter_issued_on, rules.transfer_present_working_days, rules.holidays)


def receive_transfer(state: MemberState, target: OrgRef | None, letter_issued_on: date, received_on: date,
                     rules: LifecycleRules, *, today: date,
                     actor: str | None) -> tuple[MemberTransferred, list[Problem]]:
    """The receiving cell took the letter: the member moves from this date. Late presentation is a warning."""
    require_state(state, "receive_transfer")
    problems = _not_future("received_on", received_on, today)
    if not state.pending_transfer:
        problems.append(Problem("status", "Không có giấy giới thiệu chuyển sinh hoạt đang chờ",
                                "No transfer letter is pending"))
    if received_on < letter_issued_on:
        problems.append(Problem("received_on", "Ngày nhận không được trước ngày cấp giấy giới thiệu",
                                "The letter cannot be received before it was issued"))
    problems += _cell_problems("to_organization_id", target, received_on)
    if problems:
        raise RuleError(*problems)
    warnings = []
    deadline = presentation_deadline(letter_issued_on, rules)
    if received_on > deadline:
        warnings.append(Problem("received_on", f"Nộp giấy giới thiệu quá {rules.transfer_present_working_days} ngày "
                                               f"làm việc (hạn {deadline:%d/%m/%Y}): cần giải trình",
                                f"Presented more than {rules.transfer_present_working_days} working days after "
                                f"issue (deadline {deadline}): an explanation is due"))
    return MemberTransferred(member_id=state.id, from_organization_id=state.organization_id,
                             to_organization_id=target.id, letter_issued_on=letter_issued_on,
                             effective_from=received_on, actor=actor), warnings


def transfer_in(cmd: NewMember, origin: str, cell: OrgRef, *, today: date, actor: str | None,
                details: dict | None = None, party_age_start: date | None = None) -> MemberTransferReceived:
    """A member from outside the province joins a cell (the record is created with its profile)."""
    problems = member_problems(cmd, cell, today, 0)
    if cmd.status not in ACTIVE:
        problems.insert(0, Problem("status", "Trạng thái đảng viên không hợp lệ", "Unknown member status"))
    if cmd.sex not in ("male", "female"):
        problems.insert(0, Problem("sex", "Giới tính không hợp lệ", "Unknown sex"))
    if not origin.strip():
        problems.append(Problem("origin", "Cần ghi nơi chuyển đến từ", "Where the member comes from is required"))
    if problems:
        raise RuleError(*problems)
    values = {**(details or {}), "sex": cmd.sex, "date_of_birth": cmd.date_of_birth}
    return MemberTransferReceived(member_id=cmd.id or uuid.uuid4(), organization_id=cell.id,
                                  full_name=" ".join(cmd.full_name.split()), status=cmd.status,
                                  profile=statistical_profile(values, party_age_start), origin=origin.strip(),
                                  effective_from=cmd.effective_from, actor=actor)


def temporary_transfer(state: MemberState, host: OrgRef | None, host_given: bool, host_name: str | None,
                       start: date, until: date, study: bool, rules: LifecycleRules, *,
                       actor: str | None) -> MemberTemporarilyTransferred:
    """3 months to under a year (study: up to 2 years); the member stays on the home cell's roll."""
    require_state(state, "temporary_transfer")
    problems = _after_placement("effective_from", state, start)
    if state.temporary_from is not None:
        problems.append(Problem("status", "Đảng viên đang sinh hoạt tạm thời ở nơi khác",
                                "The member is already on a temporary transfer"))
    if host_given:
        problems += _cell_problems("host_organization_id", host, start)
        if host is not None and host.id == state.organization_id:
            problems.append(Problem("host_organization_id", "Chi bộ nơi đến trùng chi bộ hiện tại",
                                    "The host is the member's own cell"))
    elif not (host_name or "").strip():
        problems.append(Problem("host_organization_id", "Cần chọn chi bộ nơi đến hoặc ghi nơi đến ngoài tỉnh",
                                "Give a host cell or a host outside the province"))
    shortest = add_months(start, rules.temporary_min_months)
    longest = add_months(start, rules.temporary_study_max_months if study else rules.temporary_max_months_exclusive)
    if until < shortest:
        problems.append(Problem("until", f"Sinh hoạt tạm thời từ {rules.temporary_min_months} tháng trở lên "
                                         f"(đến ít nhất {shortest:%d/%m/%Y})",
                                f"A temporary transfer lasts at least {rules.temporary_min_months} months "
                                f"(until {shortest} or later)"))
    elif (until > longest) if study else (until >= longest):
        problems.append(Problem("until", "Quá thời hạn sinh hoạt tạm thời (dưới 1 năm; đi học tối đa 2 năm) — "
                                         "hãy chuyển sinh hoạt chính thức",
                                "Too long for a temporary transfer (under a year; study up to 2 years): "
                                "make it an official transfer"))
    if problems:
        raise RuleError(*problems)
    return MemberTemporarilyTransferred(member_id=state.id, home_organization_id=state.organization_id,
                                        host_organization_id=host.id if host_given else None, effective_from=start,
                                        until=until, actor=actor)


def end_temporary_transfer(state: MemberState, on: date, *, actor: str | None) -> MemberTemporaryTransferEnded:
    require_state(state, "end_temporary_transfer")
    if state.temporary_from is None:
        raise RuleError(Problem("status", "Đảng viên không sinh hoạt tạm thời",
                                "The member is not on a temporary transfer"))
    if on < state.temporary_from:
        raise RuleError(Problem("effective_from", "Ngày kết thúc không được trước ngày bắt đầu",
                                "The end cannot precede the start"))
    return MemberTemporaryTransferEnded(member_id=state.id, home_organization_id=state.organization_id,
                                        effective_from=on, actor=actor)


CARD_NUMBER_PATTERN = re.compile(r"[0-9A-Z]{6,12}")


def issue_card(state: MemberState, number: str, issued_on: date, replacement: bool, *, today: date,
               actor: str | None) -> PartyCardIssued:
    """Official members only; a first card once, later ones are replacements (lost or damaged)."""
    require_state(state, "issue_card")
    problems = _not_future("issued_on", issued_on, today)
    if not CARD_NUMBER_PATTERN.fullmatch(number or ""):
        problems.append(Problem("card_number", "Số thẻ đảng gồm 6–12 chữ số hoặc chữ in hoa",
                                "A party card number has 6-12 digits or capital letters"))
    if replacement and state.card_number is None:
        problems.append(Problem("replacement", "Đảng viên chưa có thẻ để cấp lại", "There is no card to replace"))
    if not replacement and state.card_number is not None:
        problems.append(Problem("replacement", "Đảng viên đã có thẻ: hãy chọn cấp lại",
                                "The member has a card already: issue a replacement"))
    if state.official_date and issued_on < state.official_date:
        problems.append(Problem("issued_on", "Thẻ chỉ cấp sau khi là đảng viên chính thức",
                                "A card is issued only after the member became official"))
    if problems:
        raise RuleError(*problems)
    return PartyCardIssued(member_id=state.id, organization_id=state.organization_id, replacement=replacement,
                           effective_from=issued_on, actor=actor)


@dataclass(frozen=True)
class BadgeDue:
    member_id: uuid.UUID
    years: int
    reached_on: date
    early: bool  # only with the early-award rule (serious illness)


def next_badge(state: MemberState, award_date: date, rules: LifecycleRules) -> BadgeDue | None:
    """The badge due at ``award_date``: the highest milestone reached by then and not yet awarded; otherwise the
    next one when it is within the early-award window (serious illness)."""
    if state.status != "official" or state.party_age_start is None:
        return None
    done = max(state.badges, default=0)
    reached_due: BadgeDue | None = None
    for years in sorted(rules.badge_milestones):
        if years <= done:
            continue
        reached = milestone_date(state.party_age_start, state.gaps, years)
        if reached <= award_date:
            reached_due = BadgeDue(state.id, years, reached, False)
            continue
        if reached_due is None and add_months(reached, -rules.early_months(years)) <= award_date:
            return BadgeDue(state.id, years, reached, True)
        break
    return reached_due


def award_badge(state: MemberState, years: int, awarded_on: date, serious_illness: bool, rules: LifecycleRules, *,
                today: date, actor: str | None) -> BadgeAwarded:
    require_state(state, "award_badge")
    problems = _not_future("awarded_on", awarded_on, today)
    if not rules.is_award_date(awarded_on):
        days = ", ".join(f"{d}/{m}" for m, d in sorted(rules.badge_award_days))
        problems.append(Problem("awarded_on", f"Huy hiệu được trao vào các ngày {days}",
                                f"Badges are presented on {days} (day/month)"))
    if years not in rules.badge_milestones:
        problems.append(Problem("years", "Không có mốc huy hiệu này", "There is no badge for this many years"))
    elif years in state.badges or years < max(state.badges, default=0):
        problems.append(Problem("years", "Đã trao huy hiệu này hoặc mốc cao hơn",
                                "This badge or a higher one was awarded already"))
    elif state.party_age_start is None:
        problems.append(Problem("years", "Chưa có ngày quyết định kết nạp để tính tuổi đảng",
                                "No admission decision date to compute the party age from"))
    else:
        reached = milestone_date(state.party_age_start, state.gaps, years)
        earliest = add_months(reached, -rules.early_months(years)) if serious_illness else reached
        if awarded_on < earliest:
            early_vi = f"; sớm nhất {earliest:%d/%m/%Y}" if serious_illness else ""
            early_en = f"; earliest {earliest}" if serious_illness else ""
            problems.append(Problem("years",
                                    f"Chưa đủ {years} năm tuổi đảng (đủ vào ngày {reached:%d/%m/%Y}{early_vi})",
                                    f"Party age of {years} years not reached (on {reached}{early_en})"))
    if problems:
        raise RuleError(*problems)
    return BadgeAwarded(member_id=state.id, organization_id=state.organization_id, years=years,
                        effective_from=awarded_on, actor=actor)


def exempt(state: MemberState, on: date, reason: str | None, *, today: date, actor: str | None) -> MemberExempted:
    require_state(state, "exempt")
    problems = _not_future("effective_from", on, today) + _after_placement("effective_from", state, on)
    if state.exempt_since is not None:
        problems.append(Problem("status", "Đảng viên đã được miễn công tác và sinh hoạt",
                                "The member is exempt already"))
    if problems:
        raise RuleError(*problems)
    return MemberExempted(member_id=state.id, organization_id=state.organization_id,
                          reason=(reason or "").strip() or None, effective_from=on, actor=actor)


def end_exemption(state: MemberState, on: date, *, today: date, actor: str | None) -> MemberExemptionEnded:
    require_state(state, "end_exemption")
    if state.exempt_since is None:
        raise RuleError(Problem("status", "Đảng viên không được miễn công tác và sinh hoạt",
                                "The member is not exempt"))
    problems = _not_future("effective_from", on, today)
    if on <= state.exempt_since:
        problems.append(Problem("effective_from", "Ngày kết thúc phải sau ngày bắt đầu miễn",
                                "The end must come after the start of the exemption"))
    if problems:
        raise RuleError(*problems)
    return MemberExemptionEnded(member_id=state.id, organization_id=state.organization_id, effective_from=on,
                                actor=actor)


def end_membership(state: MemberState, reason: str, decision_date: date | None, effective_from: date,
                   cause: str | None, *, today: date, actor: str | None) -> MembershipEnded:
    """Removal (xóa tên), expulsion, voluntary exit or death: the name leaves the rolls from the date."""
    require_state(state, "end_membership")
    problems = _not_future("effective_from", effective_from, today) + \
        _after_placement("effective_from", state, effective_from)
    if reason not in END_REASONS:
        problems.append(Problem("reason", "Lý do không hợp lệ", "Unknown reason"))
    if cause is not None and cause not in END_CAUSES:
        problems.append(Problem("cause", "Nguyên nhân không thuộc danh mục", "Not one of the listed causes"))
    if decision_date is not None:
        problems += _not_future("decision_date", decision_date, today)
    elif reason in ("removed", "expelled", "exited"):
        problems.append(Problem("decision_date", "Cần ngày quyết định", "The decision date is required"))
    if problems:
        raise RuleError(*problems)
    return MembershipEnded(member_id=state.id, organization_id=state.organization_id, reason=reason,
                           decision_date=decision_date, effective_from=effective_from, actor=actor)
