"""Operator commands: ``python -m reports.cli rebuild`` / ``reroll`` / ``check ORG_ID``."""
from __future__ import annotations

import asyncio
import time
from typing import Annotated, Optional

import typer

from reports.config import Settings

ONE_URL = "default: the one URL of make run"
app = typer.Typer(help="Chibo reports: rebuild and check the projection / Dựng lại và đối soát số liệu báo cáo",
                  no_args_is_help=True)


@app.command("rebuild")
def rebuild_command(
        target_url: Annotated[Optional[str], typer.Option(help="database for the new projection (default: beside "
                                                               "the current one, named by generation)")] = None,
        batch: Annotated[int, typer.Option(help="messages per fetch and transaction")] = 2048) -> None:
    """Replay the event log into a fresh projection, then switch the service to it."""
    from reports.rebuild import rebuild
    settings, started, last = Settings(), time.monotonic(), [0.0]

    def progress(stream: str, seq: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or seq >= total:
            last[0] = now
            rate = seq / max(now - started, 1e-6)
            typer.echo(f"{stream}: {seq}/{total} ({100 * seq // max(total, 1)} %), {rate:,.0f} tin/giây · msg/s")

    outcome = asyncio.run(rebuild(settings.database_url, settings.nats_url, target=target_url, batch=batch,
                                  progress=progress))
    typer.echo(f"✓ Thế hệ {outcome.generation} đang phục vụ / generation {outcome.generation} now serves: "
               f"{outcome.replayed} tin đã phát lại / messages replayed, {outcome.skipped} bỏ qua / skipped")


@app.command("reroll")
def reroll_command() -> None:
    """Rebuild the roll counters (roll_month) from the spans: once on a database that had spans before
    0004_roll (the figures read the live roll until then), or to repair them."""
    from sqlmodel import Session

    from shared.db import make_engine
    from reports import generation, roll_months
    engine = make_engine(Settings().database_url)
    try:
        with Session(generation.current(engine)) as session:
            session.execute(roll_months.lock())
            count = roll_months.reroll_all(session)
            session.commit()
    finally:
        engine.dispose()
    typer.echo(f"✓ Đã tính lại số đảng viên theo tháng / roll counters rebuilt: {count} spans")


@app.command("check")
def check_command(
        org_id: str,
        period: Annotated[Optional[str], typer.Option(help="2026-03, 2026-Q1 or 2026 (default: this month)")] = None,
        start: Annotated[Optional[str], typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
        end: Annotated[Optional[str], typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
        members_url: Annotated[str, typer.Option(envvar="REPORTS_MEMBERS_URL", help=ONE_URL)] = "http://127.0.0.1:8000",
        meetings_url: Annotated[str, typer.Option(envvar="REPORTS_MEETINGS_URL", help=ONE_URL)] = "http://127.0.0.1:8000",
) -> None:
    """Compare a subtree's projection with the members and meetings services' source records."""
    from datetime import date

    from shared.errors import ValidationFailed
    from reports.consistency import check
    from reports.report_params import valid_range
    try:
        _, first, last = valid_range(period, start and date.fromisoformat(start), end and date.fromisoformat(end))
    except ValidationFailed as exc:
        typer.echo("\n".join(f"✗ {p.field}: {p.vi} / {p.en}" for p in exc.problems), err=True)
        raise typer.Exit(2) from None
    found, meetings, placements = check(Settings(), org_id, first, last, members_url, meetings_url)
    for line in found:
        typer.echo(f"✗ {line}")
    if found:
        typer.echo(f"{len(found)} khác biệt / differences", err=True)
        raise typer.Exit(1)
    typer.echo(f"✓ Không có khác biệt / no differences ({meetings} meetings, {placements} placements)")


if __name__ == "__main__":
    app()
