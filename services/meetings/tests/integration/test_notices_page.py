"""The member's notices page (/meetings/thong-bao) over HTTP: sign-in first, only one's own notices, newest first,
"Đã đọc" marks exactly one's own notice read."""
from __future__ import annotations

from sqlalchemy import select

from meetings.models import Notice

from .test_schedules import API, frozen, schedule  # noqa: F401  (frozen is a fixture)

PAGE = "/meetings/thong-bao"


async def test_the_notices_page_asks_a_visitor_to_sign_in(client):
    response = await client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/members/login?next=/meetings/thong-bao"


async def test_a_member_sees_only_their_notices_newest_first_and_marks_one_read(app, client, auth, world, frozen):
    created = (await client.post(f"{API}/schedules", json=schedule(world), headers=auth())).json()
    await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Hội trường B"}, headers=auth())
    for username, name in (("an", "Nguyễn Văn An"), ("binh", "Trần Thị Bình")):
        linked = await client.put(f"{API}/cells/{world.cell}/accounts/{username}",
                                  json={"member_id": str(world.members[name])}, headers=auth())
        assert linked.status_code == 204
    an = auth("member", world.cell, "an")
    page = (await client.get(PAGE, headers=an)).text
    assert "2 thông báo chưa đọc" in page and page.count('class="notice-card unread"') == 2
    assert page.index("Thay đổi lịch sinh hoạt thường kỳ") < page.index("Thông báo sinh hoạt thường kỳ")
    with app.state.runtime.engine.connect() as conn:
        mine = conn.execute(select(Notice.id).where(Notice.member_id == str(world.members["Nguyễn Văn An"]))
                            .order_by(Notice.created_at)).scalars().all()
        binhs = conn.execute(select(Notice.id).where(Notice.member_id == str(world.members["Trần Thị Bình"]))
                             ).scalars().all()
    assert (await client.post(f"{PAGE}/{binhs[0]}/da-doc", headers=an)).status_code == 404  # not hers
    done = await client.post(f"{PAGE}/{mine[0]}/da-doc", headers=an, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}#tb-{mine[0]}"
    after = (await client.get(PAGE, headers=an)).text
    assert "1 thông báo chưa đọc" in after and "✓ Đã đọc" in after
    with app.state.runtime.engine.connect() as conn:
        read = set(conn.execute(select(Notice.id).where(Notice.read_at.is_not(None))).scalars())
    assert read == {mine[0]}


async def test_an_account_not_linked_to_a_member_is_told_to_ask_the_secretary(client, auth, world):
    page = (await client.get(PAGE, headers=auth("member", world.cell, "moi"))).text
    assert "Chưa có thông báo nào" in page and "nhờ bí thư chi bộ gắn tài khoản" in page
