from typer.testing import CliRunner

from members.cli import app
from shared.db import make_engine
from sqlalchemy import text


def test_create_root_makes_the_province_and_queues_its_event(database_url):
    result = CliRunner().invoke(app, ["create-root", "Đảng bộ tỉnh Thử", "--effective-from", "2025-07-01",
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "Đảng bộ tỉnh Thử" in result.output
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind FROM organization")).scalars().all() == ["province"]
        assert conn.execute(text("SELECT subject FROM outbox")).scalars().all() == ["members.organization.created"]
    engine.dispose()


def test_create_root_with_a_bad_date_changes_nothing(database_url):
    result = CliRunner().invoke(app, ["create-root", "X", "--effective-from", "2025-13-01", "--database-url", database_url])
    assert result.exit_code == 2 and "effective-from" in result.output
