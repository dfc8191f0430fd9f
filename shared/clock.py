"""The civil date Chibo's rules are counted in: Vietnam's, whatever the server's time zone.

A server in UTC would otherwise change "today" at 07:00 in Hà Nội, and a meeting held in the evening would
sit in the wrong day for subtree checks, period closures and deadlines.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(TIMEZONE)


def today() -> date:
    return now().date()
