"""HrEmployeeChanged applied by the members-hr-v1 handler (no broker: the handler's use case on both databases)."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from members import finance_models, models
from members.hr_usecases import apply_hr_events
from shared.consumer import Envelope
from shared.events import HrEmployeeChanged

from .test_hr_events_on_nats import give_job


def envelope(event, seq=1) -> Envelope:
    return Envelope(event, event.subject, None, 1, seq)


def jobs(engine, member_id):
    with Session(engine) as s:
        return s.exec(select(finance_models.Employment).where(finance_models.Employment.member_id == member_id)
                      .order_by(finance_models.Employment.valid_from)).all()


def tasks(engine):
    with Session(engine) as s:
        return s.exec(select(finance_models.HrTask)).all()


def test_a_salary_change_updates_the_salary_from_its_date_and_raises_no_task(tree, engine):
    give_job(engine, tree.member)
    event = HrEmployeeChanged(hr_employee_id="NS-0001", change="salary_changed", insured_salary_vnd=9_100_000,
                              effective_from=date(2026, 7, 1))
    assert apply_hr_events(engine, models.outbox, [envelope(event)]) == 1
    assert [(j.valid_from, j.insured_salary_vnd, j.unit) for j in jobs(engine, tree.member)] == [
        (date(2026, 1, 1), 8_000_000, "Văn phòng Tỉnh ủy"), (date(2026, 7, 1), 9_100_000, "Văn phòng Tỉnh ủy")]
    assert tasks(engine) == []


def test_a_retirement_moves_the_fee_to_the_pension_and_asks_the_cell_about_a_transfer(tree, engine, client, auth):
    give_job(engine, tree.member)
    event = HrEmployeeChanged(hr_employee_id="NS-0001", change="retired", pension_vnd=6_000_000,
                              effective_from=date(2026, 8, 1))
    apply_hr_events(engine, models.outbox, [envelope(event)])
    latest = jobs(engine, tree.member)[-1]
    assert (latest.status, latest.insured_salary_vnd, latest.pension_vnd) == ("retired", None, 6_000_000)
    [task] = tasks(engine)
    assert task.change == "retired" and "nghỉ hưu" in task.message_vi and task.organization_id == tree.cell
    dues = client.get("/members/api/fees/dues", headers=auth("secretary", tree.cell),
                      params={"organization_id": str(tree.cell), "month": "2026-09-01"}).json()
    assert (dues["items"][0]["due_vnd"], dues["items"][0]["basis"]) == (30_000, "pension")


def test_an_employee_matched_by_cccd_only_gets_the_hr_id_recorded(tree, engine):
    event = HrEmployeeChanged(hr_employee_id="NS-7777", cccd="025185000001", change="moved", new_unit="Sở Y tế",
                              effective_from=date(2026, 6, 1))
    apply_hr_events(engine, models.outbox, [envelope(event)])
    [job] = jobs(engine, tree.member)
    assert (job.hr_employee_id, job.unit) == ("NS-7777", "Sở Y tế")


def test_an_employee_who_is_not_a_party_member_is_skipped_without_error(tree, engine, rows):
    before = rows(engine)
    event = HrEmployeeChanged(hr_employee_id="NS-9999", cccd="001099000001", change="moved", new_unit="Sở Y tế",
                              effective_from=date(2026, 6, 1))
    assert apply_hr_events(engine, models.outbox, [envelope(event)]) == 0
    assert rows(engine) == before and tasks(engine) == []


def test_the_same_event_twice_in_two_batches_raises_one_task(tree, engine):
    give_job(engine, tree.member)
    event = HrEmployeeChanged(hr_employee_id="NS-0001", change="deceased", effective_from=date(2026, 9, 1))
    apply_hr_events(engine, models.outbox, [envelope(event)])
    apply_hr_events(engine, models.outbox, [envelope(event, 2)])
    assert len(tasks(engine)) == 1 and len(jobs(engine, tree.member)) == 2


def test_a_secretary_of_another_cell_cannot_list_this_cells_hr_tasks(tree, client, auth):
    response = client.get("/members/api/hr/tasks", headers=auth("secretary", tree.other_cell),
                          params={"organization_id": str(tree.cell)})
    assert response.status_code == 403


def test_the_cell_closes_an_hr_task_and_it_leaves_the_open_list(tree, engine, client, auth):
    give_job(engine, tree.member)
    apply_hr_events(engine, models.outbox, [envelope(HrEmployeeChanged(
        hr_employee_id="NS-0001", change="moved", new_unit="Sở Y tế", effective_from=date(2026, 6, 1)))])
    headers = auth("secretary", tree.cell)
    [task] = client.get("/members/api/hr/tasks", headers=headers, params={"organization_id": str(tree.cell)}).json()["items"]
    assert client.post(f"/members/api/hr/tasks/{task['id']}/close", headers=auth("secretary", tree.other_cell)
                       ).status_code == 403
    closed = client.post(f"/members/api/hr/tasks/{task['id']}/close", headers=headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["full_name"] == "Nguyễn Thị Lan"
    assert client.get("/members/api/hr/tasks", headers=headers, params={"organization_id": str(tree.cell)}).json()[
        "count"] == 0
    again = client.post(f"/members/api/hr/tasks/{task['id']}/close", headers=headers)
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "task_id"
