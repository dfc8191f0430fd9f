"""SSE clients that go away leave nothing behind: the hub's subscriber count returns to zero."""
import contextlib

import httpx

from shared.auth import COOKIE_NAME
from shared.consumer import Envelope
from reports.bootstrap import create_app
from reports.subscribers import project_and_push
from tests.waiting import eventually




async def test_dashboard_stream_clients_that_disconnect_leave_no_subscriber_behind(reports_settings, ev, serve, sse,
                                                                                    bearer):
    app = create_app(reports_settings)
    hub = app.state.hub
    async with serve(app) as base:
        await project_and_push(app.state.runtime, hub, [Envelope(e, e.subject, None, 1, n)
                                                        for n, e in enumerate(ev.tree(), 1)])
        readers = []  # kept: an abandoned line iterator would close its connection
        async with contextlib.AsyncExitStack() as stack:
            for slug, role in (("tinh", "province"), ("sogd", "committee"), ("phongtc", "secretary")):
                token = bearer(slug, role)["Authorization"][7:]
                http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=20,
                                                                         cookies={COOKIE_NAME: token}))
                response = await stack.enter_async_context(http.stream("GET", "/reports/api/stream"))
                readers.append(response.aiter_lines())
                await sse(readers[-1], want=": connected")
            assert len(hub) == 3
        await eventually(lambda: len(hub) == 0)  # every connection closed by the client, none kept
