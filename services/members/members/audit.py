"""Change log rows, written by the use cases inside their transaction."""
from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from members.models import ChangeLog
from shared.logging import correlation_id


def record(session: Session, *, actor: str, entity: str, entity_id: Any, action: str,
           before: dict | None = None, after: dict | None = None) -> None:
    session.add(ChangeLog(actor=actor, entity=entity, entity_id=str(entity_id), action=action,
                          before=_dump(before), after=_dump(after), correlation_id=correlation_id.get()))


def _dump(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
