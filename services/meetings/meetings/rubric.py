"""Rubrics as data: pure scoring of a meeting's metrics and rubric validation.

A definition is JSON: ``max``, ``bands`` ([{level, min, max}], min inclusive,
max exclusive, the top band's max is null and includes the rubric max) and
``groups`` ([{key, max, items: [{key, points, rule}]}]). Rules:
``{"type": "check", "key": "prep.notice_sent"}`` (a checklist box) and
``{"type": "flag", "metric": "no_unexcused_absence"}`` give all or nothing;
``{"type": "threshold", "metric": "attendance_rate", "steps": [[0.95, 12], [0.9, 10]]}``
gives the points of the first step whose threshold the metric reaches, else 0.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LEVELS = ("tot", "kha", "trung_binh", "kem")
Lookup = Callable[[str], float | bool]


class RubricError(ValueError):
    """A rubric definition that cannot be used to rate meetings."""


@dataclass(frozen=True)
class ItemScore:
    group: str
    item: str
    points: float
    max_points: float


@dataclass(frozen=True)
class Rating:
    score: float
    level: str
    breakdown: tuple[ItemScore, ...]


def score(definition: Mapping[str, Any], metrics: Lookup) -> Rating:
    """Score metrics (``metrics(name)`` returns a number or a boolean) under a rubric definition."""
    breakdown = tuple(
        ItemScore(group["key"], item["key"], float(_item_points(item, metrics)), float(item["points"]))
        for group in definition["groups"] for item in group["items"]
    )
    total = round(sum(i.points for i in breakdown), 2)
    return Rating(total, band_for(definition, total), breakdown)


def band_for(definition: Mapping[str, Any], value: float) -> str:
    """The level whose band holds ``value`` (min inclusive, max exclusive; open top band)."""
    for band in definition["bands"]:
        upper = band.get("max")
        if value >= band["min"] and (upper is None or value < upper):
            return band["level"]
    raise RubricError(f"no band holds the score {value}")


def _item_points(item: Mapping[str, Any], metrics: Lookup) -> float:
    rule = item["rule"]
    if rule["type"] == "check":
        return item["points"] if metrics(rule["key"]) is True else 0
    if rule["type"] == "flag":
        return item["points"] if bool(metrics(rule["metric"])) else 0
    if rule["type"] == "threshold":
        value = float(metrics(rule["metric"]))
        return next((points for threshold, points in rule["steps"] if value >= threshold), 0)
    raise RubricError(f"unknown rule type {rule['type']!r}")


def validate_rubric(definition: Mapping[str, Any]) -> list[str]:
    """Everything wrong with a definition (empty when it is usable)."""
    problems: list[str] = []
    groups = definition.get("groups") or []
    if not groups:
        problems.append("rubric has no groups")
    if abs(sum(g.get("max", 0) for g in groups) - definition.get("max", 0)) > 1e-9:
        problems.append(f"groups sum to {sum(g.get('max', 0) for g in groups)}, not the rubric max {definition.get('max')}")
    for group in groups:
        problems += _group_problems(group)
    problems += _band_problems(definition.get("bands") or [], definition.get("max", 0))
    return problems


def _group_problems(group: Mapping[str, Any]) -> list[str]:
    items = group.get("items") or []
    total = sum(i.get("points", 0) for i in items)
    problems = [] if abs(total - group.get("max", 0)) < 1e-9 else [
        f"items of group {group.get('key')} sum to {total}, not the group max {group.get('max')}"]
    for item in items:
        problems += _rule_problems(item)
    return problems


def _rule_problems(item: Mapping[str, Any]) -> list[str]:
    rule, key = item.get("rule") or {}, item.get("key")
    kind = rule.get("type")
    if kind == "check":
        return [] if rule.get("key") else [f"item {key}: check rule without a checklist key"]
    if kind == "flag":
        return [] if rule.get("metric") else [f"item {key}: flag rule without a metric"]
    if kind != "threshold":
        return [f"item {key}: unknown rule type {kind!r}"]
    steps = rule.get("steps") or []
    if not rule.get("metric") or not steps:
        return [f"item {key}: threshold rule needs a metric and steps"]
    if [s[0] for s in steps] != sorted((s[0] for s in steps), reverse=True):
        return [f"item {key}: thresholds must be listed from highest to lowest"]
    if max(s[1] for s in steps) != item.get("points") or min(s[1] for s in steps) < 0:
        return [f"item {key}: step points must lie in 0..{item.get('points')} and reach it"]
    return []


def _band_problems(bands: list[Mapping[str, Any]], maximum: float) -> list[str]:
    if not bands:
        return ["rubric has no bands"]
    ordered = sorted(bands, key=lambda b: b["min"])
    problems = [] if ordered[0]["min"] == 0 else [f"bands start at {ordered[0]['min']}, not 0"]
    for lower, upper in zip(ordered, ordered[1:]):
        if lower.get("max") is None or lower["max"] != upper["min"]:
            problems.append(f"bands {lower['level']} and {upper['level']} overlap or leave a gap")
    if ordered[-1].get("max") is not None and ordered[-1]["max"] <= maximum:
        problems.append(f"the top band must be open (max null) or exceed {maximum}")
    if sorted(b["level"] for b in bands) != sorted(set(b["level"] for b in bands)) or any(
            b["level"] not in LEVELS for b in bands):
        problems.append(f"band levels must be distinct and among {', '.join(LEVELS)}")
    return problems
