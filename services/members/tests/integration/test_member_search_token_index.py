"""The name-token index behind member search (migration 0004): it gives exactly the hits, order and total of a
scan of every name key, and follows the member through registration, rename, profile change and transfer; on
SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from members import models, search, usecases
from members.bootstrap import SERVICE_DIR
from members.domain import NewMember
from members.models import MemberNameToken, NameWord
from shared import clock
from shared.auth import Principal
from shared.db import make_engine, migrate
from shared.uow import UnitOfWork

FROM = date(2026, 1, 1)  # as in the fixtures
NAMES = ["Nguyễn Văn An", "Nguyễn Văn Anh Đức", "Nguyễn Thị Lan", "Trần Thị Thanh Lan", "Lê Văn Thành",
         "Phạm Đức Thắng", "Hoàng Thị Oanh", "Đặng Văn Quang", "Nguyễn An Khánh", "Lan Văn Nguyễn",
         "Bùi Thị An", "Võ Thanh An", "Đỗ Hoàng Anh", "Ngô Thị Ngân", "Trịnh Văn Giang", "Hà An An",
         "Nguyễn Văn An", "Trương Văn Chuyển"]
QUERIES = ["an", "a", "n", "nguyen", "guyen van", "n v", "van a", "an k", "thi lan", "lan", "thanh", "h", "oanh",
           "nguyen van an", "an an", "zz", "đuc", "Đức", "van", "anh duc", "i"]


def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine, models.outbox)


def register(engine, org, name: str, n: int, status: str = "official", born: date = date(1980, 5, 1)) -> uuid.UUID:
    member, _ = usecases.register_member(uow(engine), NewMember(
        full_name=name, sex="male", date_of_birth=born, status=status, organization_id=org, effective_from=FROM,
        cccd=f"02518001{n:04d}"), None)
    return member.id


def tokens_of(engine, member_id: uuid.UUID) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(MemberNameToken.token, MemberNameToken.search_name)
            .where(MemberNameToken.member_id == member_id).order_by(MemberNameToken.token))]


def both_ways(engine, principal: Principal, f: search.MemberFilters, monkeypatch):
    """The answer with the token index and the answer of the scan of every name key (the path before 0004)."""
    with monkeypatch.context() as m:
        used = []
        real = search._token_plan
        m.setattr(search, "_token_plan", lambda conn, q: used.append(real(conn, q)) or used[-1])
        indexed = search.search_members(uow(engine), principal, f)
    with monkeypatch.context() as m:
        m.setattr(search, "_token_plan", lambda conn, q: None)
        scanned = search.search_members(uow(engine), principal, f)
    return indexed, scanned, used


def test_the_token_index_gives_the_hits_order_and_total_of_a_scan_of_every_name(engine, tree, monkeypatch):
    for n, name in enumerate(NAMES):
        register(engine, [tree.cell, tree.other_cell][n % 2], name, n, status=("official", "probationary")[n % 3 == 0])
    province = Principal("tinhuy", "province", tree.province)
    committee = Principal("dangbo", "committee", tree.committee)
    took_the_index = 0
    for q in QUERIES:
        for principal in (province, committee):
            for f in (search.MemberFilters(q=q), search.MemberFilters(q=q, limit=2, offset=1),
                      search.MemberFilters(q=q, status="official"),
                      search.MemberFilters(q=q, sector="state_enterprise", offset=0, limit=3),
                      search.MemberFilters(q=q, cell_id=tree.committee)):
                indexed, scanned, used = both_ways(engine, principal, f, monkeypatch)
                assert indexed == scanned, (q, principal.role, f)
                took_the_index += any(plan is not None and plan[0] for plan in used)
    assert took_the_index == 40  # a name alone in the whole province: 20 strings (not "zz") × 2 pages
    hits, total = search.search_members(uow(engine), province, search.MemberFilters(q="nguyen van an"))
    assert [h.full_name for h in hits] == ["Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Văn Anh Đức"] and total == 3
    assert search.search_members(uow(engine), province, search.MemberFilters(q="zz")) == ([], 0)


def test_a_word_borne_by_too_many_members_is_searched_by_the_scan_with_the_same_answer(engine, tree, monkeypatch):
    for n, name in enumerate(NAMES):
        register(engine, tree.cell, name, n)
    province = Principal("tinhuy", "province", tree.province)
    monkeypatch.setattr(search, "TOKEN_POSTINGS_CAP", 3)  # "nguyen" (5 members) is too common, "khanh" is not
    with uow(engine) as u:
        assert search._token_plan(u.session.connection(), "nguyen") is None
        assert search._token_plan(u.session.connection(), "nguyen an khanh") == (["khanh"], 1)
    for q in ("nguyen", "nguyen an khanh", "an", "van an"):
        indexed, scanned, _ = both_ways(engine, province, search.MemberFilters(q=q), monkeypatch)
        assert indexed == scanned


def test_the_name_tokens_follow_a_rename_and_stay_through_other_profile_changes(engine, tree):
    assert tokens_of(engine, tree.member) == [("lan", "nguyen thi lan"), ("nguyen", "nguyen thi lan"),
                                              ("thi", "nguyen thi lan")]
    province = Principal("tinhuy", "province", tree.province)
    usecases.update_profile(uow(engine), tree.member, {"phone": "0912345678"}, province)
    assert [t for t, _ in tokens_of(engine, tree.member)] == ["lan", "nguyen", "thi"]
    usecases.update_profile(uow(engine), tree.member, {"full_name": "Trần  Thị Lan"}, province)
    assert tokens_of(engine, tree.member) == [("lan", "tran thi lan"), ("thi", "tran thi lan"),
                                              ("tran", "tran thi lan")]
    assert search.search_members(uow(engine), province, search.MemberFilters(q="nguyen"))[1] == 0
    hits, total = search.search_members(uow(engine), province, search.MemberFilters(q="tran thi"))
    assert [h.id for h in hits] == [tree.member] and total == 1
    with engine.connect() as conn:  # the vocabulary keeps the old word: it finds nobody
        assert "nguyen" in set(conn.execute(select(NameWord.word)).scalars())


def test_a_member_transferred_to_another_cell_is_found_by_name_in_the_new_subtree_only(engine, tree):
    others = [register(engine, tree.cell, f"Nguyễn Văn Cùng {n}", 100 + n) for n in range(2)]
    moving = register(engine, tree.cell, "Trương Văn Chuyển", 99)
    province, today = Principal("tinhuy", "province", tree.province), clock.today()
    committee = Principal("dangbo", "committee", tree.committee)
    other_committee = Principal("ubnd", "committee", tree.other_committee)
    assert search.search_members(uow(engine), committee, search.MemberFilters(q="van"))[1] == 3
    usecases.issue_transfer(uow(engine), moving, today, province, to_organization_id=tree.other_cell, today=today)
    usecases.receive_transfer(uow(engine), moving, today, province, today=today)
    hits, total = search.search_members(uow(engine), committee, search.MemberFilters(q="van"))
    assert sorted(h.id for h in hits) == sorted(others) and total == 2
    hits, total = search.search_members(uow(engine), other_committee, search.MemberFilters(q="truong van"))
    assert [(h.id, h.organization_id) for h in hits] == [(moving, tree.other_cell)] and total == 1
    assert tokens_of(engine, moving) == [("chuyen", "truong van chuyen"), ("truong", "truong van chuyen"),
                                         ("van", "truong van chuyen")]


def test_the_migration_indexes_the_names_of_members_already_there(database_url):
    cfg = Config(str(SERVICE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(SERVICE_DIR / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "0003_ui")
    engine = make_engine(database_url)
    try:
        member_id = uuid.uuid4()
        with engine.begin() as conn:
            conn.execute(sa.insert(models.Member.__table__).values(
                id=member_id, full_name="Hồ Thị Hà", search_name="ho thi ha", sex="female",
                date_of_birth=date(1990, 1, 1), status="official", readmissions=0, created_at=datetime.now(timezone.utc)))
        migrate(SERVICE_DIR, database_url)
        assert tokens_of(engine, member_id) == [("ha", "ho thi ha"), ("ho", "ho thi ha"), ("thi", "ho thi ha")]
        with engine.connect() as conn:
            assert set(conn.execute(select(NameWord.word)).scalars()) == {"ha", "ho", "thi"}
    finally:
        engine.dispose()


def test_filters_without_text_give_the_total_on_every_page_and_past_the_last_one(engine, tree):
    ids = [register(engine, tree.other_cell, name, n, status="probationary") for n, name in enumerate(NAMES[:7])]
    register(engine, tree.cell, "Phan Văn Khác", 50, status="probationary")  # another sector
    province = Principal("tinhuy", "province", tree.province)
    by_name = [h.id for h in search.search_members(uow(engine), province, search.MemberFilters(
        status="probationary", sector="state_enterprise", limit=200))[0]]
    assert sorted(by_name) == sorted(ids)
    for offset in (0, 3, 6, 7, 50):
        hits, total = search.search_members(uow(engine), province, search.MemberFilters(
            status="probationary", sector="state_enterprise", offset=offset, limit=3))
        assert [h.id for h in hits] == by_name[offset:offset + 3] and total == 7


def test_a_member_back_from_another_province_under_a_new_name_is_found_by_it_only(engine, tree):
    province = Principal("tinhuy", "province", tree.province)
    usecases.issue_transfer(uow(engine), tree.member, date(2026, 3, 2), province, destination="Tỉnh ủy Yên Bái",
                            today=date(2026, 3, 5))
    back = usecases.receive_transfer_in(uow(engine), NewMember(
        full_name="Lò Thị Lan", sex="female", date_of_birth=date(1985, 3, 8), status="official",
        organization_id=tree.other_cell, effective_from=date(2026, 8, 1), cccd="025185000001"),
        "Tỉnh ủy Yên Bái", province, today=date(2026, 9, 1))
    assert back.entity.id == tree.member  # the same record, renamed
    assert tokens_of(engine, tree.member) == [("lan", "lo thi lan"), ("lo", "lo thi lan"), ("thi", "lo thi lan")]
    hits, total = search.search_members(uow(engine), province, search.MemberFilters(q="lo thi"))
    assert [h.id for h in hits] == [tree.member] and total == 1
    assert search.search_members(uow(engine), province, search.MemberFilters(q="nguyen thi")) == ([], 0)
