"""Pure meeting rules: what a valid record is, and the metrics a rubric scores.

No database, web or broker imports. Scoring itself lives in ``meetings.rubric``
and is re-exported here.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from shared.events import CELL_KINDS

from meetings.rubric import Rating, RubricError, band_for, score, validate_rubric  # noqa: F401  (re-exported)

MAX_DURATION_MINUTES = 720  # 12 hours: anything longer is a typing mistake
MIN_DURATION = {"combined": 120}  # HD 42/2025: ≥120 min when thematic and regular meetings are combined
DEFAULT_MIN_DURATION = 90


@dataclass(frozen=True)
class Cell:
    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class RosterMember:
    member_id: uuid.UUID
    full_name: str
    status: str
    standing: str = "active"  # active | exempt | away (temporary transfer out) on the roster date


@dataclass(frozen=True)
class AttendanceLine:
    member_id: uuid.UUID
    status: str  # present | absent_excused | absent_unexcused | exempt
    spoke: bool = False
    absence_reason: str | None = None


@dataclass(frozen=True)
class MeetingRecord:
    organization_id: uuid.UUID
    held_on: date
    kind: str
    duration_minutes: int
    attendance: tuple[AttendanceLine, ...]
    checklist: dict[str, bool] = field(default_factory=dict)
    resolution: str | None = None  # the resolution or conclusion text, as typed (optional)

    def normalized(self) -> MeetingRecord:
        """The same record with attendance in member order and blank text as None: compare these."""
        lines = tuple(sorted((replace(a, absence_reason=_text(a.absence_reason)) for a in self.attendance),
                             key=lambda a: str(a.member_id)))
        return replace(self, attendance=lines, checklist=dict(self.checklist), resolution=_text(self.resolution))


def _text(value: str | None) -> str | None:
    return value.strip() or None if value else None


@dataclass(frozen=True)
class Problem:
    field: str
    vi: str
    en: str


class RecordingRejectedError(ValueError):
    """A meeting record breaks one or more rules; nothing may be stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.en for p in problems))
        self.problems = problems


def check_record(record: MeetingRecord, cell: Cell | None, roster: list[RosterMember], today: date) -> None:
    """Raise RecordingRejectedError listing every broken rule."""
    problems = _cell_problems(cell)
    if not problems:
        problems = _date_and_duration_problems(record, today) + _attendance_problems(record, roster)
    if problems:
        raise RecordingRejectedError(problems)


def _cell_problems(cell: Cell | None) -> list[Problem]:
    if cell is None:
        return [Problem("organization_id", "Không tìm thấy tổ chức đảng này", "Unknown organization")]
    if cell.kind not in CELL_KINDS:
        return [Problem("organization_id", f"«{cell.name}» không phải là chi bộ",
                        f"“{cell.name}” is not a party cell")]
    return []


def _date_and_duration_problems(record: MeetingRecord, today: date) -> list[Problem]:
    problems = []
    if record.held_on > today:
        problems.append(Problem("held_on", "Ngày sinh hoạt không được ở tương lai",
                                "The meeting date cannot be in the future"))
    if not 0 <= record.duration_minutes <= MAX_DURATION_MINUTES:
        problems.append(Problem("duration_minutes", f"Thời lượng phải từ 0 đến {MAX_DURATION_MINUTES} phút",
                                f"Duration must be between 0 and {MAX_DURATION_MINUTES} minutes"))
    return problems


def _attendance_problems(record: MeetingRecord, roster: list[RosterMember]) -> list[Problem]:
    on_roster = {m.member_id: m for m in roster}
    if not on_roster:
        return [Problem("attendance", f"Chi bộ chưa có đảng viên nào trong danh sách ngày {record.held_on:%d/%m/%Y}",
                        f"The cell has no members on its roster on {record.held_on.isoformat()}")]
    problems, counts = [], Counter(line.member_id for line in record.attendance)
    for i, line in enumerate(record.attendance):
        if line.member_id not in on_roster:
            problems.append(Problem(f"attendance.{i}.member_id", "Đảng viên này không có trong danh sách chi bộ "
                                    "vào ngày sinh hoạt", "This member is not on the cell's roster on the meeting date"))
        elif counts[line.member_id] > 1:
            problems.append(Problem(f"attendance.{i}.member_id", "Đảng viên bị điểm danh trùng",
                                    "This member appears more than once in the attendance"))
    missing = [m.full_name for m in roster if m.member_id not in counts]
    if missing:
        names = ", ".join(sorted(missing))
        problems.append(Problem("attendance", f"Chưa điểm danh các đảng viên: {names}",
                                f"Attendance is missing these roster members: {names}"))
    return problems


@dataclass(frozen=True)
class Metrics:
    """What a rubric can score; ``lookup`` also answers checklist keys (missing = not done)."""

    roster: int
    exempt: int
    expected: int  # roster less exempt and away members: the attendance denominator
    present: int
    absent_excused: int
    absent_unexcused: int
    speakers: int  # present members who spoke
    attendance_rate: float
    speakers_share: float  # speakers / present
    no_unexcused_absence: bool
    duration_minutes: int
    duration_ok: bool
    checklist: dict[str, bool] = field(default_factory=dict)

    def lookup(self, name: str) -> float | bool:
        if name in self.__dataclass_fields__ and name != "checklist":
            return getattr(self, name)
        return self.checklist.get(name, False) is True


def compute_metrics(record) -> Metrics:
    """Metrics of a record (a MeetingRecord or a MeetingRecorded event: same field names)."""
    statuses = Counter(line.status for line in record.attendance)
    present = statuses["present"]
    expected = len(record.attendance) - statuses["exempt"] - statuses["away"]  # away: counted by nobody
    speakers = sum(1 for line in record.attendance if line.status == "present" and line.spoke)
    return Metrics(
        roster=len(record.attendance), exempt=statuses["exempt"], expected=expected, present=present,
        absent_excused=statuses["absent_excused"], absent_unexcused=statuses["absent_unexcused"],
        speakers=speakers, attendance_rate=present / expected if expected else 0.0,
        speakers_share=speakers / present if present else 0.0,
        no_unexcused_absence=statuses["absent_unexcused"] == 0,
        duration_minutes=record.duration_minutes,
        duration_ok=record.duration_minutes >= MIN_DURATION.get(record.kind, DEFAULT_MIN_DURATION),
        checklist=dict(record.checklist),
    )


def rate(definition: dict, record) -> tuple[Metrics, Rating]:
    """Metrics and rating of a record under one rubric definition."""
    metrics = compute_metrics(record)
    return metrics, score(definition, metrics.lookup)
