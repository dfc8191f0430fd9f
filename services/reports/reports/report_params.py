"""The range of a figures request: a named period or from/to (both days included), and the tree to roll along."""
from __future__ import annotations

from datetime import date

from shared.errors import ValidationFailed
from reports.access import valid_period
from reports.periods import period_range

TREES = ("as_was", "today")


def valid_range(period: str | None, start: date | None, end: date | None) -> tuple[str, date, date]:
    """(label, first day, last day); 422 naming the field for half a range or an end before the start."""
    if start is None and end is None:
        label = valid_period(period)
        return (label, *period_range(label))
    if start is None or end is None:
        field = "from" if start is None else "to"
        raise ValidationFailed.of(field, "Cần cả ngày bắt đầu (from) và ngày kết thúc (to)",
                                  "Both the first day (from) and the last day (to) are required")
    if end < start:
        raise ValidationFailed.of("to", "Ngày kết thúc không được trước ngày bắt đầu",
                                  "The last day must not be before the first day")
    return f"{start.isoformat()}..{end.isoformat()}", start, end


def valid_tree(tree: str | None) -> str:
    if tree in (None, "", *TREES):
        return tree or "as_was"
    raise ValidationFailed.of("tree", "Cây tổ chức phải là as_was (theo cây tại thời điểm) hoặc today (cây hiện nay)",
                              "tree must be as_was (the tree in force then) or today (today's tree)")
