"""The notice rule (HD 42/2025) at its boundary, and the logging sender."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from meetings.notices import InAppSender, LoggingSender, NoticeMessage, NoticeSender, ScheduleRequest, notice_problems

NOW = datetime(2026, 3, 9, 7, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.mark.parametrize("ahead, kind, refused", [
    (DAY, "regular", False), (DAY - timedelta(seconds=1), "regular", True), (DAY - timedelta(seconds=1), "model", True),
    (timedelta(minutes=5), "extraordinary", False), (timedelta(0), "extraordinary", True)])
def test_members_need_a_days_notice_unless_the_meeting_is_extraordinary(ahead, kind, refused):
    request = ScheduleRequest(uuid.uuid4(), NOW + ahead, "Hội trường", kind)
    assert bool(notice_problems(request, NOW, DAY)) is refused


class FakeLogger:
    def __init__(self) -> None:
        self.lines = []

    def info(self, event, **fields) -> None:
        self.lines.append((event, fields))


def test_the_logging_sender_logs_each_notice():
    logger, member = FakeLogger(), uuid.uuid4()
    sender: NoticeSender = LoggingSender(logger)
    sender.send(NoticeMessage(uuid.uuid4(), "Thông báo sinh hoạt", "Thời gian: …", member_id=member))
    sender.send(NoticeMessage(uuid.uuid4(), "Thông báo sinh hoạt", "Thời gian: …", username="giamsat"))
    assert [line[0] for line in logger.lines] == ["notice.sent", "notice.sent"]
    assert logger.lines[0][1]["member_id"] == str(member) and logger.lines[1][1]["username"] == "giamsat"


class FakeSession:
    def __init__(self) -> None:
        self.added = []

    def add(self, row) -> None:
        self.added.append(row)


def test_the_in_app_sender_writes_a_notice_row_for_the_recipient():
    session, schedule = FakeSession(), uuid.uuid4()
    InAppSender(session).send(NoticeMessage(schedule, "Thông báo", "Nội dung", username="giamsat"))
    row = session.added[0]
    assert (row.username, row.member_id, row.schedule_id, row.read_at) == ("giamsat", None, str(schedule), None)
