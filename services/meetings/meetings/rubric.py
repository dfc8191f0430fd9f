"""Rubrics as data: pure scoring of a meeting's metrics and rubric validation.

A definition is JSON: ``max``, ``bands`` ([{level, min, max}], min inclusive,
max exclusive, the top band's max is null and includes the rubric max) and
``groups`` ([{key, max, items: [{key, points, rule}]}]). Rules:
``{"type": "check", "key": "prep.notice_sent"}`` (a checklist box) and
``{"type": "flag", "metric": "no_unexcused_absence"}`` give all or nothing;
``{"type": "threshold", "metric": "attendance_rate", "steps": [[0.95, 12], [0.9, 10]]}``
gives the points of the first step whose threshold the metric reaches, else 0;
``{"type": "compare", "metric": "attendance_rate", "op": ">", "value": 0.85}`` gives all or
nothing (pass/fail criteria such as HD 12's).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LEVELS = ("tot", "kha", "trung_binh", "kem")  # best first
COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b}
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
    if rule["type"] == "compare":
        return item["points"] if COMPARE[rule["op"]](float(metrics(rule["metric"])), rule["value"]) else 0
    raise RubricError(f"unknown rule type {rule['type']!r}")


def validate_rubric(definition: Mapping[str, Any]) -> list[str]:
    """Everything wrong with a definition, in English (empty when it is usable)."""
    return [p.en for p in rubric_problems(definition)]


@dataclass(frozen=True)
class RubricProblem:
    field: str  # a path in the definition, e.g. ``definition.bands``
    vi: str
    en: str


def rubric_problems(definition: Any) -> list[RubricProblem]:
    """Everything wrong with a definition, naming the field, in Vietnamese and English."""
    if not isinstance(definition, Mapping):
        return [RubricProblem("definition", "Thang điểm phải là một đối tượng JSON", "The rubric must be a JSON object")]
    maximum = definition.get("max")
    if not _number(maximum) or maximum <= 0:
        return [RubricProblem("definition.max", "Điểm tối đa phải là số dương", "The maximum must be a positive number")]
    groups = definition.get("groups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, Mapping) for g in groups):
        return [RubricProblem("definition.groups", "Thang điểm phải có ít nhất một nhóm tiêu chí",
                              "The rubric needs at least one group of criteria")]
    problems: list[RubricProblem] = []
    for i, group in enumerate(groups):
        problems += _group_problems(group, f"definition.groups.{i}")
    if not problems:
        total = sum(g["max"] for g in groups)
        if abs(total - maximum) > 1e-9:
            problems.append(RubricProblem("definition.groups", f"Tổng điểm các nhóm là {total:g}, phải bằng điểm tối đa "
                                          f"{maximum:g}", f"The groups sum to {total:g}, not the rubric max {maximum:g}"))
    return problems + _band_problems(definition.get("bands"), maximum)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _group_problems(group: Mapping[str, Any], path: str) -> list[RubricProblem]:
    items = group.get("items")
    if not group.get("key") or not _number(group.get("max")):
        return [RubricProblem(path, "Nhóm tiêu chí cần mã (key) và điểm tối đa (max)", "A group needs a key and a max")]
    if not isinstance(items, list) or not items or not all(isinstance(i, Mapping) for i in items):
        return [RubricProblem(f"{path}.items", "Nhóm tiêu chí phải có ít nhất một tiêu chí",
                              "A group needs at least one item")]
    problems: list[RubricProblem] = []
    for j, item in enumerate(items):
        problems += _item_problems(item, f"{path}.items.{j}")
    if not problems:
        total = sum(i["points"] for i in items)
        if abs(total - group["max"]) > 1e-9:
            problems.append(RubricProblem(f"{path}.items", f"Tổng điểm các tiêu chí của nhóm {group['key']} là {total:g}, "
                                          f"phải bằng {group['max']:g}", f"The items of group {group['key']} sum to "
                                          f"{total:g}, not the group max {group['max']:g}"))
    return problems


def _item_problems(item: Mapping[str, Any], path: str) -> list[RubricProblem]:
    if not item.get("key") or not _number(item.get("points")) or item["points"] < 0:
        return [RubricProblem(path, "Tiêu chí cần mã (key) và số điểm không âm (points)",
                              "An item needs a key and non-negative points")]
    rule, key = item.get("rule") if isinstance(item.get("rule"), Mapping) else {}, item["key"]
    kind, where = rule.get("type"), f"{path}.rule"
    bad = None
    if kind == "check":
        bad = None if rule.get("key") else ("thiếu mã ô kiểm (key)", "a check rule needs a checklist key")
    elif kind == "flag":
        bad = None if rule.get("metric") else ("thiếu chỉ số (metric)", "a flag rule needs a metric")
    elif kind == "compare":
        ok = rule.get("metric") and rule.get("op") in COMPARE and _number(rule.get("value"))
        bad = None if ok else ("cần metric, op (>, >=, <, <=, ==) và value", "a compare rule needs a metric, an op "
                               "(>, >=, <, <=, ==) and a value")
    elif kind == "threshold":
        bad = _threshold_problem(rule, item["points"])
    else:
        bad = (f"loại quy tắc không hợp lệ {kind!r}", f"unknown rule type {kind!r}")
    return [RubricProblem(where, f"Tiêu chí {key}: {bad[0]}", f"Item {key}: {bad[1]}")] if bad else []


def _threshold_problem(rule: Mapping[str, Any], points: float) -> tuple[str, str] | None:
    steps = rule.get("steps")
    if not rule.get("metric") or not isinstance(steps, list) or not steps or not all(
            isinstance(s, list | tuple) and len(s) == 2 and _number(s[0]) and _number(s[1]) for s in steps):
        return "cần metric và các bậc [ngưỡng, điểm]", "a threshold rule needs a metric and [threshold, points] steps"
    if [s[0] for s in steps] != sorted((s[0] for s in steps), reverse=True):
        return "các ngưỡng phải xếp từ cao xuống thấp", "thresholds must be listed from highest to lowest"
    if max(s[1] for s in steps) != points or min(s[1] for s in steps) < 0:
        return f"điểm các bậc phải trong 0..{points:g} và đạt {points:g}", f"step points must lie in 0..{points:g} and reach it"
    return None


def _band_problems(bands: Any, maximum: float) -> list[RubricProblem]:
    field = "definition.bands"
    if not isinstance(bands, list) or not bands or not all(
            isinstance(b, Mapping) and _number(b.get("min")) and (b.get("max") is None or _number(b.get("max")))
            for b in bands):
        return [RubricProblem(field, "Thang điểm cần các mức xếp loại, mỗi mức có min và max (số)",
                              "The rubric needs bands, each with a numeric min and max")]
    levels = [b.get("level") for b in bands]
    if len(set(levels)) != len(levels) or any(level not in LEVELS for level in levels):
        return [RubricProblem(field, "Các mức xếp loại phải khác nhau và thuộc: tot, kha, trung_binh, kem",
                              f"Band levels must be distinct and among {', '.join(LEVELS)}")]
    problems = []
    ordered = sorted(bands, key=lambda b: b["min"])
    if ordered[0]["min"] != 0:
        problems.append(RubricProblem(field, f"Mức thấp nhất phải bắt đầu từ 0 (đang là {ordered[0]['min']:g})",
                                      f"The lowest band must start at 0, not {ordered[0]['min']:g}"))
    for lower, upper in zip(ordered, ordered[1:]):
        if lower.get("max") is None or lower["max"] > upper["min"]:
            problems.append(RubricProblem(field, f"Mức {lower['level']} và {upper['level']} chồng lấn nhau",
                                          f"Bands {lower['level']} and {upper['level']} overlap"))
        elif lower["max"] < upper["min"]:
            problems.append(RubricProblem(field, f"Có khoảng trống giữa mức {lower['level']} và {upper['level']}",
                                          f"Bands {lower['level']} and {upper['level']} leave a gap"))
    top = ordered[-1]
    if top.get("max") is not None and top["max"] <= maximum:
        problems.append(RubricProblem(field, f"Mức cao nhất phải để trống max hoặc lớn hơn {maximum:g}",
                                      f"The top band must be open (max null) or exceed {maximum:g}"))
    if any(b.get("max") is not None and b["max"] <= b["min"] for b in bands):
        problems.append(RubricProblem(field, "Mỗi mức phải có max lớn hơn min", "Each band's max must exceed its min"))
    return problems
