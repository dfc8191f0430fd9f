"""What ``make run`` starts and stops: nats-server (unless ``NATS_URL`` is set),
the three services as child processes (migrated first) and the gateway in a
thread of the runner, on one port bound before anything else starts."""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path

import uvicorn

from deploy.local.children import ChildFailed, ServiceProcess, child_popen_kwargs, stop_all, wait_until
from deploy.local.gateway import Gateway
from deploy.local.procs import SERVICES, NatsProcess

READY_TIMEOUT_S = 120.0


class GatewayThread:
    """The gateway under uvicorn in a thread of the runner, on a socket bound beforehand."""

    def __init__(self, sock: socket.socket, upstreams: dict[str, str], log_file: Path) -> None:
        self.socket = sock
        _log_to(log_file, "uvicorn")
        config = uvicorn.Config(Gateway(upstreams), log_config=None, lifespan="on", timeout_graceful_shutdown=2,
                                server_header=False, date_header=False)  # the upstream's headers pass through
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, name="gateway",
                                       daemon=True)

    def start(self) -> "GatewayThread":
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 15, "the gateway")
        if not self.server.started:
            raise ChildFailed("gateway", "did not start", None)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(10)
        self.socket.close()


class Stack:
    """nats-server, the three services and the gateway, started and stopped in order."""

    def __init__(self, var: Path) -> None:
        self.var, self.logs = var, var / "log"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.nats: NatsProcess | None = None
        self.services: list[ServiceProcess] = []
        self.gateway: GatewayThread | None = None

    def start(self, host: str, port: int) -> None:
        sock = _bind(host, port)  # first: a busy port fails before anything starts
        nats_url = os.environ.get("NATS_URL") or self._start_nats()
        self.services = [ServiceProcess(name, self._env(name, nats_url), self.logs / f"{name}.log")
                         for name in SERVICES]
        self._migrate()
        for service in self.services:
            service.start()
        upstreams = {s.name: s.url for s in self.services}
        self.gateway = GatewayThread(sock, upstreams, self.logs / "gateway.log").start()
        for service in self.services:
            wait_until(service.ready, READY_TIMEOUT_S, f"{service.name} to be ready", interval=0.1)
            say(f"  ✓ {service.name:<9} {service.url:<24} log: {_shown(service.log_file)}")

    def _start_nats(self) -> str:
        self.nats = NatsProcess(self.var / "nats", log_file=self.logs / "nats.log",
                                popen_kwargs=child_popen_kwargs()).start()
        say(f"  ✓ {'nats':<9} {self.nats.url:<24} log: {_shown(self.logs / 'nats.log')}")
        return self.nats.url

    def _env(self, name: str, nats_url: str) -> dict[str, str]:
        prefix = name.upper()
        return {"NATS_URL": nats_url, "CHIBO_ENV": os.environ.get("CHIBO_ENV", "development"),
                f"{prefix}_DATABASE_URL": os.environ.get(f"{prefix}_DATABASE_URL") or f"sqlite:///{self.var / name}.db",
                f"{prefix}_RUN_MIGRATIONS": "false"}  # the runner migrates first, below

    def _migrate(self) -> None:
        running = [(service, service.migrate()) for service in self.services]
        for service, proc in running:
            if proc.wait() != 0:
                raise ChildFailed(service.name, "migrations failed", service.log_file)

    def watch(self) -> None:
        """Block until a child dies (then raise) or the runner is interrupted."""
        def failed():
            dead = [s for s in self.services if s.proc is None or s.proc.poll() is not None]
            nats_dead = self.nats is not None and (self.nats.proc is None or self.nats.proc.poll() is not None)
            return dead or nats_dead or not self.gateway.thread.is_alive()

        wait_until(failed, float("inf"), "a child to exit", interval=0.5)
        for service in self.services:
            service.ready()  # raises with the dead child's log tail
        raise ChildFailed("nats-server" if self.gateway.thread.is_alive() else "gateway", "stopped", None)

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
        stop_all(self.services)
        if self.nats is not None:
            self.nats.stop()


def _bind(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        raise RuntimeError(f"không mở được cổng {host}:{port} ({exc.strerror}); chọn cổng khác bằng --port / "
                           f"cannot listen on {host}:{port} ({exc.strerror}); pick another with --port") from None


def say(text: str) -> None:
    with contextlib.suppress(OSError):  # a closed console must not stop the shutdown
        print(text, flush=True)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _log_to(path: Path, logger_name: str) -> None:
    logger = logging.getLogger(logger_name)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
