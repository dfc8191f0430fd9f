"""Operator commands: ``python -m meetings.cli check-rubric FILE`` / ``add-rubric FILE --from YYYY-MM-DD`` /
``retry-rerate-jobs``."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from shared import clock
from shared.db import make_engine, migrate
from shared.uow import UnitOfWork

from shared.errors import ValidationFailed

from meetings import domain, obligations, ratings, usecases
from meetings.bootstrap import SERVICE_DIR
from meetings.config import Settings
from meetings.models import outbox

app = typer.Typer(help="Chibo meetings: rubric administration / Quản trị thang điểm sinh hoạt chi bộ", no_args_is_help=True)


def _day(value: str | None) -> date | None:
    return datetime.strptime(value, "%Y-%m-%d").date() if value else None


@app.command("check-rubric")
def check_rubric(file: Path) -> None:
    """Check a rubric definition (JSON) without storing it."""
    problems = domain.validate_rubric(json.loads(file.read_text(encoding="utf-8")))
    for problem in problems:
        typer.echo(f"✗ {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("✓ Thang điểm hợp lệ / rubric is valid")


@app.command("add-rubric")
def add_rubric(file: Path, effective_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
               effective_to: Annotated[Optional[str], typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
               scope: Annotated[Optional[str], typer.Option(help="organization id; omit for the whole province")] = None,
               database_url: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Store a new rubric version in force from a date (optionally for one organization's subtree)."""
    settings = Settings(**({"database_url": database_url} if database_url else {}))
    migrate(SERVICE_DIR, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        rubric = usecases.add_rubric(UnitOfWork(engine), json.loads(file.read_text(encoding="utf-8")),
                                     _day(effective_from), _day(effective_to), uuid.UUID(scope) if scope else None)
    except domain.RubricError as exc:
        typer.echo(f"✗ {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"✓ {rubric.code} v{rubric.version} từ / from {rubric.effective_from}")


@app.command("retry-rerate-jobs")
def retry_rerate_jobs(database_url: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Put re-rating jobs set aside after repeated failures back in the queue (after fixing their cause)."""
    settings = Settings(**({"database_url": database_url} if database_url else {}))
    engine = make_engine(settings.database_url)
    try:
        count = ratings.retry_failed_jobs(UnitOfWork(engine))
    finally:
        engine.dispose()
    typer.echo(f"✓ {count} việc tính lại điểm được đưa lại hàng đợi / re-rating jobs queued again")


@app.command("close-periods")
def close_periods(until: Annotated[str, typer.Option("--until", help="last day to close, YYYY-MM-DD (before today)")],
                  database_url: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Close obligation periods ending on or before a day: MeetingObligationClosed once per cell, obligation and
    period, through the outbox (the running service publishes it). Idempotent."""
    settings = Settings(**({"database_url": database_url} if database_url else {}))
    migrate(SERVICE_DIR, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        closed = obligations.close_periods(UnitOfWork(engine, outbox), _day(until), clock.today())
    except ValidationFailed as exc:
        typer.echo(f"✗ {exc.payload()['detail'][0]['msg']}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    missed = sum(1 for e in closed if not e.met)
    typer.echo(f"✓ Đã khóa {len(closed)} kỳ, {missed} kỳ không đạt / closed {len(closed)} periods, {missed} missed")


if __name__ == "__main__":
    app()
