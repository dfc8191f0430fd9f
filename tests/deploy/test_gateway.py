"""The development gateway (deploy/local/gateway.py) between a real client and a
real upstream, both under uvicorn: paths unchanged, headers both ways, SSE
relayed chunk by chunk, upstream released when the browser goes away."""
from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from deploy.local.gateway import Gateway
from deploy.local.procs import free_port


class Upstream:
    """A stand-in for a service: echoes requests, streams events on demand."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.stream_closed = threading.Event()
        self.app = FastAPI()
        self.app.add_api_route("/members/{rest:path}", self.echo, methods=["GET", "POST"])
        self.app.add_api_route("/reports/api/stream", self.stream)

    async def echo(self, request: Request) -> JSONResponse:
        body = (await request.body()).decode()
        response = JSONResponse({"path": request.url.path, "query": request.url.query, "body": body,
                                 "cookies": request.cookies, "host": request.headers.get("host"),
                                 "correlation_id": request.headers.get("x-correlation-id")})
        response.set_cookie("chibo_token", "t", httponly=True)
        response.set_cookie("other", "o")
        return response

    async def stream(self) -> StreamingResponse:
        async def events():
            try:
                yield "event: figures\ndata: 1\n\n"
                # the second event waits until the client has seen the first
                await asyncio.to_thread(self.release.wait, 10)
                yield "event: figures\ndata: 2\n\n"
                await asyncio.Event().wait()  # open until the client goes: Starlette cancels us on disconnect
            finally:
                self.stream_closed.set()

        return StreamingResponse(events(), media_type="text/event-stream")


def serve(app, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    return server


@pytest.fixture(scope="module")
def stack():
    upstream, up_port, gw_port = Upstream(), free_port(), free_port()
    missing = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    servers = [serve(upstream.app, up_port),
               serve(Gateway({"members": f"http://127.0.0.1:{up_port}", "reports": f"http://127.0.0.1:{up_port}",
                              "meetings": missing}), gw_port)]
    yield upstream, f"http://127.0.0.1:{gw_port}"
    for server in servers:
        server.should_exit = True


def test_paths_reach_the_service_unchanged_with_query_body_cookies_and_a_correlation_id(stack):
    _, url = stack
    response = httpx.post(url + "/members/api/login?next=/reports/", content=b"username=tinhuy",
                          cookies={"chibo_token": "abc"}, headers={"X-Correlation-ID": "cid-42"})
    echoed = response.json()
    assert echoed["path"] == "/members/api/login" and echoed["query"] == "next=/reports/"
    assert echoed["body"] == "username=tinhuy" and echoed["cookies"] == {"chibo_token": "abc"}
    assert echoed["correlation_id"] == "cid-42" and echoed["host"] == url.removeprefix("http://")
    assert {c.name for c in response.cookies.jar} == {"chibo_token", "other"}  # both Set-Cookie headers survive


def test_the_gateway_never_hands_one_callers_session_cookie_to_another(stack):
    _, url = stack
    signed_in = httpx.post(url + "/members/api/login", cookies={"chibo_token": "first-user"})
    assert signed_in.cookies.get("chibo_token") == "t"  # the upstream set a session cookie for that caller
    anonymous = httpx.get(url + "/members/whoami").json()
    assert anonymous["cookies"] == {}


def test_a_request_without_correlation_id_gets_one(stack):
    _, url = stack
    assert httpx.get(url + "/members/x").json()["correlation_id"]


def test_the_root_redirects_to_the_dashboard_and_other_paths_are_not_found(stack):
    _, url = stack
    root = httpx.get(url + "/")
    assert (root.status_code, root.headers["location"]) == (302, "/reports/")
    missing = httpx.get(url + "/elsewhere")
    assert missing.status_code == 404 and missing.json()["msg_vi"] == "Không có trang này"


def test_a_service_that_does_not_answer_gives_a_bilingual_502(stack):
    _, url = stack
    response = httpx.get(url + "/meetings/api/rubrics")
    assert response.status_code == 502 and " / " in response.json()["detail"]


def test_server_sent_events_stream_through_without_buffering_and_release_the_upstream(stack):
    upstream, url = stack
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", url + "/reports/api/stream", headers={"Accept": "text/event-stream"}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            assert next(lines) == "event: figures" and next(lines) == "data: 1"
            upstream.release.set()  # had the gateway buffered, the first event would never have arrived
            assert [next(lines) for _ in range(3)] == ["", "event: figures", "data: 2"]
    assert upstream.stream_closed.wait(10), "the upstream stream stayed open after the client left"
