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


def test_the_logging_sender_logs_each_notice_and_both_senders_fit_the_protocol():
    logger, member = FakeLogger(), uuid.uuid4()
    sender: NoticeSender = LoggingSender(logger)
    sender.send(NoticeMessage(uuid.uuid4(), "Thông báo sinh hoạt", "Thời gian: …", member_id=member))
    assert logger.lines[0][0] == "notice.sent" and logger.lines[0][1]["member_id"] == str(member)
    assert callable(getattr(InAppSender, "send"))
