"""Every figure of a hand-built small province (province_events.py), computed by hand here; and the 2025
restructure."""
from sqlmodel import Session

from reports.usecases import project

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _load(client, ev, province):
    province.load(client.app.state.runtime.engine, ev)


def _get(client, bearer, ev, slug, **params):
    response = client.get("/reports/api/figures", params={"org_id": str(ev.oid(slug)), **params},
                          headers=bearer("P", "province"))
    assert response.status_code == 200, response.text
    return response.json()


def test_meeting_figures_of_a_committee_in_a_month_are_those_computed_by_hand(client, ev, bearer, province):
    _load(client, ev, province)
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


def test_the_roll_of_a_committee_on_the_last_day_of_the_month_is_the_one_computed_by_hand(client, ev, bearer, province):
    _load(client, ev, province)
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


def test_the_day_before_the_month_ends_the_roll_still_holds_those_who_left_on_the_last_days(client, ev, bearer, province):
    _load(client, ev, province)
    r = _get(client, bearer, ev, "K", **{"from": "2026-03-01", "to": "2026-03-27"})["members"]
    assert r["total"] == 7 - 1  # m7 leaves on the 28th, m6 died on the 25th
    assert r["age_band"]["51_60"] == 2 and r["party_age_band"]["10_19"] == 1  # m1: 19 years until the 31st


def test_lifecycle_changes_of_a_subtree_count_transfers_across_its_border_only(client, ev, bearer, province):
    _load(client, ev, province)
    k = _get(client, bearer, ev, "K", **MARCH)["changes"]
    assert k == {"admitted": 1, "made_official": 1, "transferred_in": 2, "transferred_out": 1,
                 "transferred_temporarily": 1, "cards_issued": 1, "cards_replaced": 1, "badges_awarded": 1,
                 "exempted": 1, "names_removed": 0, "expelled": 0, "exited": 0, "deceased": 1,
                 "probation_not_recognized": 0}
    p = _get(client, bearer, ev, "P", period="2026-03")["changes"]
    assert (p["transferred_in"], p["transferred_out"]) == (1, 1)  # C → A stays inside the province


def test_fees_keep_the_highest_revision_and_grades_the_latest_decision(client, ev, bearer, province):
    _load(client, ev, province)
    body = _get(client, bearer, ev, "K", period="2026-03")
    assert body["fees"] == {"due_vnd": 185000, "collected_vnd": 145000, "collected_share": 78.4, "unpaid_members": 1}
    members, orgs = body["grading"]["members"], body["grading"]["organizations"]
    assert (members["total"], members["excellent"]["count"], members["good"]["count"],
            members["completed"]["count"]) == (3, 1, 1, 1)
    assert members["good"]["share"] == 33.3
    assert (orgs["total"], orgs["excellent"]["count"], orgs["good"]["count"], orgs["good"]["share"]) == (3, 1, 2, 66.7)


def test_a_named_period_and_the_same_from_to_range_give_the_same_figures(client, ev, bearer, province):
    _load(client, ev, province)
    named, ranged = _get(client, bearer, ev, "P", period="2026-Q1"), _get(
        client, bearer, ev, "P", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert ranged["period"] == "2026-01-01..2026-03-31"
    for key in ("meetings_held", "levels", "attendance", "children", "meetings", "members", "changes", "fees",
                "grading"):
        assert named[key] == ranged[key] or key == "children" and [
            {**c, "period": "x"} for c in named[key]] == [{**c, "period": "x"} for c in ranged[key]], key
    assert named["meetings_held"] == 4


def test_a_range_ending_before_it_starts_is_rejected_naming_the_field(client, ev, bearer, province):
    _load(client, ev, province)
    for params, field in (({"from": "2026-03-31", "to": "2026-03-30"}, "to"), ({"from": "2026-03-01"}, "to"),
                          ({"to": "2026-03-01"}, "from"), ({"period": "2026-03", "tree": "yesterday"}, "tree")):
        response = client.get("/reports/api/figures", params={"org_id": str(ev.oid("K")), **params},
                              headers=bearer("P", "province"))
        assert response.status_code == 422, params
        problem = response.json()["detail"][0]
        assert problem["field"] == field and problem["msg_vi"] and problem["msg_en"], params
    same_day = {"from": "2026-03-31", "to": "2026-03-31"}
    assert _get(client, bearer, ev, "K", **same_day)["members"]["total"] == 5


def _held(client, bearer, ev, slug, **params):
    return _get(client, bearer, ev, slug, **params)["meetings_held"]


def test_earlier_months_roll_up_under_the_old_bloc_and_later_ones_under_the_new_committees(client, ev, bearer, province):
    events = province.restructure(ev)
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


def test_figures_read_before_the_restructure_arrived_follow_it_once_it_is_applied(client, ev, bearer, province,
                                                                                  monkeypatch):
    """The subtrees are kept in memory between requests (tree.pieces) until the next tree event: read with the
    old tree only, then again after a rename, the new committees, the moves."""
    from reports import tree
    monkeypatch.setattr(tree, "KEPT_FROM", 0)  # this province's subtrees are small: keep them all the same
    engine = client.app.state.runtime.engine
    events = province.restructure(ev)
    year = {"from": "2025-01-01", "to": "2025-12-31"}  # a range: the live path, which reads the pieces

    def held(*slugs):
        return {slug: _get(client, bearer, ev, slug, **year)["meetings_held"] for slug in slugs}

    project(engine, events[:4] + events[10:])  # the old tree and the facts: every meeting under the bloc
    assert held("bloc", "P") == {"bloc": 4, "P": 4}
    project(engine, events[9:10])  # a rename: no parent link changes
    assert held("bloc", "P") == {"bloc": 4, "P": 4}
    project(engine, events[4:6])  # the new committees, empty
    assert held("bloc", "N1", "P") == {"bloc": 4, "N1": 0, "P": 4}
    project(engine, events[6:9])  # the moves of cells already known, the dissolution
    assert held("bloc", "N1", "N2", "P") == {"bloc": 2, "N1": 1, "N2": 1, "P": 4}


def test_the_top_level_subtrees_are_read_ahead_at_the_tree_version_in_force(client, ev, bearer, province, monkeypatch):
    """tree.warm keeps each top-level org's subtree of the version it reads; a request then reads none, and a
    warm-up started for a version that has since moved on keeps nothing."""
    from reports import tree
    engine = client.app.state.runtime.engine
    events = province.restructure(ev)
    project(engine, events[:4] + events[10:])
    with Session(engine) as session:
        version = tree._version(session)
    tree._SUBTREES.clear()
    assert tree.warm(engine, version) == 1  # P, the one top-level org
    assert tree._SUBTREES[(str(engine.url), str(ev.oid("P")))][0] == version
    read = []
    monkeypatch.setattr(tree, "subtree_parents", lambda session, root: read.append(root) or {})
    assert _get(client, bearer, ev, "P", period="2025")["meetings_held"] == 4 and read == []
    project(engine, events[4:6])  # a tree event: a new version
    assert tree.warm(engine, version) == 0  # asked for the old one: nothing kept
    _get(client, bearer, ev, "P", period="2025")
    assert read == [str(ev.oid("P"))]


def test_tree_today_rolls_every_month_under_the_new_committees(client, ev, bearer, province):
    project(client.app.state.runtime.engine, province.restructure(ev))
    today = {(slug, period): _held(client, bearer, ev, slug, period=period, tree="today")
             for slug in ("bloc", "N1", "N2") for period in ("2025-02", "2025")}
    assert today == {("bloc", "2025-02"): 0, ("bloc", "2025"): 0, ("N1", "2025-02"): 1, ("N1", "2025"): 2,
                     ("N2", "2025-02"): 1, ("N2", "2025"): 2}
    body = _get(client, bearer, ev, "N1", period="2025-02", tree="today")
    assert (body["tree"], body["members"]["total"]) == ("today", 1)
    children = _get(client, bearer, ev, "P", period="2025-02", tree="today")["children"]
    assert {c["org_name"]: c["meetings_held"] for c in children} == {
        "Tổ chức bloc": 0, "Đảng bộ Ủy ban nhân dân tỉnh": 1, "Tổ chức N2": 1}  # N1 renamed since


def test_a_report_names_organizations_as_they_were_named_on_its_last_day(client, ev, bearer, province):
    project(client.app.state.runtime.engine, province.restructure(ev))
    names = {period: _get(client, bearer, ev, "N1", period=period)["org_name"] for period in ("2025-05", "2025-06")}
    assert names == {"2025-05": "Tổ chức N1", "2025-06": "Đảng bộ Ủy ban nhân dân tỉnh"}  # renamed on 1 June
    children = _get(client, bearer, ev, "P", **{"from": "2025-01-01", "to": "2025-05-31"})["children"]
    assert [c["org_name"] for c in children] == ["Tổ chức N1", "Tổ chức N2", "Tổ chức bloc"]  # sorted by name


def test_a_rename_arriving_after_a_report_was_read_shows_in_the_next_one(client, ev, bearer, province):
    """Names are kept in memory between requests (tree.names_on) until the next tree event."""
    engine = client.app.state.runtime.engine
    events = province.restructure(ev)
    project(engine, events[:9] + events[10:])  # everything but N1's rename on 1 June
    assert _get(client, bearer, ev, "N1", period="2025-07")["org_name"] == "Tổ chức N1"
    project(engine, events[9:10])
    names = {period: _get(client, bearer, ev, "N1", period=period)["org_name"] for period in ("2025-05", "2025-07")}
    assert names == {"2025-05": "Tổ chức N1", "2025-07": "Đảng bộ Ủy ban nhân dân tỉnh"}
    children = _get(client, bearer, ev, "P", period="2025-07")["children"]
    assert "Đảng bộ Ủy ban nhân dân tỉnh" in [c["org_name"] for c in children]


def test_every_figure_is_the_same_whatever_the_order_and_however_often_the_events_arrive(client, ev, bearer, province):
    import random

    from reports.models import Base
    engine = client.app.state.runtime.engine
    events = province.everything(ev)
    project(engine, events)
    once = {slug: _get(client, bearer, ev, slug, period="2026-Q1") for slug in ("P", "K", "A")}
    with engine.begin() as conn:  # start again from an empty projection (the seeded bands and pointer stay)
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock"):
                conn.execute(table.delete())
    shuffled = events + events[::3]  # some delivered twice
    random.Random(11).shuffle(shuffled)
    for start in range(0, len(shuffled), 4):
        project(engine, shuffled[start:start + 4])
    assert {slug: _get(client, bearer, ev, slug, period="2026-Q1") for slug in ("P", "K", "A")} == once
