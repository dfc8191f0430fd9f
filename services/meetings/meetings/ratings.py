"""Rating meetings, and re-rating them when something they depend on changes.

A rating reads one meeting revision (its sheet), the cell's roll on the meeting date (a member
exempt or away on that date is out of the denominator whatever the sheet says; a member no longer
on the roll that day is not counted; a member on the roll without a line counts in the denominator
as not present), the cell's history in the year (HD 12's excused-absence streak) and the rubric in
force (nearest scope in the lineage on that date). Every (re-)rating is a new ``meeting_rating`` row
(the history) and a ``MeetingRated`` with the next revision; a re-rating that changes nothing is
not stored or published.

Re-rating is driven by ``rerate_job`` rows that commit with their cause (a roster event's inbox
claim, a new rubric version); the worker takes a chunk of cells at a time, reads them in a few
queries, and commits the new ratings, their events (outbox) and the job's cursor together.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from types import SimpleNamespace

from sqlalchemy import and_, func, insert, select, update
from sqlmodel import Session

from shared.events import MeetingRated, MeetingRecorded
from shared.uow import UnitOfWork

from meetings import domain, orgs, rubrics
from meetings.models import Meeting, MeetingAttendance, MeetingRating, RerateJob, Rubric

RATER = "meetings-rating"
CHUNK_CELLS = 400  # cells per re-rating transaction (≈ 12 meetings each in a year)
MAX_ATTEMPTS = 5  # failed chunks in a row before a job is set aside
NOT_COUNTED = ("exempt", "away")


@dataclass(frozen=True)
class Line:
    member_id: str
    status: str
    spoke: bool = False


@dataclass
class Sheet:
    """One meeting revision, as recorded (from the event or the stored row)."""

    meeting_id: str
    organization_id: str
    held_on: date
    kind: str
    duration_minutes: int
    checklist: dict
    attendance: list[Line]
    revision: int
    upper_level_attended: bool = False

    @classmethod
    def of_event(cls, event: MeetingRecorded) -> Sheet:
        return cls(str(event.meeting_id), str(event.organization_id), event.held_on, event.kind,
                   event.duration_minutes, dict(event.checklist),
                   [Line(str(a.member_id), a.status, a.spoke) for a in event.attendance], event.revision,
                   event.upper_level_attended)


@dataclass
class History:
    """A cell's meetings in a year, by date: ``[(held_on, meeting_id, {member: status})]``."""

    rows: list[tuple[date, str, dict[str, str]]] = field(default_factory=list)

    def with_sheet(self, sheet: Sheet) -> History:
        rows = [r for r in self.rows if r[1] != sheet.meeting_id]
        rows.append((sheet.held_on, sheet.meeting_id, {a.member_id: a.status for a in sheet.attendance}))
        return History(sorted(rows))

    def excused_streak(self, member_id: str, upto: tuple[date, str]) -> int:
        """Consecutive absences with excuse ending at ``upto`` (exempt, away or unlisted meetings are skipped)."""
        streak = 0
        for held_on, meeting_id, statuses in self.rows:
            if (held_on, meeting_id) > upto:
                break
            status = statuses.get(member_id)
            if status in (None, *NOT_COUNTED):
                continue
            streak = streak + 1 if status == "absent_excused" else 0
        return streak

    def count(self, member_id: str, status: str, upto: tuple[date, str]) -> int:
        return sum(1 for h, m, s in self.rows if (h, m) <= upto and s.get(member_id) == status)


def effective_lines(sheet: Sheet, roll: dict[str, str]) -> list[Line]:
    """The sheet's attendance as the roll on the meeting date (member id → standing) counts it; unchanged when the
    roll is unknown."""
    if not roll:
        return list(sheet.attendance)
    lines = []
    for line in sheet.attendance:
        standing = roll.get(line.member_id)
        if standing is None:
            continue  # not on the cell's roll that day (e.g. a back-dated transfer out)
        lines.append(Line(line.member_id, standing, False) if standing in NOT_COUNTED else line)
    listed = {line.member_id for line in sheet.attendance}
    lines += [Line(mid, "unrecorded") for mid, standing in roll.items() if mid not in listed and standing not in NOT_COUNTED]
    return lines


@dataclass(frozen=True)
class Outcome:
    row: dict
    event: MeetingRated


def rate_sheet(sheet: Sheet, rubric: Rubric, roll: dict[str, str], history: History,
               revision: int, cause: str) -> Outcome:
    lines = effective_lines(sheet, roll)
    record = SimpleNamespace(attendance=lines, kind=sheet.kind, duration_minutes=sheet.duration_minutes,
                             checklist=sheet.checklist)
    metrics = domain.compute_metrics(record)
    history = history.with_sheet(sheet)
    upto = (sheet.held_on, sheet.meeting_id)
    extras = {"max_excused_streak": max((history.excused_streak(l.member_id, upto) for l in lines
                                         if l.status == "absent_excused"), default=0)}
    rating = domain.score(rubric.definition, lambda name: extras[name] if name in extras else metrics.lookup(name))
    row = dict(meeting_id=sheet.meeting_id, revision=revision, organization_id=sheet.organization_id,
               held_on=sheet.held_on, rubric_code=rubric.code, rubric_version=rubric.version, score=rating.score,
               level=rating.level, present=metrics.present, expected=metrics.expected, speakers=metrics.speakers,
               breakdown=[{"group": i.group, "item": i.item, "points": i.points, "max_points": i.max_points}
                          for i in rating.breakdown], rated_at=datetime.now(timezone.utc),
               meeting_revision=sheet.revision, kind=sheet.kind, upper_level_attended=sheet.upper_level_attended,
               cause=cause)
    event = MeetingRated(meeting_id=uuid.UUID(sheet.meeting_id), organization_id=uuid.UUID(sheet.organization_id),
                         held_on=sheet.held_on, kind=sheet.kind, rubric_code=rubric.code,
                         rubric_version=rubric.version, score=rating.score, level=rating.level,
                         present=metrics.present, expected=metrics.expected, speakers=metrics.speakers,
                         upper_level_attended=sheet.upper_level_attended, revision=revision, actor=RATER)
    return Outcome(row, event)


SAME = ("rubric_code", "rubric_version", "score", "level", "present", "expected", "speakers", "meeting_revision")


def _unchanged(latest, row: dict) -> bool:
    return all(getattr(latest, k) == row[k] for k in SAME)


def next_revision(latest, sheet: Sheet) -> int:
    """Above every earlier rating, and never below the meeting revision it rates: a consumer that orders a
    meeting's MeetingRecorded and MeetingRated by (revision, rated) then takes the counts from the rating."""
    return max((latest.revision if latest is not None else 0) + 1, sheet.revision)


def latest_rating(session: Session, meeting_id: str) -> MeetingRating | None:
    return session.execute(select(MeetingRating).where(MeetingRating.meeting_id == meeting_id)
                           .order_by(MeetingRating.revision.desc()).limit(1)).scalars().first()


def cell_history(session: Session, org_id: str, year: int, exclude: str | None = None) -> History:
    meetings = session.execute(select(Meeting.id, Meeting.held_on).where(
        Meeting.organization_id == org_id, Meeting.held_on >= date(year, 1, 1),
        Meeting.held_on <= date(year, 12, 31))).all()
    return _histories(session, [(org_id, m.id, m.held_on) for m in meetings if m.id != exclude])[(org_id, year)]


def _histories(session: Session, meetings: Sequence[tuple[str, str, date]],
               spoke: dict[str, set[str]] | None = None) -> dict[tuple[str, int], History]:
    """The histories of the given meetings' cell-years (``spoke``, when given, collects who spoke)."""
    statuses: dict[str, dict[str, str]] = defaultdict(dict)
    ids = [m[1] for m in meetings]
    for start in range(0, len(ids), 5000):
        for row in session.execute(select(MeetingAttendance.meeting_id, MeetingAttendance.member_id,
                                          MeetingAttendance.status, MeetingAttendance.spoke)
                                   .where(MeetingAttendance.meeting_id.in_(ids[start:start + 5000]))):
            statuses[row.meeting_id][row.member_id] = row.status
            if spoke is not None and row.spoke:
                spoke.setdefault(row.meeting_id, set()).add(row.member_id)
    histories: dict[tuple[str, int], History] = defaultdict(History)
    for org_id, meeting_id, held_on in meetings:
        histories[(org_id, held_on.year)].rows.append((held_on, meeting_id, statuses.get(meeting_id, {})))
    for history in histories.values():
        history.rows.sort()
    return histories


def rate_recorded(session: Session, event: MeetingRecorded) -> Outcome | None:
    """The rating of a recorded meeting revision, or None when it (or a later one) is already rated."""
    latest = latest_rating(session, str(event.meeting_id))
    if latest is not None and latest.meeting_revision >= event.revision:
        return None
    sheet = Sheet.of_event(event)
    rubric = rubrics.in_force(session, orgs.lineage_on(session, sheet.organization_id, sheet.held_on), sheet.held_on)
    roll = orgs.roll_for(session, [sheet.organization_id]).standings_on(sheet.organization_id, sheet.held_on)
    history = cell_history(session, sheet.organization_id, sheet.held_on.year, exclude=sheet.meeting_id)
    cause = "recorded" if event.revision == 1 else "amended"
    outcome = rate_sheet(sheet, rubric, roll, history, next_revision(latest, sheet), cause)
    session.add(MeetingRating(**outcome.row))
    session.flush()
    return outcome


# ---------------------------------------------------------------- re-rating in bulk


def enqueue(session: Session, cause: str, date_from: date, *, date_to: date | None = None,
            organization_ids: Iterable[str] | None = None, scope_org_id: str | None = None) -> RerateJob:
    job = RerateJob(id=str(uuid.uuid4()), cause=cause, date_from=date_from, date_to=date_to, scope_org_id=scope_org_id,
                    organization_ids=sorted(set(organization_ids)) if organization_ids is not None else None,
                    created_at=datetime.now(timezone.utc))
    session.add(job)
    return job


def has_rated_meetings(session: Session, org_id: str, since: date) -> bool:
    return session.execute(select(MeetingRating.meeting_id).where(
        MeetingRating.organization_id == org_id, MeetingRating.held_on >= since).limit(1)).first() is not None


def run_jobs(uow: UnitOfWork, chunk_cells: int = CHUNK_CELLS, max_chunks: int | None = None) -> int:
    """Work through pending jobs, one transaction per chunk of cells; returns how many meetings were re-rated.

    A failing chunk is rolled back and counted on its job (``attempts``, ``last_error``) and the error re-raised
    (the worker backs off and retries); after MAX_ATTEMPTS failures in a row the job is set aside (``failed_at``,
    the rerate-job dead letter: ``python -m meetings.cli retry-rerate-jobs`` puts it back) and the others go on."""
    total, chunks = 0, 0
    while max_chunks is None or chunks < max_chunks:
        job_id = None
        try:
            with uow:
                job = uow.session.execute(select(RerateJob).where(RerateJob.done_at.is_(None),
                                                                  RerateJob.failed_at.is_(None))
                                          .order_by(RerateJob.created_at, RerateJob.id).limit(1)).scalars().first()
                if job is None:
                    return total
                job_id = job.id
                total += _run_chunk(uow, job, chunk_cells)
                chunks += 1
        except Exception as exc:
            if job_id is None or not _count_failure(uow, job_id, exc):
                raise
    return total


def _run_chunk(uow: UnitOfWork, job: RerateJob, chunk_cells: int) -> int:
    cells = _next_cells(uow.session, job, chunk_cells)
    if not cells:
        uow.session.execute(update(RerateJob).where(RerateJob.id == job.id)
                            .values(done_at=datetime.now(timezone.utc)))
        uow.commit()
        return 0
    outcomes = rerate_cells(uow.session, cells, job.date_from, job.date_to, job.cause)
    moved = uow.session.execute(update(RerateJob).where(RerateJob.id == job.id, RerateJob.cursor == job.cursor)
                                .values(cursor=cells[-1], rerated=RerateJob.rerated + len(outcomes), attempts=0))
    if moved.rowcount != 1:  # another worker took this chunk: drop ours (the caller's ``with`` rolls back)
        return 0
    uow.publish(*(o.event for o in outcomes))
    uow.commit()
    return len(outcomes)


def _count_failure(uow: UnitOfWork, job_id: str, exc: Exception) -> bool:
    """Record a failed chunk; True when the job was set aside (stop raising), False to re-raise."""
    with uow:
        job = uow.session.get(RerateJob, job_id)
        job.attempts += 1
        job.last_error = repr(exc)[:2000]
        set_aside = job.attempts >= MAX_ATTEMPTS
        if set_aside:
            job.failed_at = datetime.now(timezone.utc)
        uow.commit()
    return set_aside


def retry_failed_jobs(uow: UnitOfWork) -> int:
    """Put set-aside jobs back in the queue (after the cause, e.g. a missing rubric, is fixed)."""
    with uow:
        count = uow.session.execute(update(RerateJob).where(RerateJob.failed_at.is_not(None))
                                    .values(failed_at=None, attempts=0)).rowcount
        uow.commit()
    return count


def _next_cells(session: Session, job: RerateJob, limit: int) -> list[str]:
    query = select(MeetingRating.organization_id).where(MeetingRating.held_on >= job.date_from,
                                                        MeetingRating.organization_id > job.cursor)
    if job.date_to is not None:
        query = query.where(MeetingRating.held_on <= job.date_to)
    if job.organization_ids is not None:
        query = query.where(MeetingRating.organization_id.in_(job.organization_ids))
    elif job.scope_org_id is not None:
        query = query.where(MeetingRating.organization_id.in_(sorted(orgs.Tree(session).subtree(job.scope_org_id))))
    query = query.group_by(MeetingRating.organization_id).order_by(MeetingRating.organization_id).limit(limit)
    return list(session.execute(query).scalars())


def rerate_cells(session: Session, cells: Sequence[str], date_from: date, date_to: date | None, cause: str,
                 *, rate_unrated: bool = False) -> list[Outcome]:
    """Re-rate the current revision of every rated meeting of ``cells`` held in [date_from, date_to]; store the
    changed ratings (bulk insert) and return them with their events (the caller publishes them)."""
    window = [Meeting.organization_id.in_(cells), Meeting.held_on >= date(date_from.year, 1, 1)]
    if date_to is not None:
        window.append(Meeting.held_on <= date_to)
    meetings = session.execute(select(Meeting).where(and_(*window))).scalars().all()
    spoke: dict[str, set[str]] = {}
    histories = _histories(session, [(m.organization_id, m.id, m.held_on) for m in meetings], spoke)
    targets = [m for m in meetings if m.held_on >= date_from]
    latest = _latest_ratings(session, cells, date_from, date_to)
    tree, roll = orgs.Tree(session), orgs.roll_for(session, cells)
    candidates = rubrics.in_force_rubrics(session)
    outcomes, rows = [], []
    for meeting in sorted(targets, key=lambda m: (m.organization_id, m.held_on, m.id)):
        current = latest.get(meeting.id)
        if current is None and not rate_unrated:
            continue  # not rated yet: the rating consumer will rate it with today's data
        history = histories[(meeting.organization_id, meeting.held_on.year)]
        statuses = dict(next((r[2] for r in history.rows if r[1] == meeting.id), {}))
        sheet = Sheet(meeting.id, meeting.organization_id, meeting.held_on, meeting.kind, meeting.duration_minutes,
                      dict(meeting.checklist), [Line(mid, status, mid in spoke.get(meeting.id, ()))
                                                for mid, status in statuses.items()],
                      meeting.revision, bool(current.upper_level_attended) if current else False)
        rubric = rubrics.pick(candidates, tree.lineage_on(meeting.organization_id, meeting.held_on), meeting.held_on)
        if rubric is None:
            raise rubrics.NoRubricError(f"no rubric in force on {meeting.held_on} for {meeting.organization_id}")
        revision = next_revision(current, sheet)
        outcome = rate_sheet(sheet, rubric, roll.standings_on(meeting.organization_id, meeting.held_on), history,
                             revision, cause)
        if current is not None and _unchanged(current, outcome.row):
            continue
        outcomes.append(outcome)
        rows.append(outcome.row)
    if rows:
        session.execute(insert(MeetingRating.__table__), rows)
    return outcomes


def _latest_ratings(session: Session, cells: Sequence[str], date_from: date, date_to: date | None) -> dict:
    query = select(MeetingRating.meeting_id, func.max(MeetingRating.revision).label("revision")).where(
        MeetingRating.organization_id.in_(cells), MeetingRating.held_on >= date_from)
    if date_to is not None:
        query = query.where(MeetingRating.held_on <= date_to)
    top = query.group_by(MeetingRating.meeting_id).subquery()
    columns = [getattr(MeetingRating, c) for c in ("meeting_id", "revision", "upper_level_attended", *SAME)]
    rows = session.execute(select(*columns).join(top, and_(MeetingRating.meeting_id == top.c.meeting_id,
                                                           MeetingRating.revision == top.c.revision)))
    return {r.meeting_id: r for r in rows}
