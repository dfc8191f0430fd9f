"""Pure meeting rules: record validation and the metrics a rubric scores."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from meetings.domain import (AttendanceLine, Cell, MeetingRecord, RecordingRejectedError, RosterMember,
                             check_record, compute_metrics)

TODAY = date(2026, 3, 31)
CELL = Cell(uuid.uuid4(), "Chi bộ Văn phòng", "grassroots_cell")
AN, BINH, CUONG = (RosterMember(uuid.uuid4(), n, "official") for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"))
ROSTER = [AN, BINH, CUONG]


def record(*lines: AttendanceLine, held_on=date(2026, 3, 10), kind="regular", minutes=120) -> MeetingRecord:
    lines = lines or tuple(AttendanceLine(m.member_id, "present", True) for m in ROSTER)
    return MeetingRecord(CELL.id, held_on, kind, minutes, tuple(lines), {})


def problems(rec: MeetingRecord, cell=CELL, roster=ROSTER) -> dict[str, str]:
    with pytest.raises(RecordingRejectedError) as caught:
        check_record(rec, cell, roster, TODAY)
    return {p.field: f"{p.vi} / {p.en}" for p in caught.value.problems}


def test_a_complete_record_for_today_is_accepted():
    check_record(record(held_on=TODAY), CELL, ROSTER, TODAY)


def test_recording_for_an_unknown_organization_is_rejected():
    assert "Unknown organization" in problems(record(), cell=None)["organization_id"]


def test_recording_for_an_organization_that_is_not_a_cell_is_rejected():
    committee = Cell(CELL.id, "Đảng bộ Khối", "grassroots_committee")
    assert "không phải là chi bộ" in problems(record(), cell=committee)["organization_id"]


def test_a_meeting_dated_in_the_future_is_rejected():
    assert "held_on" in problems(record(held_on=date(2026, 4, 1)))


@pytest.mark.parametrize("minutes", [-1, 721])
def test_negative_or_absurd_durations_are_rejected(minutes):
    assert "duration_minutes" in problems(record(minutes=minutes))


def test_attendance_for_someone_not_on_the_roster_is_rejected_naming_the_line():
    stranger = AttendanceLine(uuid.uuid4(), "present")
    found = problems(record(*(AttendanceLine(m.member_id, "present") for m in ROSTER), stranger))
    assert list(found) == ["attendance.3.member_id"]


def test_a_member_listed_twice_is_rejected():
    lines = [AttendanceLine(m.member_id, "present") for m in ROSTER] + [AttendanceLine(AN.member_id, "absent_excused")]
    assert "attendance.3.member_id" in problems(record(*lines))


def test_roster_members_missing_from_the_attendance_are_named():
    found = problems(record(AttendanceLine(AN.member_id, "present")))
    assert "Trần Thị Bình" in found["attendance"] and "Lê Văn Cường" in found["attendance"]


def test_a_cell_with_nobody_on_its_roster_that_day_cannot_record_a_meeting():
    assert "attendance" in problems(record(AttendanceLine(AN.member_id, "present")), roster=[])


def test_exempt_members_are_left_out_of_the_attendance_denominator():
    members = [uuid.uuid4() for _ in range(6)]
    statuses = ["present", "present", "present", "present", "absent_excused", "exempt"]
    metrics = compute_metrics(record(*(AttendanceLine(m, s) for m, s in zip(members, statuses))))
    assert (metrics.roster, metrics.expected, metrics.present, metrics.attendance_rate) == (6, 5, 4, 0.8)
    assert metrics.no_unexcused_absence


def test_an_unexcused_absence_is_flagged():
    lines = [AttendanceLine(AN.member_id, "present"), AttendanceLine(BINH.member_id, "absent_unexcused")]
    metrics = compute_metrics(record(*lines))
    assert not metrics.no_unexcused_absence and metrics.absent_unexcused == 1


def test_only_present_members_count_as_speakers():
    lines = [AttendanceLine(AN.member_id, "present", True), AttendanceLine(BINH.member_id, "present", False),
             AttendanceLine(CUONG.member_id, "absent_excused", True)]
    metrics = compute_metrics(record(*lines))
    assert (metrics.speakers, metrics.speakers_share) == (1, 0.5)


@pytest.mark.parametrize(("kind", "minutes", "ok"), [
    ("regular", 90, True), ("regular", 89, False), ("combined", 119, False), ("combined", 120, True)])
def test_meetings_must_last_90_minutes_or_120_when_combined(kind, minutes, ok):
    assert compute_metrics(record(kind=kind, minutes=minutes)).duration_ok is ok


def test_checklist_keys_are_looked_up_and_missing_ones_count_as_not_done():
    rec = MeetingRecord(CELL.id, TODAY, "regular", 90, (AttendanceLine(AN.member_id, "present"),),
                        {"prep.notice_sent": True, "prep.committee_met": False})
    metrics = compute_metrics(rec)
    assert metrics.lookup("prep.notice_sent") is True
    assert metrics.lookup("prep.committee_met") is False and metrics.lookup("closing.minutes_approved") is False
    assert metrics.lookup("attendance_rate") == 1.0
