"""Operator commands: ``python -m reports.cli rebuild`` / ``python -m reports.cli check ORG_ID``."""
from __future__ import annotations

import asyncio
import time
from typing import Annotated, Optional

import typer

from reports.config import Settings

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


if __name__ == "__main__":
    app()
