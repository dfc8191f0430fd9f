from reports.hub import FiguresHub

CELL, COMMITTEE, PROVINCE = "cell", "committee", "province"
CELL_LINEAGE = frozenset({CELL, COMMITTEE, PROVINCE})


def figures(org, period="2026-03", **extra):
    return {"org_id": org, "period": period, **extra}


async def drain(subscription):
    out = []
    while len(subscription):
        out.append(await subscription.next(1))
    return out


async def test_a_client_receives_only_figures_of_orgs_inside_its_subtree():
    hub = FiguresHub()
    cell, committee = hub.subscribe(CELL), hub.subscribe(COMMITTEE)
    hub.deliver([(CELL_LINEAGE, figures(CELL)), (frozenset({"other", COMMITTEE, PROVINCE}), figures("other"))])
    assert [f["org_id"] for f in await drain(cell)] == [CELL]
    assert sorted(f["org_id"] for f in await drain(committee)) == [CELL, "other"]


async def test_a_newer_figure_replaces_the_pending_one_for_the_same_org_and_period():
    hub = FiguresHub()
    client = hub.subscribe(CELL)
    hub.deliver([(CELL_LINEAGE, figures(CELL, meetings_held=1))])
    hub.deliver([(CELL_LINEAGE, figures(CELL, meetings_held=2)), (CELL_LINEAGE, figures(CELL, "2026"))])
    assert [(f["period"], f.get("meetings_held")) for f in await drain(client)] == [("2026-03", 2), ("2026", None)]


async def test_an_overflowing_burst_keeps_the_figures_closest_to_the_clients_own_org():
    hub = FiguresHub(queue_size=2)
    client = hub.subscribe(PROVINCE)
    burst = [(frozenset({f"cell{n}", COMMITTEE, PROVINCE}), figures(f"cell{n}")) for n in range(5)]
    hub.deliver([(frozenset({PROVINCE}), figures(PROVINCE)), *burst, (frozenset({COMMITTEE, PROVINCE}), figures(COMMITTEE))])
    assert [f["org_id"] for f in await drain(client)] == [COMMITTEE, PROVINCE]


async def test_a_client_with_nothing_pending_gets_none_after_the_heartbeat_interval():
    assert await FiguresHub().subscribe(CELL).next(0.01) is None


def test_unsubscribing_leaves_nothing_behind():
    hub = FiguresHub()
    hub.unsubscribe(hub.subscribe(CELL))
    assert len(hub) == 0
