"""Results: ``<out>/<timestamp>.json``, ``latest.json`` and the ``latest.md`` table."""
from __future__ import annotations

import json
from pathlib import Path

from bench.national import markdown as national_markdown
from bench.rerate import markdown as rerate_markdown


def _ms(figures: dict) -> str:
    values = [figures.get(k) for k in ("p50", "p95", "p99")]
    return " / ".join("–" if v is None else f"{v:.0f}" for v in values)


def latency_table(steps: list[dict]) -> list[str]:
    lines = ["| rate /s | sent | errors | achieved /s | request p50/p95/p99 ms | 201→visible p50/p95/p99 ms "
             "| 201→rated p50/p95/p99 ms | sent→visible p50/p95/p99 ms | drain s | sustained |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for s in steps:
        lines.append(f"| {s['rate']:g} | {s['meetings']} | {s['errors']} | {s['achieved_rate']:.1f} "
                     f"| {_ms(s['request_ms'])} | {_ms(s['visible_ms'])} | {_ms(s['rated_ms'])} "
                     f"| {_ms(s['visible_from_send_ms'])} | {s['drain_s']:.2f} "
                     f"| {'yes' if s['sustained'] else 'no'} |")
    return lines


def replay_table(replay: dict) -> list[str]:
    lines = ["| stream | events | raw pull+ack ev/s | + decode ev/s | replay into projection ev/s |",
             "|---|---:|---:|---:|---:|"]
    raw, decoded, projected = replay["raw"], replay["decode_only"], replay["projection"]
    for name, figures in raw["streams"].items():
        lines.append(f"| {name} | {figures['events']} | {figures['events_per_s']:.0f} "
                     f"| {decoded['streams'][name]['events_per_s']:.0f} "
                     f"| {projected['streams'][name]['events_per_s']:.0f} |")
    lines.append(f"| **all** | {raw['events']} | {raw['events_per_s']:.0f} | {decoded['events_per_s']:.0f} "
                 f"| {projected['events_per_s']:.0f} |")
    return lines


def _top_step_held(latency: dict) -> bool:
    best = latency["max_sustained_rate"]
    return best is not None and best == max(s["rate"] for s in latency["steps"])


def markdown(result: dict) -> str:
    latency, replay = result["latency"], result["replay"]
    lines = [f"# Chibo bench — {result['started_at']} ({result['mode']})", "",
             f"{result['setup']['cells']} cells × {result['setup']['members_per_cell']} members; "
             f"{result['machine']['cpus']} CPUs; services on SQLite.", "",
             "## Latency: HTTP 201 → first SSE `figures` showing the meeting", "", *latency_table(latency["steps"]), "",
             f"{sum(s['shown_before_201'] for s in latency['steps'])} meetings were on the dashboard before their "
             "201 reached the client (counted as 0 ms 201→visible).", "",
             f"Highest sustained rate: **{latency['max_sustained_rate'] or 'none'}** meetings/s "
             "(p95 201→visible < 1 s, ≥90 % of the target rate, no errors, drained within 1 s)"
             + (" — the highest step tried: the limit may be higher." if _top_step_held(latency) else "."), "",
             f"## Replay (fetch {replay.get('fetch', '?')}, one transaction per batch)", "", *replay_table(replay), "",
             f"Replay / raw = **{replay['ratio']:.2f}** (target ≥ {replay['target_ratio']}: "
             f"{'met' if replay['meets_target'] else 'NOT met'}); replayed root figures consistent: "
             f"{'yes' if replay['consistent'] else 'NO'}.", ""]
    if "rerate" in result:
        lines.append(rerate_markdown(result["rerate"]))
    if "national" in result:
        lines.append(national_markdown(result["national"]))
    return "\n".join(lines)


def write(out: Path, result: dict) -> Path:
    """Write the JSON (timestamped and latest) and the markdown table; returns the timestamped path."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    stamped = out / f"{result['started_at'].replace(':', '').replace('-', '')}.json"
    stamped.write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    (out / "latest.md").write_text(markdown(result), encoding="utf-8")
    return stamped
