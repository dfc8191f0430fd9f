"""Pure rules of the HD 12 / HD 42 meeting record beyond attendance: chair and minute-taker, speakers'
opinions, the vote, and the warnings a record carries (a short meeting is stored, flagged, and rated lower).

``details`` is the JSON the API sends besides the original fields (see schemas.MeetingCreate):
place, started_at, chair_id, minute_taker_id, agenda [{title, done}], opinions {member_id: text},
upper_level {username, full_name, position, remarks}, vote {for, against, abstain}, proposed_score, schedule_id.
"""
from __future__ import annotations

from meetings.domain import DEFAULT_MIN_DURATION, MIN_DURATION, MeetingRecord, Problem


def detail_problems(record: MeetingRecord) -> list[Problem]:
    """Problems of the details, given a record whose attendance is otherwise valid."""
    details, problems = record.details, []
    present = {str(a.member_id) for a in record.attendance if a.status == "present"}
    for key, vi, en in (("chair_id", "Người chủ trì", "The chair"), ("minute_taker_id", "Thư ký", "The minute-taker")):
        if details.get(key) and details[key] not in present:
            problems.append(Problem(key, f"{vi} phải là đảng viên có mặt trong buổi sinh hoạt",
                                    f"{en} must be a member present at the meeting"))
    spoke = {str(a.member_id) for a in record.attendance if a.status == "present" and a.spoke}
    for i, line in enumerate(record.attendance):
        if str(line.member_id) in details.get("opinions", {}) and str(line.member_id) not in spoke:
            problems.append(Problem(f"attendance.{i}.opinion", "Chỉ ghi ý kiến của đảng viên có mặt và đã phát biểu",
                                    "An opinion can only be recorded for a present member who spoke"))
    vote = details.get("vote")
    if vote and vote["for"] + vote["against"] + vote["abstain"] > len(present):
        problems.append(Problem("vote", f"Tổng số phiếu biểu quyết vượt quá số đảng viên có mặt ({len(present)})",
                                f"The vote counts add up to more than the members present ({len(present)})"))
    return problems


def score_problems(field: str, score: float, maximum: float) -> list[Problem]:
    """A proposed score lies within 0 and the maximum of the rubric in force (a rubric's data, never a constant)."""
    if 0 <= score <= maximum:
        return []
    return [Problem(field, f"Điểm đề xuất phải từ 0 đến {maximum:g}, điểm tối đa của thang điểm đang áp dụng",
                    f"The proposed score must be between 0 and {maximum:g}, the maximum of the rubric in force")]


def minimum_duration(kind: str) -> int:
    return MIN_DURATION.get(kind, DEFAULT_MIN_DURATION)


def warnings(kind: str, duration_minutes: int) -> list[Problem]:
    """What the record is stored with but flagged for (the rating's duration criterion also sees it)."""
    minimum = minimum_duration(kind)
    if duration_minutes < minimum:
        return [Problem("duration_minutes", f"Thời lượng {duration_minutes} phút, dưới mức tối thiểu {minimum} phút "
                        "(HD 42/2025)", f"Duration {duration_minutes} min is below the minimum of {minimum} min "
                        "(HD 42/2025)")]
    return []
