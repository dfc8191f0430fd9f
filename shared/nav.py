"""The one navigation bar every service's pages show: the same sections, in the same order, for each role.

The sections live in three services behind one URL; each page renders ``nav_html(role, path)`` (installed as a
Jinja global by ``install``), so a committee member can reach the reports, the members and the meetings pages
without typing an address. Sections a role cannot use are not shown (the routes check again).
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

STAFF = ("province", "committee", "secretary")
EVERYONE = (*STAFF, "member")


@dataclass(frozen=True)
class Section:
    href: str
    label_vi: str
    label_en: str
    roles: tuple[str, ...]


SECTIONS = (
    Section("/reports/", "Báo cáo", "Reports", EVERYONE),
    Section("/members/", "Tổ chức, đảng viên", "Organizations, members", STAFF),
    Section("/meetings/", "Ghi biên bản", "Record a meeting", STAFF),
    Section("/meetings/thang-diem", "Thang điểm", "Rubrics", ("province", "committee")),
    Section("/meetings/thong-bao", "Thông báo", "Notices", EVERYONE),
)

# One row that scrolls sideways on a phone (the page itself never does), so it costs one line of the screen.
_STYLE = (".chibo-nav{display:flex;flex-wrap:nowrap;overflow-x:auto;white-space:nowrap;gap:.25rem .5rem;"
          "padding:.3rem .75rem;background:#8f0e17;"
          "font:500 1rem/1.4 system-ui,sans-serif}.chibo-nav a{color:#fff;text-decoration:none;padding:.35rem .6rem;"
          "border-radius:.4rem;min-height:44px;display:inline-flex;align-items:center}.chibo-nav a[aria-current]"
          "{background:#fff;color:#8f0e17;font-weight:700}.chibo-nav a:focus-visible{outline:3px solid #ffd54f}")


def sections_for(role: str | None) -> list[Section]:
    return [s for s in SECTIONS if role in s.roles]


def current(path: str) -> Section | None:
    """The section a path belongs to: the longest href that prefixes it."""
    matches = [s for s in SECTIONS if path == s.href.rstrip("/") or path.startswith(s.href)]
    return max(matches, key=lambda s: len(s.href), default=None)


def nav_html(role: str | None, path: str) -> Markup:
    here = current(path)
    mark = ' aria-current="page"'
    links = "".join(f'<a href="{escape(s.href)}" title="{escape(s.label_en)}"{mark if s is here else ""}>'
                    f"{escape(s.label_vi)}</a>" for s in sections_for(role))
    if not links:
        return Markup("")
    return Markup(f'<style>{_STYLE}</style><nav class="chibo-nav" aria-label="Chibo">{links}</nav>')


def install(templates) -> None:
    """Make ``nav_html`` available to a service's Jinja2Templates."""
    templates.env.globals["nav_html"] = nav_html
