"""HR change events through a real nats-server: HrEmployeeChanged on HR_V1 updates the employment data,
recomputes the fee and raises a task for the member's cell (once, however often it is delivered);
an unknown change type is dead-lettered, never dropped."""
from __future__ import annotations

import json
import uuid
from datetime import date

import httpx
import nats
from nats.errors import TimeoutError as NatsTimeout
from sqlmodel import Session, select

from members import finance_models
from members.models import MemberPlacement
from members.bootstrap import create_app
from shared.events import HrEmployeeChanged
from shared.subjects import DEADLETTER_STREAM, HR_EMPLOYEE_CHANGED, HR_STREAM

from tests.waiting import eventually


def give_job(engine, member_id):
    with Session(engine) as s:
        s.add(finance_models.Employment(member_id=member_id, valid_from=date(2026, 1, 1), hr_employee_id="NS-0001",
                                        unit="Văn phòng Tỉnh ủy", position="Chuyên viên",
                                        insured_salary_vnd=8_000_000, source="manual"))
        s.commit()


async def get_json(client, url, headers, **params):
    response = await client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_move_reported_by_hr_raises_a_task_for_the_cell_and_recomputes_the_fee(
        nats_url, settings_for, tree, engine, auth):
    give_job(engine, tree.member)
    app = create_app(settings_for(nats_url=nats_url, start_consumers=True))
    headers = auth("committee", tree.committee)
    event = HrEmployeeChanged(hr_employee_id="NS-0001", change="moved", new_unit="Sở Tài chính",
                              insured_salary_vnd=10_000_000, effective_from=date(2026, 10, 1))
    async with app.router.lifespan_context(app):
        await eventually(lambda: _ready(app), what="the consumers")
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        for _ in range(2):  # delivered twice (no Nats-Msg-Id): the inbox makes the second a no-op
            await js.publish(HR_EMPLOYEE_CHANGED, event.model_dump_json().encode(), stream=HR_STREAM.name)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://members") as client:
            async def task_listed():
                body = await get_json(client, "/members/api/hr/tasks", headers, organization_id=str(tree.committee))
                return body if body["count"] else None

            tasks = await eventually(task_listed, what="the HR task")
            dues = await get_json(client, "/members/api/fees/dues", headers, organization_id=str(tree.cell),
                                  month="2026-11-01")
            october = await get_json(client, "/members/api/fees/dues", headers, organization_id=str(tree.cell),
                                     month="2026-10-01")
            await js.publish(HR_EMPLOYEE_CHANGED, event.model_dump_json().encode(), stream=HR_STREAM.name)
            await eventually(lambda: _all_acked(js, 3), what="the third delivery acknowledged")
            again = await get_json(client, "/members/api/hr/tasks", headers, organization_id=str(tree.committee))
        await nc.close()
    [task] = tasks["items"]
    assert task["message_vi"] == ("Hệ thống nhân sự báo Nguyễn Thị Lan chuyển sang đơn vị Sở Tài chính — "
                                  "bắt đầu chuyển sinh hoạt đảng?")
    assert task["organization_id"] == str(tree.cell) and task["change"] == "moved"
    assert dues["items"][0]["due_vnd"] == 100_000  # 1 % of the new salary from the month after the change
    assert october["items"][0]["due_vnd"] == 80_000  # October still counts September's salary
    assert again["count"] == 1
    with Session(engine) as s:  # party membership itself did not move
        placements = s.exec(select(MemberPlacement).where(MemberPlacement.member_id == tree.member)).all()
    assert [(p.organization_id, p.valid_to) for p in placements] == [(tree.cell, None)]


async def test_an_unknown_hr_change_type_and_a_body_that_is_not_json_land_in_the_dead_letter_stream(
        nats_url, settings_for, tree, engine):
    app = create_app(settings_for(nats_url=nats_url, start_consumers=True))
    body = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-11-01T00:00:00Z", "hr_employee_id": "NS-0001",
            "change": "promoted", "effective_from": "2026-11-01"}
    async with app.router.lifespan_context(app):
        await eventually(lambda: _ready(app), what="the consumers")
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await js.publish(HR_EMPLOYEE_CHANGED, json.dumps(body).encode(), stream=HR_STREAM.name)
        await js.publish(HR_EMPLOYEE_CHANGED, b"<employee moved/>", stream=HR_STREAM.name)
        sub = await js.pull_subscribe(f"deadletter.members-hr-v1.{HR_EMPLOYEE_CHANGED}", stream=DEADLETTER_STREAM.name)
        received = []

        async def both_dead_lettered():
            try:
                received.extend(await sub.fetch(2, timeout=0.5))
            except NatsTimeout:
                pass
            return len(received) >= 2

        await eventually(both_dead_lettered, what="the two dead-lettered HR messages")
        await nc.close()
    unknown, not_json = received
    assert json.loads(unknown.data)["change"] == "promoted" and not_json.data == b"<employee moved/>"
    for message in received:
        assert message.headers["Chibo-Consumer"] == "members-hr-v1" and "malformed" in message.headers["Chibo-Error"]


async def _ready(app):
    runtime = app.state.runtime
    return runtime.nats_ready.is_set() and any(c.spec.durable == "members-hr-v1" for c in runtime.consumers)


async def _all_acked(js, messages: int) -> bool:
    info = await js.consumer_info(HR_STREAM.name, "members-hr-v1")
    return info.ack_floor.stream_seq >= messages and info.num_ack_pending == 0
