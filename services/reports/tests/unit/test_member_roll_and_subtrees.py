import itertools
import uuid
from datetime import date, timedelta

from shared.events import (MemberOfficialStatusGranted, MemberRegistered, MembershipEnded, MemberTransferred,
                           StatisticalProfile)
from reports.member_facts import spans
from reports.periods import period_range
from reports.subtrees import Tree, children_on, segments, subtree

M, A, B = str(uuid.uuid4()), uuid.uuid4(), uuid.uuid4()


def _history():
    profile = StatisticalProfile(sex="male", date_of_birth=date(1980, 1, 1), ethnicity="Kinh")
    return [MemberRegistered(member_id=M, organization_id=A, full_name="An", sex="male", date_of_birth=date(1980, 1, 1),
                             status="probationary", profile=profile, effective_from=date(2025, 1, 1)),
            MemberOfficialStatusGranted(member_id=M, organization_id=A, decision_date=date(2026, 1, 5),
                                        effective_from=date(2026, 1, 1)),
            MemberTransferred(member_id=M, from_organization_id=A, to_organization_id=B, effective_from=date(2026, 3, 15)),
            MembershipEnded(member_id=M, organization_id=B, reason="exited", effective_from=date(2026, 6, 1))]


def test_a_members_spans_follow_status_and_cell_and_end_with_the_membership():
    rows = [(r["valid_from"], r["valid_to"], r["org_id"], r["status"]) for r in spans(M, _history())]
    assert rows == [(date(2025, 1, 1), date(2026, 1, 1), str(A), "probationary"),
                    (date(2026, 1, 1), date(2026, 3, 15), str(A), "official"),
                    (date(2026, 3, 15), date(2026, 6, 1), str(B), "official")]


def test_a_members_spans_do_not_depend_on_the_order_the_events_arrive_in():
    expected = spans(M, _history())
    for order in itertools.permutations(_history()):
        assert spans(M, list(order)) == expected


def test_a_transfer_out_of_the_province_and_a_registration_the_same_day_leave_no_span():
    registered = _history()[0]
    out = MemberTransferred(member_id=M, from_organization_id=A, to_organization_id=None,
                            effective_from=registered.effective_from)
    assert spans(M, [out, registered]) == []


def test_a_range_is_cut_on_the_day_the_tree_changed_and_along_today_s_tree_it_is_one_piece():
    parents = {"x": [(date(2020, 1, 1), "bloc"), (date(2025, 3, 1), "n1")], "bloc": [(date(2020, 1, 1), "p")],
               "n1": [(date(2025, 3, 1), "p")]}
    pieces = segments(parents, ["bloc", "n1"], date(2025, 1, 1), date(2025, 12, 31))
    assert [(first, last, under["bloc"], under["n1"]) for first, last, under in pieces] == [
        (date(2025, 1, 1), date(2025, 2, 28), frozenset({"bloc", "x"}), frozenset({"n1"})),
        (date(2025, 3, 1), date(2025, 12, 31), frozenset({"bloc"}), frozenset({"n1", "x"}))]
    [(first, last, under)] = segments(parents, ["bloc", "n1"], date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1))
    assert (first, last, under["n1"]) == (date(2025, 1, 1), date(2025, 12, 31), frozenset({"n1", "x"}))


def test_a_change_on_the_first_day_of_a_range_does_not_cut_it():
    parents = {"x": [(date(2020, 1, 1), "bloc"), (date(2025, 3, 1), "n1")]}
    assert len(segments(parents, ["n1"], date(2025, 3, 1), date(2025, 3, 31))) == 1
    assert len(segments(parents, ["n1"], date(2025, 2, 28), date(2025, 3, 31))) == 2


def test_a_kept_tree_derives_each_subtree_once_per_interval_and_answers_as_a_fresh_walk():
    parents = {"x": [(date(2020, 1, 1), "bloc"), (date(2025, 3, 1), "n1")], "y": [(date(2025, 6, 10), "x")],
               "z": [(date(2020, 1, 1), "n1"), (date(2025, 9, 1), None)], "bloc": [(date(2020, 1, 1), "p")],
               "n1": [(date(2025, 3, 1), "p")]}
    kept, days = Tree(parents), [date(2024, 12, 31), *(date(2025, m, d) for m in range(1, 13) for d in (1, 9, 10, 28))]
    for first, last in itertools.combinations_with_replacement(days, 2):
        for roots in (["p"], ["bloc", "n1"], ["x"]):
            firsts = [first, *sorted({d for history in parents.values() for d, _ in history if first < d <= last})]
            fresh = [(f, firsts[i + 1] - timedelta(days=1) if i + 1 < len(firsts) else last,
                      {r: subtree(children_on(parents, f), r) for r in roots}) for i, f in enumerate(firsts)]
            assert kept.segments(roots, first, last) == fresh, (first, last, roots)
        assert kept.segments(["n1"], first, last, date(2026, 1, 1)) == [
            (first, last, {"n1": subtree(children_on(parents, date(2026, 1, 1)), "n1")})]
    # December, the fourth quarter and the year share the interval from 1 September: one derived set, not three
    decembers = {id(kept.segments(["p"], *period_range(label))[-1][2]["p"]) for label in ("2025-12", "2025-Q4", "2025")}
    assert len(decembers) == 1
    assert kept.subtree_on(date(2025, 9, 1), "n1") == frozenset({"n1", "x", "y"})  # z left the tree that day


def test_periods_span_their_first_to_last_day():
    assert period_range("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_range("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_range("2026") == (date(2026, 1, 1), date(2026, 12, 31))
