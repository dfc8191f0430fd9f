"""Every figure of a hand-built small province, computed by hand below; and the 2025 restructure."""
from datetime import date, datetime, timezone

from shared.events import (Attendance, BadgeAwarded, FeeLine, FeesRecorded, MeetingObligationClosed, MeetingRated,
                           MeetingRecorded, MemberAdmitted, MemberExempted, MemberGraded, MemberOfficialStatusGranted,
                           MemberRegistered, MembershipEnded, MemberTemporarilyTransferred, MemberTransferReceived,
                           MemberTransferred, OrganizationCreated, OrganizationDissolved, OrganizationGraded,
                           OrganizationMoved, PartyCardIssued, StatisticalProfile)
from reports.usecases import project

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


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
    return [closed("B", "regular", *march, False, 9),  # the correction arrives first: the latest closing wins
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
            fees("A", 1, ("m1", 50000, 50000), ("m2", 30000, 0)),  # an older sheet arriving late changes nothing
            fees("B", 1, ("m3", 5000, 5000), ("m4", 60000, 60000)),
            graded("m1", "A", "good", 10), graded("m3", "B", "excellent", 10), graded("m4", "B", "completed", 20),
            graded("m4", "B", "good", 10), graded("m5", "C", "not_completed", 10),
            org_graded("A", "excellent"), org_graded("B", "good"), org_graded("K", "good"), org_graded("C", "not_completed")]


def _province(ev):
    return [_org(ev, "P", None, "province"), _org(ev, "K", "P", "committee"),
            _org(ev, "A", "K", "grassroots_cell", "administrative"), _org(ev, "B", "K", "grassroots_cell", "school"),
            _org(ev, "C", "P", "grassroots_cell", "state_enterprise")]


def _load(client, ev):
    everything = [*_province(ev), *_members(ev), *_meetings(ev), *_obligations(ev), *_fees_and_grades(ev)]
    engine = client.app.state.runtime.engine
    for start in range(0, len(everything), 7):  # several batches, reversed: arrival order must not matter
        project(engine, list(reversed(everything))[start:start + 7])


def _get(client, bearer, ev, slug, **params):
    response = client.get("/reports/api/figures", params={"org_id": str(ev.oid(slug)), **params},
                          headers=bearer("P", "province"))
    assert response.status_code == 200, response.text
    return response.json()


def test_meeting_figures_of_a_committee_in_a_month_are_those_computed_by_hand(client, ev, bearer):
    _load(client, ev)
    m = _get(client, bearer, ev, "K", **MARCH)["meetings"]
    assert (m["held"], m["held_by_kind"]["regular"], m["held_by_kind"]["thematic"]) == (3, 2, 1)
    assert m["obligations"]["regular"] == {"required": 2, "held": 1, "missed": 1, "missed_share": 50.0}
    assert m["obligations"]["thematic"] == {"required": 2, "held": 1, "missed": 1, "missed_share": 50.0}
    assert m["obligations"]["committee"]["required"] == 0
    assert m["levels"]["tot"] == {"count": 1, "share": 33.3} and m["levels"]["kha"] == {"count": 1, "share": 33.3}
    assert m["levels"]["unrated"] == {"count": 1, "share": 33.3} and m["levels"]["kem"]["count"] == 0
    assert m["attendance"] == {"present": 9, "expected": 11, "rate": 81.8}  # exempt p4 outside the denominator
    assert m["speakers"] == {"count": 5, "present": 9, "share": 55.6}
    assert m["upper_level"] == {"count": 1, "held": 3, "share": 33.3}


def test_the_roll_of_a_committee_on_the_last_day_of_the_month_is_the_one_computed_by_hand(client, ev, bearer):
    _load(client, ev)
    r = _get(client, bearer, ev, "K", **MARCH)["members"]
    assert (r["on"], r["total"], r["status"]) == ("2026-03-31", 5, {"official": 4, "probationary": 1})
    assert r["sex"] == {"female": 2, "male": 3}
    assert r["sector"] == {"administrative": 3, "school": 2}
    # m2 turns 30 and m4 is 60 (61 tomorrow) on 31 March: the bands' boundaries
    assert r["age_band"] == {"41_50": 1, "51_60": 2, "to_30": 2}
    assert r["ethnicity"] == {"Kinh": 2, "Mường": 1, "unknown": 2}  # m2's v1 registration has no profile
    assert r["religion"] == {"Công giáo": 1, "Không": 1, "unknown": 3}
    assert r["education_level"] == {"10/10": 1, "12/12": 2, "unknown": 2}
    assert r["political_theory_level"] == {"cao_cap": 1, "so_cap": 1, "trung_cap": 1, "unknown": 2}
    assert r["party_age_band"] == {"20_29": 1, "30_39": 1, "under_10": 1, "unknown": 2}


def test_the_day_before_the_month_ends_the_roll_still_holds_those_who_left_on_the_last_days(client, ev, bearer):
    _load(client, ev)
    r = _get(client, bearer, ev, "K", **{"from": "2026-03-01", "to": "2026-03-27"})["members"]
    assert r["total"] == 7 - 1  # m7 leaves on the 28th, m6 died on the 25th
    assert r["age_band"]["51_60"] == 2 and r["party_age_band"]["10_19"] == 1  # m1: 19 years until the 31st


def test_lifecycle_changes_of_a_subtree_count_transfers_across_its_border_only(client, ev, bearer):
    _load(client, ev)
    k = _get(client, bearer, ev, "K", **MARCH)["changes"]
    assert k == {"admitted": 1, "made_official": 1, "transferred_in": 2, "transferred_out": 1,
                 "transferred_temporarily": 1, "cards_issued": 1, "cards_replaced": 1, "badges_awarded": 1,
                 "exempted": 1, "names_removed": 0, "expelled": 0, "exited": 0, "deceased": 1,
                 "probation_not_recognized": 0}
    p = _get(client, bearer, ev, "P", period="2026-03")["changes"]
    assert (p["transferred_in"], p["transferred_out"]) == (1, 1)  # C → A stays inside the province


def test_fees_keep_the_highest_revision_and_grades_the_latest_decision(client, ev, bearer):
    _load(client, ev)
    body = _get(client, bearer, ev, "K", period="2026-03")
    assert body["fees"] == {"due_vnd": 185000, "collected_vnd": 145000, "collected_share": 78.4, "unpaid_members": 1}
    members, orgs = body["grading"]["members"], body["grading"]["organizations"]
    assert (members["total"], members["excellent"]["count"], members["good"]["count"],
            members["completed"]["count"]) == (3, 1, 1, 1)
    assert members["good"]["share"] == 33.3
    assert (orgs["total"], orgs["excellent"]["count"], orgs["good"]["count"], orgs["good"]["share"]) == (3, 1, 2, 66.7)


def test_a_named_period_and_the_same_from_to_range_give_the_same_figures(client, ev, bearer):
    _load(client, ev)
    named, ranged = _get(client, bearer, ev, "P", period="2026-Q1"), _get(
        client, bearer, ev, "P", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert ranged["period"] == "2026-01-01..2026-03-31"
    for key in ("meetings_held", "levels", "attendance", "children", "meetings", "members", "changes", "fees"):
        assert named[key] == ranged[key] or key == "children" and [
            {**c, "period": "x"} for c in named[key]] == [{**c, "period": "x"} for c in ranged[key]], key
    assert named["meetings_held"] == 4


def test_a_range_ending_before_it_starts_is_rejected_naming_the_field(client, ev, bearer):
    _load(client, ev)
    for params, field in (({"from": "2026-03-31", "to": "2026-03-30"}, "to"), ({"from": "2026-03-01"}, "to"),
                          ({"to": "2026-03-01"}, "from"), ({"period": "2026-03", "tree": "yesterday"}, "tree")):
        response = client.get("/reports/api/figures", params={"org_id": str(ev.oid("K")), **params},
                              headers=bearer("P", "province"))
        assert response.status_code == 422, params
        problem = response.json()["detail"][0]
        assert problem["field"] == field and problem["msg_vi"] and problem["msg_en"], params
    same_day = {"from": "2026-03-31", "to": "2026-03-31"}
    assert _get(client, bearer, ev, "K", **same_day)["members"]["total"] == 5


# The 2025 restructure: the bloc is dissolved on 1 March 2025, its cells X and Y moved to two new committees.
RESTRUCTURE = date(2025, 3, 1)


def _restructure(ev):
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
        _registered(ev, "x1", "X", "official", date(2020, 1, 1), _profile("male", date(1980, 1, 1))),
        *[MeetingRated(meeting_id=o(m), organization_id=o(cell), held_on=day, kind="regular", rubric_code="r",
                       rubric_version=1, score=80, level=level, present=5, expected=5, speakers=2, revision=1)
          for m, cell, day, level in held]]


def _held(client, bearer, ev, slug, **params):
    return _get(client, bearer, ev, slug, **params)["meetings_held"]


def test_earlier_months_roll_up_under_the_old_bloc_and_later_ones_under_the_new_committees(client, ev, bearer):
    events = _restructure(ev)
    project(client.app.state.runtime.engine, events[6:])  # the restructure and the facts first, the tree after
    project(client.app.state.runtime.engine, events[:6])
    got = {(slug, period): _held(client, bearer, ev, slug, period=period)
           for slug in ("bloc", "N1", "N2", "P") for period in ("2025-02", "2025-04", "2025")}
    assert got == {("bloc", "2025-02"): 2, ("bloc", "2025-04"): 0, ("bloc", "2025"): 2,
                   ("N1", "2025-02"): 0, ("N1", "2025-04"): 1, ("N1", "2025"): 1,
                   ("N2", "2025-02"): 0, ("N2", "2025-04"): 1, ("N2", "2025"): 1,
                   ("P", "2025-02"): 2, ("P", "2025-04"): 2, ("P", "2025"): 4}
    ranged = _get(client, bearer, ev, "N1", **{"from": "2025-02-01", "to": "2025-04-30"})
    assert (ranged["meetings_held"], ranged["levels"]["kem"], ranged["levels"]["tot"]) == (1, 1, 0)
    assert _get(client, bearer, ev, "bloc", period="2025-02")["members"]["total"] == 1
    assert _get(client, bearer, ev, "N1", period="2025-02")["members"]["total"] == 0
    assert _get(client, bearer, ev, "N1", period="2025-04")["members"]["total"] == 1


def test_tree_today_rolls_every_month_under_the_new_committees(client, ev, bearer):
    project(client.app.state.runtime.engine, _restructure(ev))
    today = {(slug, period): _held(client, bearer, ev, slug, period=period, tree="today")
             for slug in ("bloc", "N1", "N2") for period in ("2025-02", "2025")}
    assert today == {("bloc", "2025-02"): 0, ("bloc", "2025"): 0, ("N1", "2025-02"): 1, ("N1", "2025"): 2,
                     ("N2", "2025-02"): 1, ("N2", "2025"): 2}
    body = _get(client, bearer, ev, "N1", period="2025-02", tree="today")
    assert (body["tree"], body["members"]["total"]) == ("today", 1)
    children = _get(client, bearer, ev, "P", period="2025-02", tree="today")["children"]
    assert {c["org_name"]: c["meetings_held"] for c in children} == {
        "Tổ chức bloc": 0, "Tổ chức N1": 1, "Tổ chức N2": 1}
