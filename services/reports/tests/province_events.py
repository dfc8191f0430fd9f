"""Event builders of a hand-built small province and of the 2025 restructure (see test_figures.py for the
figures computed by hand from them). Loaded by the ``province`` fixture."""
from datetime import date, datetime, timezone

from shared.events import (Attendance, BadgeAwarded, FeeLine, FeesRecorded, MeetingObligationClosed, MeetingRated,
                           MeetingRecorded, MemberAdmitted, MemberExempted, MemberGraded, MemberOfficialStatusGranted,
                           MemberRegistered, MembershipEnded, MemberTemporarilyTransferred, MemberTransferReceived,
                           MemberTransferred, OrganizationCreated, OrganizationDissolved, OrganizationGraded,
                           OrganizationMoved, OrganizationRenamed, PartyCardIssued, StatisticalProfile)
from reports.usecases import project

def _org(ev, slug, parent, kind, sector="other", since=date(2020, 1, 1)):
    return OrganizationCreated(organization_id=ev.oid(slug), parent_id=ev.oid(parent) if parent else None,
                               name=f"Tổ chức {slug}", kind=kind, sector=sector, effective_from=since)


def _profile(sex, born, **more):
    return StatisticalProfile(sex=sex, date_of_birth=born, **more)


def _registered(ev, who, cell, status, since, profile=None, v1_sex=None, v1_born=None):
    sex, born = (profile.sex, profile.date_of_birth) if profile else (v1_sex, v1_born)
    extra = {"profile": profile} if profile else {"schema_version": 1}  # v1: no profile at all
    return MemberRegistered(member_id=ev.oid(who), organization_id=ev.oid(cell), full_name=f"Đảng viên {who}",
                            sex=sex, date_of_birth=born, status=status, effective_from=since, **extra)


def _members(ev):
    o, d = ev.oid, date
    return [
        _registered(ev, "m1", "A", "official", d(2025, 1, 1), _profile(
            "male", d(1980, 5, 10), ethnicity="Kinh", education_level="12/12", political_theory_level="trung_cap",
            party_age_start=d(2006, 3, 31))),  # 20 years of party age exactly on 31 March
        _registered(ev, "m2", "A", "probationary", d(2025, 6, 1), v1_sex="female", v1_born=d(1996, 3, 31)),
        MemberOfficialStatusGranted(member_id=o("m2"), organization_id=o("A"), decision_date=d(2026, 3, 12),
                                    effective_from=d(2026, 3, 10)),
        MemberAdmitted(member_id=o("m3"), organization_id=o("B"), full_name="Đảng viên m3", profile=_profile(
            "female", d(2000, 1, 15), ethnicity="Mường", religion="Công giáo", education_level="12/12",
            political_theory_level="so_cap", party_age_start=d(2026, 3, 1)),
            decision_date=d(2026, 3, 1), ceremony_date=d(2026, 3, 5), effective_from=d(2026, 3, 5)),
        MemberTransferReceived(member_id=o("m4"), organization_id=o("B"), full_name="Đảng viên m4", status="official",
                               profile=_profile("male", d(1965, 4, 1), ethnicity="Kinh", religion="Không",
                                                education_level="10/10", political_theory_level="cao_cap",
                                                party_age_start=d(1990, 1, 1)),
                               origin="Tỉnh Yên Bái", effective_from=d(2026, 3, 20)),
        _registered(ev, "m5", "C", "official", d(2024, 1, 1), _profile("male", d(1970, 1, 1))),
        MemberTransferred(member_id=o("m5"), from_organization_id=o("C"), to_organization_id=o("A"),
                          effective_from=d(2026, 3, 15)),
        _registered(ev, "m6", "A", "official", d(2024, 1, 1), _profile("male", d(1950, 1, 1))),
        MembershipEnded(member_id=o("m6"), organization_id=o("A"), reason="deceased", effective_from=d(2026, 3, 25)),
        _registered(ev, "m7", "B", "official", d(2024, 1, 1), _profile("female", d(1985, 1, 1))),
        MemberTransferred(member_id=o("m7"), from_organization_id=o("B"), to_organization_id=None,
                          destination="Tỉnh Lào Cai", effective_from=d(2026, 3, 28)),
        PartyCardIssued(member_id=o("m2"), organization_id=o("A"), effective_from=d(2026, 3, 20)),
        PartyCardIssued(member_id=o("m1"), organization_id=o("A"), replacement=True, effective_from=d(2026, 3, 21)),
        BadgeAwarded(member_id=o("m4"), organization_id=o("B"), years=30, effective_from=d(2026, 3, 25)),
        MemberExempted(member_id=o("m1"), organization_id=o("A"), effective_from=d(2026, 3, 2)),
        MemberTemporarilyTransferred(member_id=o("m5"), home_organization_id=o("A"), host_organization_id=None,
                                     effective_from=d(2026, 3, 30), until=d(2026, 9, 30)),
        PartyCardIssued(member_id=o("m4"), organization_id=o("B"), effective_from=d(2026, 4, 2)),  # April: not counted
    ]


def _meetings(ev):
    o, d = ev.oid, date

    def rated(meeting, cell, held_on, level, present, expected, speakers, upper):
        return MeetingRated(meeting_id=o(meeting), organization_id=o(cell), held_on=held_on, kind="regular",
                            rubric_code="phu-tho-2024", rubric_version=1, score=80.0, level=level, present=present,
                            expected=expected, speakers=speakers, upper_level_attended=upper, revision=1)

    thematic = MeetingRecorded(
        meeting_id=o("a2"), organization_id=o("A"), held_on=d(2026, 3, 24), kind="thematic", duration_minutes=120,
        attendance=tuple([Attendance(member_id=o(f"p{i}"), status="present", spoke=i == 0) for i in range(3)]
                         + [Attendance(member_id=o("p3"), status="absent_excused"),
                            Attendance(member_id=o("p4"), status="exempt")]))
    return [rated("a1", "A", d(2026, 3, 10), "tot", 4, 4, 3, True), thematic,
            rated("b1", "B", d(2026, 3, 12), "kha", 2, 3, 1, False), rated("c1", "C", d(2026, 3, 15), "kem", 5, 5, 5, True)]


def _obligations(ev):
    def closed(cell, obligation, start, end, met, at):
        return MeetingObligationClosed(organization_id=ev.oid(cell), obligation=obligation, period_start=start,
                                       period_end=end, met=met, occurred_at=datetime(2026, 4, 1, at, tzinfo=timezone.utc))
    march, q1 = (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 31))
    return [closed("B", "regular", *march, False, 9),  # a correction of the closing below: the latest wins
            closed("B", "regular", *march, True, 8), closed("A", "regular", *march, True, 8),
            closed("A", "thematic", *q1, True, 8), closed("B", "thematic", *q1, False, 8),
            closed("B", "committee", date(2026, 2, 1), date(2026, 2, 28), False, 8)]  # February: not counted


def _fees_and_grades(ev):
    o, month = ev.oid, date(2026, 3, 1)

    def fees(cell, revision, *lines):
        return FeesRecorded(organization_id=o(cell), month=month, revision=revision,
                            lines=tuple(FeeLine(member_id=o(m), due_vnd=due, paid_vnd=paid) for m, due, paid in lines))

    def graded(who, cell, level, decided):
        return MemberGraded(member_id=o(who), organization_id=o(cell), year=2026, score=80, level=level,
                            decided_on=date(2026, 12, decided))

    def org_graded(cell, level):
        return OrganizationGraded(organization_id=o(cell), year=2026, score=85, level=level, decided_on=date(2026, 12, 20))
    return [fees("A", 2, ("m1", 50000, 50000), ("m2", 30000, 30000), ("m5", 40000, 0)),
            fees("A", 1, ("m1", 50000, 50000), ("m2", 30000, 0)),  # an older sheet: changes nothing
            fees("B", 1, ("m3", 5000, 5000), ("m4", 60000, 60000)),
            graded("m1", "A", "good", 10), graded("m3", "B", "excellent", 10), graded("m4", "B", "completed", 20),
            graded("m4", "B", "good", 10), graded("m5", "C", "not_completed", 10),
            org_graded("A", "excellent"), org_graded("B", "good"), org_graded("K", "good"), org_graded("C", "not_completed")]


def _province(ev):
    return [_org(ev, "P", None, "province"), _org(ev, "K", "P", "committee"),
            _org(ev, "A", "K", "grassroots_cell", "administrative"), _org(ev, "B", "K", "grassroots_cell", "school"),
            _org(ev, "C", "P", "grassroots_cell", "state_enterprise")]


def everything(ev):
    """All events; the stale ones (an older closing, fee sheet and grade) first, so that ``load``, which feeds
    the list backwards, delivers them last, in a batch of their own: after what superseded them."""
    events = [*_province(ev), *_members(ev), *_meetings(ev), *_obligations(ev), *_fees_and_grades(ev)]
    stale = [e for e in events if _stale(ev, e)]
    assert len(stale) == 3
    return stale + [e for e in events if not _stale(ev, e)]


def _stale(ev, e) -> bool:
    return (isinstance(e, MeetingObligationClosed) and e.organization_id == ev.oid("B") and e.obligation == "regular"
            and e.met) or (isinstance(e, FeesRecorded) and e.organization_id == ev.oid("A") and e.revision == 1) or (
        isinstance(e, MemberGraded) and e.member_id == ev.oid("m4") and e.level == "good")


def load(engine, ev):
    events = everything(ev)
    backwards = list(reversed(events))
    for start in range(0, len(events) - 3, 7):  # several batches, reversed: arrival order must not matter
        project(engine, backwards[start:min(start + 7, len(events) - 3)])
    project(engine, backwards[-3:])  # the stale events, last


# The 2025 restructure: the bloc is dissolved on 1 March 2025, its cells X and Y moved to two new committees.
RESTRUCTURE = date(2025, 3, 1)


def restructure(ev):
    o = ev.oid
    held = [("x-feb", "X", date(2025, 2, 14), "tot"), ("y-feb", "Y", date(2025, 2, 20), "kha"),
            ("x-apr", "X", date(2025, 4, 10), "kem"), ("y-apr", "Y", date(2025, 4, 11), "tot")]
    return [
        _org(ev, "P", None, "province"), _org(ev, "bloc", "P", "committee"),
        _org(ev, "X", "bloc", "grassroots_cell"), _org(ev, "Y", "bloc", "grassroots_cell"),
        _org(ev, "N1", "P", "committee", since=RESTRUCTURE), _org(ev, "N2", "P", "committee", since=RESTRUCTURE),
        OrganizationMoved(organization_id=o("X"), parent_id=o("N1"), effective_from=RESTRUCTURE),
        OrganizationMoved(organization_id=o("Y"), parent_id=o("N2"), effective_from=RESTRUCTURE),
        OrganizationDissolved(organization_id=o("bloc"), effective_from=RESTRUCTURE),
        OrganizationRenamed(organization_id=o("N1"), name="Đảng bộ Ủy ban nhân dân tỉnh", effective_from=date(2025, 6, 1)),
        _registered(ev, "x1", "X", "official", date(2020, 1, 1), _profile("male", date(1980, 1, 1))),
        *[MeetingRated(meeting_id=o(m), organization_id=o(cell), held_on=day, kind="regular", rubric_code="r",
                       rubric_version=1, score=80, level=level, present=5, expected=5, speakers=2, revision=1)
          for m, cell, day, level in held]]
