"""``python -m members.cli load-demo``: the demo province, loaded through the use cases, idempotent."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from typer.testing import CliRunner

from members import models
from members.accounts import authenticate
from members.cli import app
from shared.db import make_engine

runner = CliRunner()


def load(database_url: str) -> dict:
    result = runner.invoke(app, ["load-demo", "--database-url", database_url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_load_demo_builds_the_province_and_a_second_run_changes_nothing(database_url, rows):
    first = load(database_url)
    engine = make_engine(database_url)
    try:
        counted = rows(engine)
        assert first["created"] == {"organizations": 12, "members": 60, "users": 3}
        assert (counted["organization"], counted["member"], counted["user_account"]) == (12, 60, 3)
        assert counted["outbox"] == 72  # every organization and member went through a use case
        second = load(database_url)
        assert second["created"] == {"organizations": 0, "members": 0, "users": 0}
        assert rows(engine) == counted
        assert {k: v for k, v in second.items() if k != "created"} == {k: v for k, v in first.items() if k != "created"}
    finally:
        engine.dispose()


def test_load_demo_prints_ids_the_runner_can_use(database_url):
    data = load(database_url)
    assert data["province_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "chibo-demo/tinh-phu-tho"))
    cells = {c["name"]: c for c in data["cells"]}
    assert len(cells["Chi bộ Văn phòng Tỉnh ủy"]["member_ids"]) == 12
    assert {"Chi bộ Trường THPT Chuyên Hùng Vương", "Chi bộ khu dân cư số 3"} <= set(cells)
    assert sum(len(c["member_ids"]) for c in data["cells"]) == 60
    users = {u["username"]: u for u in data["users"]}
    assert users["bithu"]["org_id"] == cells["Chi bộ Văn phòng Tỉnh ủy"]["id"]
    assert (users["tinhuy"]["role"], users["tinhuy"]["org_id"]) == ("province", data["province_id"])
    assert users["dangbo"]["role"] == "committee"


def test_demo_users_sign_in_with_the_demo_password_and_names_keep_their_diacritics(database_url):
    data = load(database_url)
    engine = make_engine(database_url)
    try:
        assert authenticate(engine, "bithu", "chibo2026").role == "secretary"
        assert authenticate(engine, "tinhuy", "sai") is None
        with engine.connect() as conn:
            names = conn.execute(select(models.Member.full_name)).scalars().all()
            orgs = conn.execute(select(models.Organization.name)).scalars().all()
        assert "Đảng bộ tỉnh Phú Thọ" in orgs and "Đảng bộ Ủy ban nhân dân tỉnh" in orgs
        assert any(ch in "".join(names) for ch in "ĐđơưạảễộổữựỹÂÊÔ")
        assert len(data["cells"]) == 7
    finally:
        engine.dispose()


def test_demo_members_carry_their_profile_and_probationers_have_due_dates(database_url):
    from datetime import date

    from members import usecases
    from shared.auth import Principal
    from shared.uow import UnitOfWork
    data = load(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(models.Member)).all()
        assert all(r.ethnicity and r.hometown and r.political_theory_level and r.admission_decision_date
                   for r in rows)
        assert all(r.official_date for r in rows if r.status == "official")
        province = Principal("tinhuy", "province", uuid.UUID(data["province_id"]))
        due = usecases.probation_due_list(UnitOfWork(engine, models.outbox), province.org_id, province,
                                          today=date(2026, 7, 1))
        assert len(due) == 12 and {d.due_on.year for _, _, d in due} == {2026}
        assert 0 < sum(d.overdue for _, _, d in due) < 12  # some overdue on 1/7/2026, others still to come
    finally:
        engine.dispose()
