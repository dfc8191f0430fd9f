"""Operators add rubric versions as data; a broken definition is refused."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from shared.db import make_engine

from meetings.bootstrap import SERVICE_DIR
from meetings.cli import app
from meetings.models import Rubric

SEED = SERVICE_DIR / "migrations" / "data" / "phu_tho_100_v1.json"


def test_a_new_rubric_version_is_stored_with_its_validity(database_url, tmp_path):
    definition = {**json.loads(SEED.read_text(encoding="utf-8")), "version": 2}
    (tmp_path / "v2.json").write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["add-rubric", str(tmp_path / "v2.json"), "--from", "2027-01-01",
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Rubric.version, Rubric.effective_from).where(Rubric.code == "phu-tho-100")
                                .order_by(Rubric.version)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, date(2018, 7, 6)), (2, date(2027, 1, 1))]


def test_a_rubric_whose_items_do_not_add_up_is_refused(tmp_path):
    definition = json.loads(SEED.read_text(encoding="utf-8"))
    definition["groups"][2]["items"][0]["points"] = 6
    (tmp_path / "bad.json").write_text(json.dumps(definition), encoding="utf-8")
    result = CliRunner().invoke(app, ["check-rubric", str(tmp_path / "bad.json")])
    assert result.exit_code == 1 and "conduct" in result.output
