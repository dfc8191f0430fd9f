"""The import's bulk insert on SQLite stores exactly what SQLAlchemy's executemany stores."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.exc import StatementError

from members.finance_models import Employment
from members.hr_usecases import insert_many
from members.models import ChangeLog

AT = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)
EMPLOYMENT = [{"member_id": uuid.UUID(int=n + 1), "valid_from": date(2026, 3, 1), "hr_employee_id": f"NS-{n}",
               "unit": "Văn phòng Tỉnh ủy" if n else None, "position": "Chuyên viên",
               "insured_salary_vnd": 8_500_000 + n,
               "pension_vnd": None, "is_student": n == 2, "voluntary_extra_vnd": 0, "status": "working",
               "source": "hr_import", "recorded_at": AT} for n in range(3)]
LOGS = [{"at": AT, "actor": "tinhuy", "entity": "member", "entity_id": str(uuid.UUID(int=n + 1)),
         "action": "employment_imported", "correlation_id": None if n else "c-1", "before": "{}",
         "after": '{"unit": "Sở Tài chính"}'} for n in range(3)]


def stored(fast: bool) -> list:
    engine = create_engine("sqlite://")
    Employment.__table__.create(engine)
    ChangeLog.__table__.create(engine)
    with engine.begin() as conn:
        for table, rows in ((Employment.__table__, EMPLOYMENT), (ChangeLog.__table__, LOGS)):
            if fast:
                insert_many(conn, table, rows)
            else:
                conn.execute(insert(table), rows)
    with engine.connect() as conn:  # the raw text and types in the file, not values read back through the ORM
        return [[tuple(r) for r in conn.exec_driver_sql(f"SELECT *, {', '.join(f'typeof({c.name})' for c in t.c)} "
                                                        f"FROM {t.name} ORDER BY id")]
                for t in (Employment.__table__, ChangeLog.__table__)]


def test_the_fast_bulk_insert_stores_the_same_text_and_types_as_sqlalchemy():
    fast, slow = stored(True), stored(False)
    assert fast == slow
    assert len(fast[0]) == 3 and len(fast[1]) == 3


def test_rows_of_different_shapes_go_to_sqlalchemy_which_refuses_them_as_before():
    engine = create_engine("sqlite://")
    ChangeLog.__table__.create(engine)
    shorter = {k: v for k, v in LOGS[1].items() if k != "correlation_id"}
    with engine.begin() as conn, pytest.raises(StatementError, match="correlation_id"):
        insert_many(conn, ChangeLog.__table__, [LOGS[0], shorter])
