"""Change log rows, written by the use cases inside their transaction."""
from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from members.models import ChangeLog
from shared.logging import correlation_id


def record(session: Session, *, actor: str, entity: str, entity_id: Any, action: str,
           before: dict | None = None, after: dict | None = None) -> None:
    session.add(ChangeLog(actor=actor, entity=entity, entity_id=str(entity_id), action=action,
                          before=_dump(before), after=_dump(after), correlation_id=correlation_id.get()))


def _dump(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed: (values before, values after)."""
    keys = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_change(session: Session, *, actor: str, entity: str, entity_id: Any, action: str, before: dict,
                  after: dict) -> None:
    """A change-log row with the changed fields only, before and after."""
    old, new = diff(before, after)
    record(session, actor=actor, entity=entity, entity_id=entity_id, action=action, before=old, after=new)


def snapshot(row) -> dict:
    """A table row as JSON-ready values (dates as ISO strings), for ``record_change``."""
    return json.loads(json.dumps(row.model_dump(exclude={"search_name", "cell_id"}), default=str))


def history(session: Session, entity: str, entity_id: Any) -> list[ChangeLog]:
    return list(session.exec(select(ChangeLog).where(ChangeLog.entity == entity, ChangeLog.entity_id == str(entity_id))
                             .order_by(ChangeLog.at, ChangeLog.id)).all())
