"""The projection generation pointer: which database holds the projection the service reads and writes.

The configured ("home") database keeps one row ``projection_generation``: generation 0 with no URL means the
home database itself; a rebuild fills a fresh database and then flips the row in one UPDATE, so every request
and every batch that starts afterwards uses the new projection, and none ever sees a half-built one.
"""
from __future__ import annotations

from threading import Lock

from sqlalchemy import select, update
from sqlalchemy.engine import Engine, make_url

from shared.db import make_engine
from reports.models import ProjectionGeneration

_TABLE = ProjectionGeneration.__table__
_engines: dict[str, Engine] = {}
_lock = Lock()


def pointer(home: Engine) -> tuple[int, str | None]:
    """(generation, database URL or None for the home database)."""
    with home.connect() as conn:
        row = conn.execute(select(_TABLE.c.generation, _TABLE.c.database_url).where(_TABLE.c.id == 1)).first()
    return (row[0], row[1]) if row else (0, None)


def current(home: Engine) -> Engine:
    """The engine of the projection in force (one small primary-key read)."""
    _, url = pointer(home)
    if not url:
        return home
    url = with_home_password(url, home)
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def switch(home: Engine, generation: int, url: str) -> None:
    """Point the service at another projection (one UPDATE: atomic for every reader). The password is never
    stored: on the home database's server and role it is taken from the home URL when read."""
    stored = make_url(url)
    if stored.password and (stored.host, stored.username) == (home.url.host, home.url.username):
        stored = stored.set(password=None)
    with home.begin() as conn:
        conn.execute(update(_TABLE).where(_TABLE.c.id == 1).values(
            generation=generation, database_url=stored.render_as_string(hide_password=False)))


def with_home_password(url: str, home: Engine) -> str:
    parsed = make_url(url)
    if parsed.password is None and home.url.password and (parsed.host, parsed.username) == (
            home.url.host, home.url.username):
        parsed = parsed.set(password=home.url.password)
    return parsed.render_as_string(hide_password=False)
