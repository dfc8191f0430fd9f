"""Command line: ``python -m members.cli load-demo|create-root|create-user|migrate``."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Optional

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from members import demo, hr_cli, models, usecases
from members.accounts import NewUser, create_user
from members.bootstrap import SERVICE_DIR
from members.config import Settings
from members.domain import NewMember, NewOrganization
from shared.db import make_engine, migrate
from shared.errors import ChiboError
from shared.uow import UnitOfWork

app = typer.Typer(help="Chibo members service tools", no_args_is_help=True)
DatabaseUrl = typer.Option(None, "--database-url", help="Defaults to MEMBERS_DATABASE_URL / the settings")


def _engine(database_url: str | None) -> Engine:
    url = database_url or Settings().database_url
    migrate(SERVICE_DIR, url)
    return make_engine(url)


def _load_orgs(engine: Engine) -> int:
    created = 0
    for org in demo.ORGS:
        with Session(engine) as session:
            if session.get(models.Organization, org.id) is not None:
                continue
        parent = demo.ORG_BY_SLUG[org.parent].id if org.parent else None
        usecases.create_organization(UnitOfWork(engine, models.outbox), NewOrganization(
            id=org.id, name=org.name, kind=org.kind, sector=org.sector, effective_from=demo.DEMO_FROM,
            parent_id=parent, cluster=org.cluster), None)
        created += 1
    return created


def _load_members(engine: Engine) -> int:
    created = 0
    for org, m in demo.demo_members():
        with Session(engine) as session:
            if session.get(models.Member, m.id) is not None:
                continue
        usecases.register_member(UnitOfWork(engine, models.outbox), NewMember(
            id=m.id, full_name=m.full_name, sex=m.sex, date_of_birth=m.date_of_birth, status=m.status,
            organization_id=org.id, effective_from=demo.DEMO_FROM, cccd=m.cccd, phone=m.phone, details=m.details,
            admission_decision_date=m.admission_decision_date, admission_ceremony_date=m.admission_ceremony_date,
            official_date=m.official_date), None, today=demo.DEMO_FROM)
        created += 1
    return created


def load_demo_data(engine: Engine) -> dict:
    """Create whatever of the demo province is missing; returns the ids for runners."""
    orgs, members = _load_orgs(engine), _load_members(engine)
    users = [create_user(engine, NewUser(u, demo.PASSWORD, role, demo.ORG_BY_SLUG[slug].id, name))
             for u, role, slug, name in demo.USERS]
    cells = [{"id": str(o.id), "name": o.name, "member_ids": [str(m.id) for org, m in demo.demo_members() if org is o]}
             for o in demo.ORGS if o.members]
    return {"province_id": str(demo.ORGS[0].id), "cells": cells,
            "users": [{"username": u, "role": r, "org_id": str(demo.ORG_BY_SLUG[s].id), "name": n}
                      for u, r, s, n in demo.USERS],
            "created": {"organizations": orgs, "members": members, "users": sum(users)}}


@app.command("load-demo")
def load_demo(database_url: Optional[str] = DatabaseUrl,
              as_json: bool = typer.Option(False, "--json", help="Print the demo ids as JSON")) -> None:
    """Load the demo province (idempotent): organizations, ~60 members, users tinhuy/dangbo/bithu."""
    result = load_demo_data(_engine(database_url))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    made = result["created"]
    typer.echo(f"Đã tạo {made['organizations']} tổ chức, {made['members']} đảng viên, {made['users']} tài khoản "
               f"/ created {made['organizations']} organizations, {made['members']} members, {made['users']} users")


@app.command("create-user")
def create_user_command(username: str, role: str = typer.Option(..., help="province|committee|secretary|member"),
                        org_id: uuid.UUID = typer.Option(..., "--org-id"), name: str = typer.Option("", "--name"),
                        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
                        database_url: Optional[str] = DatabaseUrl) -> None:
    """Create a user account bound to an organization."""
    try:
        created = create_user(_engine(database_url), NewUser(username, password, role, org_id, name))
    except ChiboError as exc:
        typer.echo(f"{exc.vi} / {exc.en}", err=True)
        raise typer.Exit(2) from None
    typer.echo("Đã tạo tài khoản / user created" if created else "Tài khoản đã tồn tại / user exists already")


@app.command("create-root")
def create_root_command(name: str, effective_from: datetime = typer.Option(..., "--effective-from", formats=["%Y-%m-%d"]),
                        sector: str = typer.Option("administrative"), database_url: Optional[str] = DatabaseUrl) -> None:
    """Create the province (the root of the tree): the API refuses new roots, so a deployment starts here."""
    cmd = NewOrganization(name=name, kind="province", sector=sector, effective_from=effective_from.date())
    engine = _engine(database_url)
    try:
        org = usecases.create_organization(UnitOfWork(engine, models.outbox), cmd, None)
    except ChiboError as exc:
        typer.echo(f"{exc.vi} / {exc.en}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"id": str(org.id), "name": org.name}, ensure_ascii=False))


@app.command("migrate")
def migrate_command(database_url: Optional[str] = DatabaseUrl) -> None:
    """Upgrade the members database to the latest schema."""
    _engine(database_url).dispose()
    typer.echo("OK")


app.add_typer(hr_cli.app, name="hr")  # HR-system import (hr_cli.py)

if __name__ == "__main__":
    app()
