"""``python -m members.cli hr import FILE``: preview an HR export, show the rows that need attention,
then commit it (with ``--commit``), a progress bar for each phase."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer

from members import hr_usecases, models, xlsx_stream
from members.config import Settings
from members.hr import load_mapping
from shared import clock
from shared.db import make_engine, migrate
from shared.errors import ChiboError
from shared.uow import UnitOfWork

app = typer.Typer(help="Tích hợp hệ thống nhân sự / HR-system integration", no_args_is_help=True)


def _progress(label: str, total: int):
    return typer.progressbar(length=max(total, 1), label=label, show_pos=True)


def _rows_in(path: Path, content: bytes) -> int:
    """Data rows, for the progress bar's length (an estimate is enough)."""
    if path.suffix.lower() == ".xlsx":  # the sheet's dimension: its first 4 KB, not the whole sheet again
        return max((xlsx_stream.row_count(content) or 1) - 1, 1)
    return max(content.count(b"\n") - 1, 1)


@app.command("import")
def import_command(path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
                   commit: bool = typer.Option(False, "--commit", help="Apply the valid rows after the preview"),
                   mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column mapping JSON"),
                   effective_from: Optional[datetime] = typer.Option(None, "--effective-from", formats=["%Y-%m-%d"]),
                   show: int = typer.Option(20, "--show", help="How many error/skipped rows to print"),
                   database_url: Optional[str] = typer.Option(None, "--database-url")) -> None:
    """Preview an HR export (.xlsx/.csv) and, with --commit, apply all its valid rows in one transaction."""
    settings = Settings()
    url = database_url or settings.database_url
    from members.bootstrap import SERVICE_DIR

    migrate(SERVICE_DIR, url)
    engine = make_engine(url)
    content = path.read_bytes()
    rows_estimate = _rows_in(path, content)
    try:
        with _progress("Xem trước / preview", rows_estimate) as bar:
            record = hr_usecases.preview_import(
                UnitOfWork(engine, models.outbox), path.name, content, None,
                mapping=load_mapping(mapping or settings.hr_mapping_path),
                effective_from=effective_from.date() if effective_from else clock.today(), progress=bar.update)
        summary = json.loads(record.summary)
        _report(record, summary, show)
        if commit:
            with _progress("Áp dụng / commit", summary["total"]) as bar:
                summary = hr_usecases.commit_import(UnitOfWork(engine, models.outbox), record.id, None,
                                                    progress=bar.update)
            typer.echo("Đã áp dụng / committed: " + json.dumps(summary))
    except ChiboError as exc:
        problems = getattr(exc, "problems", None) or ()
        for p in problems or [exc]:
            typer.echo(f"{p.vi} / {p.en}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _report(record, summary: dict, show: int) -> None:
    typer.echo(f"Bản xem trước / preview {record.id}: " + json.dumps(summary))
    shown = 0
    for row in json.loads(record.rows):
        if row["status"] in ("error", "skipped") and shown < show:
            reasons = "; ".join(f"{r['field']}: {r['vi']} / {r['en']}" for r in row["reasons"])
            typer.echo(f"  dòng/line {row['line']}: {row['status']} — {reasons}")
            shown += 1
