"""``make run``: the whole system on this machine, one URL, no Docker.

``python -m deploy.local.run [--port 8000] [--host 127.0.0.1] [--no-demo] [--var-dir var]``
starts nats-server (JetStream, data in var/nats) unless ``NATS_URL`` is set,
migrates and starts members, meetings and reports (SQLite files in var/ unless
``<SVC>_DATABASE_URL`` is set), serves them behind one gateway, and on the first
run loads the demo province (``--no-demo`` or ``CHIBO_DEMO=0`` skip it). Logs go
to var/log/<name>.log. Ctrl-C (or SIGTERM) stops every child; the data stays.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import date
from pathlib import Path

from deploy.local import demo
from deploy.local.procs import ROOT
from deploy.local.stack import Stack, say


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack(args.var_dir.resolve())
    for sig in (signal.SIGINT, signal.SIGTERM):  # explicitly: a background start may have SIGINT ignored
        signal.signal(sig, _interrupt)
    try:
        say("Đang khởi động Chibo… / Starting Chibo…")
        stack.start(args.host, args.port)
        url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{args.port}"
        if _demo_wanted(args) and not (stack.var / "demo-loaded").exists():
            _load_demo(stack, url)
        banner(url, demo_loaded=(stack.var / "demo-loaded").exists())
        stack.watch()
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # noqa: BLE001 — the runner reports any failure and stops what it started
        say(f"LỖI / ERROR: {exc}")
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # stop in order, even if Ctrl-C is pressed again
        say("Đang dừng… / Stopping…")
        stack.stop()
        say("Đã dừng. / Stopped.")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.run",
                                     description="Chạy Chibo trên máy này / Run Chibo on this machine")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHIBO_PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("CHIBO_HOST", "127.0.0.1"))
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo province (also CHIBO_DEMO=0)")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var", help="data and logs (default: var/)")
    return parser.parse_args(argv)


def _demo_wanted(args: argparse.Namespace) -> bool:
    return not args.no_demo and os.environ.get("CHIBO_DEMO", "1").strip().lower() not in ("0", "false", "no", "off")


def _load_demo(stack: Stack, url: str) -> None:
    say("Đang nạp dữ liệu mẫu (lần chạy đầu)… / Loading the demo data (first run)…")
    members = next(s for s in stack.services if s.name == "members")
    demo.load_province(members.env, stack.logs / "demo.log")
    count = demo.record_meetings(url, date.today())
    demo.write_marker(stack.var / "demo-loaded", count)
    say(f"  ✓ demo      {count} cuộc sinh hoạt chi bộ đã ghi / cell meetings recorded")


def banner(url: str, *, demo_loaded: bool) -> None:
    lines = ["", f"Chibo đang chạy tại / Chibo is running at:  {url}/"]
    if demo_loaded:
        lines.append(f"Tài khoản thử, mật khẩu / Demo logins, password: {demo.DEMO_PASSWORD}")
        lines += [f"  {user:<8} {role}" for user, role in demo.DEMO_LOGINS]
    lines += ["Nhấn Ctrl-C để dừng (dữ liệu được giữ lại) / Press Ctrl-C to stop (data is kept).", ""]
    say("\n".join(lines))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
