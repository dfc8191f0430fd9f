from datetime import date

from reports.facts import Fact, add_contribution, apply_event, new_deltas
from reports.tree import path_on

MARCH = date(2026, 3, 12)


def test_a_recorded_meeting_counts_attendance_from_its_roster_and_is_unrated(ev):
    fact = apply_event(None, ev.recorded("m1", "phongtc", MARCH, present=7, absent=2, exempt=1, spoke=4))
    assert (fact.present, fact.expected, fact.speakers, fact.level) == (7, 9, 4, None)


def test_a_rating_before_its_recording_gives_the_same_fact_as_after(ev):
    rec, rat = ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "tot")
    assert apply_event(apply_event(None, rat), rec) == apply_event(apply_event(None, rec), rat)


def test_a_higher_rating_revision_replaces_the_level_and_an_older_one_changes_nothing(ev):
    first = apply_event(None, ev.rated("m1", "phongtc", MARCH, "kha", revision=1))
    second = apply_event(first, ev.rated("m1", "phongtc", MARCH, "tot", revision=2))
    assert second.level == "tot"
    assert apply_event(second, ev.rated("m1", "phongtc", MARCH, "kem", revision=1)) is None


def test_a_newer_recording_moves_the_meeting_to_its_new_date(ev):
    fact = apply_event(None, ev.recorded("m1", "phongtc", MARCH))
    moved = apply_event(fact, ev.recorded("m1", "phongtc", date(2026, 4, 2), revision=2))
    assert moved.held_on == date(2026, 4, 2)


def test_a_fact_counts_once_for_every_org_on_its_path_in_month_quarter_and_year():
    fact = Fact("m1", "cell", MARCH, "regular", 1, 1, "tot", 8, 9, 3, path=("cell", "committee"))
    deltas = new_deltas()
    add_contribution(deltas, fact, 1)
    assert set(deltas) == {(o, p) for o in ("cell", "committee") for p in ("2026-03", "2026-Q1", "2026")}
    assert deltas[("committee", "2026-Q1")] == [1, 1, 0, 0, 0, 0, 8, 9, 3, 1, 0, 0, 0, 0, 0]  # a regular one, no upper level


def test_the_path_follows_the_parent_in_force_on_the_meeting_day_and_stops_where_the_tree_is_unknown():
    parents = {"cell": [(date(2025, 7, 1), "old"), (date(2026, 1, 1), "new")], "new": [(date(2025, 7, 1), "top")]}
    assert path_on(parents, "cell", date(2025, 12, 31)) == ("cell", "old")
    assert path_on(parents, "cell", MARCH) == ("cell", "new", "top")
    assert path_on(parents, "cell", date(2024, 1, 1)) == ("cell", "old")  # before the tree's records: its origin
