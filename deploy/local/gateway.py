"""The development gateway: one URL for the three services, like nginx in compose.

``/members/*``, ``/meetings/*`` and ``/reports/*`` go unchanged (no path
stripping) to the matching upstream; ``/`` redirects to ``/reports/``. A plain
ASGI app over an ``httpx.AsyncClient``: responses are relayed chunk by chunk,
so server-sent events stream through without buffering, and the upstream
request is closed as soon as the browser goes away.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from http.cookiejar import CookieJar, DefaultCookiePolicy
from collections.abc import Mapping

import httpx

HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"proxy-authenticate", b"proxy-authorization",
              b"te", b"trailer", b"transfer-encoding", b"upgrade", b"content-length"}
CORRELATION = b"x-correlation-id"
PLAIN_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
STREAM_TIMEOUT = httpx.Timeout(60.0, connect=5.0, read=None)  # SSE may stay quiet for long


class Gateway:
    """ASGI app: ``Gateway({"members": "http://127.0.0.1:8101", ...})``."""

    def __init__(self, upstreams: Mapping[str, str]) -> None:
        self.upstreams = {name: url.rstrip("/") for name, url in upstreams.items()}
        self.client: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self.client is None:
            limits = httpx.Limits(max_connections=1000, max_keepalive_connections=50)
            # A proxy must never remember cookies: one shared jar would hand one user's session to the next.
            no_jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
            self.client = httpx.AsyncClient(limits=limits, follow_redirects=False, trust_env=False, cookies=no_jar)
        return self.client

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] != "http":
            return  # websockets are not used by the services
        elif scope["path"] == "/":
            await _reply(send, 302, b"", [(b"location", b"/reports/")])
        elif (upstream := self.upstreams.get(scope["path"].split("/")[1])) is None:
            await _json(send, 404, "Không có trang này", "Not found")
        else:
            await self._proxy(scope, receive, send, upstream)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _proxy(self, scope, receive, send, upstream: str) -> None:
        body = await _read_body(receive)
        headers = _request_headers(scope)
        streaming = any(k == b"accept" and b"text/event-stream" in v for k, v in headers)
        path = scope.get("raw_path") or scope["path"].encode()
        url = upstream + path.decode("latin-1") + ("?" + scope["query_string"].decode("latin-1")
                                                    if scope["query_string"] else "")
        request = self._client().build_request(scope["method"], url, headers=headers, content=body,
                                               timeout=STREAM_TIMEOUT if streaming else PLAIN_TIMEOUT)
        try:
            response = await self._client().send(request, stream=True)
        except httpx.HTTPError:
            await _json(send, 502, "Dịch vụ tạm thời không phản hồi, vui lòng thử lại",
                        "The service is not answering right now, please retry")
            return
        try:
            await _relay_until_disconnect(response, receive, send)
        finally:
            await response.aclose()


async def _relay_until_disconnect(response: httpx.Response, receive, send) -> None:
    """Copy the upstream response; stop (and drop the upstream) when the client disconnects."""
    headers = [(k.lower(), v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
    if (length := response.headers.get("content-length")) is not None:
        headers.append((b"content-length", length.encode()))

    async def pump() -> None:
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(disconnected())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if tasks[0] in done and not tasks[0].cancelled() and (exc := tasks[0].exception()) is not None:
        if not isinstance(exc, (OSError, httpx.HTTPError)):  # a vanished client or upstream ends the stream
            raise exc


def _request_headers(scope) -> list[tuple[bytes, bytes]]:
    headers = [(k, v) for k, v in scope["headers"] if k not in HOP_BY_HOP]
    names = {k for k, _ in headers}
    client = (scope.get("client") or ("", 0))[0]
    forwarded_for = b", ".join([v for k, v in headers if k == b"x-forwarded-for"] + [client.encode()])
    headers = [(k, v) for k, v in headers if k != b"x-forwarded-for"]
    headers += [(b"x-forwarded-for", forwarded_for), (b"x-forwarded-proto", scope.get("scheme", "http").encode())]
    if b"host" in names:
        headers.append((b"x-forwarded-host", dict(headers)[b"host"]))
    if CORRELATION not in names:
        headers.append((CORRELATION, uuid.uuid4().hex.encode()))
    return headers


async def _read_body(receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _reply(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    with contextlib.suppress(OSError):
        await send({"type": "http.response.body", "body": body})


async def _json(send, status: int, vi: str, en: str) -> None:
    body = json.dumps({"detail": f"{vi} / {en}", "msg_vi": vi, "msg_en": en}, ensure_ascii=False).encode()
    await _reply(send, status, body, [(b"content-type", b"application/json; charset=utf-8")])
