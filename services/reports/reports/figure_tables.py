"""The designed tables of each figure group (the forms of a Vietnamese organization committee's report)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from reports import figure_labels as vi
from reports.alerts import KEYS as ALERT_KEYS
from reports.tables import LEVEL_LABELS, Table, share

# Keys of the figures answer these tables (and tables.by_unit) show; any other key falls back to generic_tables.
DESIGNED = {"org_id", "org_name", "period", "range", "tree", "meetings_held", "levels", "attendance", "children",
            "meetings", "members", "changes", "fees", "grading", "alerts"}
MEETINGS = "Sinh hoạt chi bộ"


def _day(value: object) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y") if isinstance(day, date) else ""


def _meetings(figures: Mapping) -> dict:
    """The `meetings` section, or the legacy fields shaped like it (figures without it)."""
    if "meetings" in figures:
        return figures["meetings"]
    held, att = figures.get("meetings_held", 0), figures.get("attendance", {})
    return {"held": held, "levels": {k: {"count": n} for k, n in figures.get("levels", {}).items()},
            "attendance": att}


def summary(figures: Mapping) -> Table:
    m = _meetings(figures)
    held, att, obligations = m.get("held", 0), m.get("attendance", {}), m.get("obligations", {})
    tot = m.get("levels", {}).get("tot", {}).get("count", 0)
    rows = [["Số buổi sinh hoạt đã tổ chức", held, ""]]
    if obligations:
        required = sum(o["required"] for o in obligations.values())
        missed = sum(o["missed"] for o in obligations.values())
        rows += [["Số buổi phải tổ chức theo quy định", required, ""],
                 ["Số buổi không tổ chức theo quy định", missed, share(missed, required)]]
    rows += [["Số buổi xếp loại Tốt", tot, share(tot, held)],
             ["Lượt đảng viên dự sinh hoạt (tỷ lệ trên số phải dự)", att.get("present", 0),
              share(att.get("present"), att.get("expected"))]]
    if "speakers" in m:
        rows += [["Lượt đảng viên phát biểu (tỷ lệ trên số dự)", m["speakers"]["count"],
                  share(m["speakers"]["count"], m["speakers"]["present"])],
                 ["Số buổi có cấp ủy cấp trên dự", m["upper_level"]["count"], share(m["upper_level"]["count"], held)]]
    if "members" in figures:
        rows.append([f"Tổng số đảng viên (đến ngày {_day(figures['members'].get('on'))})",
                     figures["members"].get("total", 0), ""])
    if "changes" in figures:
        rows.append(["Kết nạp đảng viên mới", figures["changes"].get("admitted", 0), ""])
    if "fees" in figures:
        fees = figures["fees"]
        rows += [["Đảng phí phải thu (đồng)", fees.get("due_vnd", 0), ""],
                 ["Đảng phí đã thu (đồng)", fees.get("collected_vnd", 0),
                  share(fees.get("collected_vnd"), fees.get("due_vnd"))]]
    return Table("Tổng hợp kết quả", "Tổng hợp", ["Chỉ tiêu", "Số lượng", "Tỷ lệ"], rows)


def meetings(figures: Mapping) -> list[Table]:
    if "meetings" not in figures:
        return []
    m = figures["meetings"]
    held, obligations = m["held"], m.get("obligations", {})
    duty = Table("Tổ chức sinh hoạt theo quy định", MEETINGS,
                 ["Loại sinh hoạt", "Phải tổ chức", "Đã tổ chức", "Không tổ chức", "Tỷ lệ không tổ chức"],
                 section=MEETINGS)
    for key, o in obligations.items():
        duty.rows.append([vi.OBLIGATIONS.get(key, key), o["required"], o["held"], o["missed"],
                          share(o["missed"], o["required"])])
    totals = [sum(o[k] for o in obligations.values()) for k in ("required", "held", "missed")]
    duty.rows.append(["Cộng", *totals, share(totals[2], totals[0])])
    duty.bold_rows = {len(duty.rows) - 1}
    kinds = Table("Số buổi đã tổ chức theo hình thức", MEETINGS, ["Hình thức", "Số buổi", "Tỷ lệ"], section=MEETINGS)
    kinds.rows = [[vi.MEETING_KINDS.get(k, k), n, share(n, held)] for k, n in m.get("held_by_kind", {}).items()]
    kinds.rows.append(["Cộng", held, share(held, held)])
    kinds.bold_rows = {len(kinds.rows) - 1}
    levels = Table("Xếp loại chất lượng buổi sinh hoạt", MEETINGS, ["Mức xếp loại", "Số buổi", "Tỷ lệ"],
                   section=MEETINGS)
    levels.rows = [[LEVEL_LABELS.get(k, k), v["count"], share(v["count"], held)] for k, v in m["levels"].items()]
    att, sp, up = m["attendance"], m["speakers"], m["upper_level"]
    people = Table("Dự họp, phát biểu và cấp ủy cấp trên dự", MEETINGS,
                   ["Chỉ tiêu", "Số lượng", "Trên tổng số", "Tỷ lệ"], section=MEETINGS, rows=[
                       ["Lượt đảng viên dự sinh hoạt / phải dự", att["present"], att["expected"],
                        share(att["present"], att["expected"])],
                       ["Lượt đảng viên phát biểu / có mặt", sp["count"], sp["present"],
                        share(sp["count"], sp["present"])],
                       ["Buổi có cấp ủy cấp trên dự / đã tổ chức", up["count"], held, share(up["count"], held)]])
    return [duty, kinds, levels, people]


def _ordered(counts: Mapping[str, int], labels: Mapping[str, str]) -> list[tuple[str, int]]:
    """Known codes in their order, then the others by name, "unknown" last."""
    known = [(labels[k], counts[k]) for k in labels if k in counts]
    others = sorted((k, n) for k, n in counts.items() if k not in labels and k != "unknown")
    return known + others + ([(vi.UNKNOWN, counts["unknown"])] if "unknown" in counts else [])


def members(figures: Mapping, bands: Mapping[str, Mapping[str, str]]) -> list[Table]:
    if "members" not in figures:
        return []
    roll, total = figures["members"], figures["members"].get("total", 0)
    table = Table(f"Cơ cấu đảng viên (đến ngày {_day(roll.get('on'))})", "Cơ cấu đảng viên",
                  ["Chỉ tiêu", "Số lượng", "Tỷ lệ"], [["Tổng số đảng viên", total, share(total, total)]], {0})
    for key, heading, labels in vi.DIMENSIONS:
        if labels is None:
            labels = bands.get(key.removesuffix("_band"), {})
        table.heading_rows.add(len(table.rows))
        table.rows.append([heading, None, None])
        table.rows += [[text, n, share(n, total)] for text, n in _ordered(roll.get(key, {}), labels)]
    return [table]


def changes(figures: Mapping) -> list[Table]:
    if "changes" not in figures:
        return []
    rows = [[vi.CHANGES.get(k, k), n] for k, n in figures["changes"].items()]
    return [Table("Biến động đảng viên", "Biến động đảng viên", ["Nội dung", "Số đảng viên"], rows)]


def fees(figures: Mapping) -> list[Table]:
    if "fees" not in figures:
        return []
    f = figures["fees"]
    return [Table("Thu, nộp đảng phí", "Đảng phí", ["Chỉ tiêu", "Số liệu"], [
        ["Đảng phí phải thu (đồng)", f["due_vnd"]], ["Đảng phí đã thu (đồng)", f["collected_vnd"]],
        ["Tỷ lệ đã thu", share(f["collected_vnd"], f["due_vnd"])],
        ["Số đảng viên chưa nộp đủ", f["unpaid_members"]]])]


def grading(figures: Mapping) -> list[Table]:
    if "grading" not in figures:
        return []
    g = figures["grading"]
    people, orgs = g.get("members", {}), g.get("organizations", {})
    table = Table("Đánh giá, xếp loại đảng viên và tổ chức đảng", "Đánh giá, xếp loại",
                  ["Mức xếp loại", "Đảng viên", "Tỷ lệ đảng viên", "Tổ chức đảng", "Tỷ lệ tổ chức đảng"])
    for key, text in vi.GRADES.items():
        p, o = people.get(key, {}).get("count", 0), orgs.get(key, {}).get("count", 0)
        table.rows.append([text, p, share(p, people.get("total")), o, share(o, orgs.get("total"))])
    p, o = people.get("total", 0), orgs.get("total", 0)
    table.rows.append(["Tổng số được xếp loại", p, share(p, p), o, share(o, o)])
    table.bold_rows = {len(table.rows) - 1}
    return [table]


def alerts(figures: Mapping) -> list[Table]:
    tables = []
    section = figures.get("alerts", {})
    for key, items in ((key, section[key]) for key in ALERT_KEYS if key in section):
        title, sheet = vi.ALERTS.get(key, (key, key))
        later = any("probation_from" in i for i in items) or key == "overdue_probations"
        table = Table(title, sheet, ["Họ và tên", "Tổ chức", "Lý do", "Số lượng", "Ngày",
                                     *(["Ngày kết nạp"] if later else [])], section="Cảnh báo")
        for i in items:
            since = [_day(i.get("probation_from"))] if later else []
            table.rows.append([i.get("member_name"), i.get("org_name"), vi.REASONS.get(i["reason"], i["reason"]),
                               i.get("count"), _day(i.get("date")), *since])
        tables.append(table)
    return tables
