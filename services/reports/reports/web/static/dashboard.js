// Live dashboard: draws the charts as inline SVG and applies `event: figures` messages from the
// service's own SSE stream (no polling, no third-party script: provincial networks may be offline).
(function () {
  "use strict";
  var LEVELS = [["tot", "Tốt", "#2e7d32"], ["kha", "Khá", "#1565c0"], ["trung_binh", "Trung bình", "#f9a825"],
                ["kem", "Kém", "#c62828"], ["unrated", "Chưa xếp loại", "#9e9e9e"]];
  var LEVEL_NAME = {tot: "Tốt", kha: "Khá", trung_binh: "Trung bình", kem: "Kém"};
  var LABELS = {admitted: "Kết nạp", made_official: "Chính thức", transferred_in: "Chuyển đến",
                transferred_out: "Chuyển đi", transferred_temporarily: "Tạm thời", temporarily_transferred: "Tạm thời",
                cards_issued: "Cấp thẻ", cards_replaced: "Cấp lại thẻ", badges_awarded: "Huy hiệu", exempted: "Miễn SH",
                names_removed: "Xóa tên", removed: "Xóa tên", expelled: "Khai trừ", exited: "Ra khỏi Đảng",
                deceased: "Từ trần", probation_not_recognized: "Không công nhận",
                due: "Phải thu", collected: "Đã thu", due_vnd: "Phải thu (đồng)", collected_vnd: "Đã thu (đồng)",
                unpaid_members: "ĐV chưa nộp",
                removal_reviews: "Xem xét xóa tên", absence_limits: "Vắng sinh hoạt",
                overdue_probations: "Dự bị quá hạn", alerts: "Cảnh báo"};
  // The figures' `alerts` section: one list per key, records {member_name, org_name, reason, count, date}.
  var ALERT_KEYS = ["removal_reviews", "absence_limits", "overdue_probations"];
  var REASONS = {unpaid_fees: ["Không đóng đảng phí", " tháng trong năm"],
                 unexcused: ["Vắng sinh hoạt không lý do", " lần trong năm"],
                 excused_consecutive: ["Vắng sinh hoạt có lý do", " lần liên tiếp"],
                 overdue_probation: ["Quá hạn xét chuyển chính thức", " ngày làm việc"]};
  var NS = "http://www.w3.org/2000/svg";

  var logout = document.getElementById("logout");
  if (logout) logout.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/members/api/logout", {method: "POST", credentials: "same-origin"})
      .finally(function () { location.href = "/members/login?next=/reports/"; });
  });

  var node = document.getElementById("dashboard-data");
  var data = node ? JSON.parse(node.textContent) : null;
  if (!data) return;
  var figures = data.figures;
  var cells = {};
  (data.cells || []).forEach(function (c) { cells[c.org_id] = c; });

  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function rate(a) { return a.rate === null ? "—" : a.rate.toFixed(1).replace(".", ",") + "%"; }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); return svg; }

  function fill(root, f) {
    var values = {meetings_held: number(f.meetings_held), rate: rate(f.attendance)};
    LEVELS.forEach(function (l) { values[l[0]] = number(f.levels[l[0]]); });
    var owner = root.hasAttribute("data-org") ? root : null;  // headline cards belong to no row
    root.querySelectorAll("[data-f]").forEach(function (e) {
      if (e.closest("[data-org]") !== owner) return;
      e.textContent = values[e.getAttribute("data-f")];
    });
  }

  // Charts are drawn at the size they are shown (text stays legible on a phone) and redrawn on resize.
  function frame(svg) {
    var width = Math.max(280, Math.round(svg.getBoundingClientRect().width || 600));
    svg.setAttribute("viewBox", "0 0 " + width + " 260");
    var left = 48, step = (width - left - 8) / 12;
    return {width: width, left: left, bottom: 225, height: 190, step: step,
            label: function (i) { return step < 40 ? String(i + 1) : "T" + (i + 1); }};
  }

  // Ratings per month: one stacked column per month, a level per colour.
  function levelsChart() {
    var svg = clear(document.getElementById("chart-levels")), f = frame(svg), max = 1;
    data.series.forEach(function (m) { max = Math.max(max, m.meetings_held); });
    max = Math.max(2, Math.ceil(max / 2) * 2);  // even: the middle grid line is a whole number
    var width = f.step * 0.64;
    axis(svg, f, max, function (v) { return number(v); });
    data.series.forEach(function (m, i) {
      var x = f.left + i * f.step + (f.step - width) / 2, y = f.bottom;
      LEVELS.forEach(function (l) {
        var v = m.levels[l[0]];
        if (!v) return;
        var h = f.height * v / max;
        y -= h;
        var r = el("rect", {x: x, y: y, width: width, height: h, fill: l[2]});
        r.appendChild(el("title", {}, "Tháng " + (i + 1) + " — " + l[1] + ": " + v));
        svg.appendChild(r);
      });
      if (m.meetings_held) svg.appendChild(el("text", {x: x + width / 2, y: y - 5, "text-anchor": "middle"},
                                              number(m.meetings_held)));
      svg.appendChild(el("text", {x: x + width / 2, y: f.bottom + 22, "text-anchor": "middle"}, f.label(i)));
    });
    var legend = document.getElementById("legend-levels");
    legend.innerHTML = "";
    LEVELS.forEach(function (l) {
      var s = document.createElement("span");
      s.style.setProperty("--c", l[2]);
      s.textContent = l[1];
      legend.appendChild(s);
    });
  }

  // Attendance rate per month: a line over 0–100 %, months without meetings left out; the rate is written
  // above each point when there is room, else above the latest one only.
  function attendanceChart() {
    var svg = clear(document.getElementById("chart-attendance")), f = frame(svg), points = [], last = null;
    axis(svg, f, 100, function (v) { return v + "%"; });
    data.series.forEach(function (m, i) {
      var x = f.left + i * f.step + f.step / 2;
      svg.appendChild(el("text", {x: x, y: f.bottom + 22, "text-anchor": "middle"}, f.label(i)));
      if (m.attendance.rate === null) return;
      var y = f.bottom - f.height * m.attendance.rate / 100;
      points.push(x + "," + y);
      svg.appendChild(el("circle", {cx: x, cy: y, r: 5, fill: "#1565c0"}));
      last = [x, y, m];
      if (f.step >= 56) svg.appendChild(el("text", {x: x, y: y - 10, "text-anchor": "middle"}, rate(m.attendance)));
    });
    if (last && f.step < 56) svg.appendChild(el("text", {x: Math.min(last[0], f.width - 30), y: last[1] - 10,
                                                          "text-anchor": "middle"}, rate(last[2].attendance)));
    if (points.length > 1) svg.insertBefore(el("polyline", {points: points.join(" "), fill: "none", stroke: "#1565c0",
                                                             "stroke-width": 3}), svg.firstChild);
  }

  function axis(svg, f, max, format) {
    [0, 0.5, 1].forEach(function (k) {
      var y = f.bottom - f.height * k;
      svg.appendChild(el("line", {x1: f.left, x2: f.width - 4, y1: y, y2: y, stroke: "#ddd"}));
      svg.appendChild(el("text", {x: f.left - 6, y: y + 5, "text-anchor": "end"}, format(Math.round(max * k))));
    });
  }

  // Lifecycle changes and fees: horizontal bars of whatever numbers the figures carry.
  function bars(id, panel, values) {
    var keys = values ? Object.keys(values).filter(function (k) {  // counts and amounts; shares are not bars
      return typeof values[k] === "number" && !/_share$/.test(k);
    }) : [];
    if (!keys.length) return;
    document.getElementById(panel).hidden = false;
    var svg = clear(document.getElementById(id)), max = 1, row = 34;
    var width = Math.max(280, Math.round(svg.getBoundingClientRect().width || 600)), label = 130;
    var room = width - label - 90;
    svg.setAttribute("viewBox", "0 0 " + width + " " + (row * keys.length + 10));
    keys.forEach(function (k) { max = Math.max(max, values[k]); });
    keys.forEach(function (k, i) {
      var y = 5 + i * row, w = room * values[k] / max;
      svg.appendChild(el("text", {x: label - 8, y: y + row * 0.65, "text-anchor": "end"}, LABELS[k] || k.replace(/_/g, " ")));
      svg.appendChild(el("rect", {x: label, y: y + row * 0.15, width: w, height: row * 0.7, fill: "#b71c1c"}));
      svg.appendChild(el("text", {x: label + w + 6, y: y + row * 0.65}, number(values[k])));
    });
  }

  function levelText(f) {
    var parts = [];
    Object.keys(LEVEL_NAME).forEach(function (k) {
      if (f.levels[k]) parts.push((f.levels[k] > 1 ? f.levels[k] + " " : "") + LEVEL_NAME[k]);
    });
    return parts.length ? parts.join(", ") : (f.meetings_held ? "chưa xếp loại" : "không có buổi");
  }
  function score(f) {
    var rank = {tot: 4, kha: 3, trung_binh: 2, kem: 1}, sum = 0, n = 0;
    Object.keys(rank).forEach(function (k) { sum += rank[k] * f.levels[k]; n += f.levels[k]; });
    return n ? sum / n : null;
  }

  // Cells with no meeting in the watched month, or rated lower than the month before.
  function watchList() {
    var list = document.getElementById("watch");
    list.innerHTML = "";
    Object.keys(cells).map(function (k) { return cells[k]; })
      .sort(function (a, b) { return a.org_name.localeCompare(b.org_name, "vi"); })
      .forEach(function (c) {
        var missed = !c.now.meetings_held, now = score(c.now), before = score(c.before);
        var fell = now !== null && before !== null && now < before;
        if (!missed && !fell) return;
        var li = document.createElement("li");
        li.setAttribute("data-cell", c.org_id);
        li.innerHTML = (missed ? '<span class="tag missed">Chưa sinh hoạt</span>' : "") +
                       (fell ? '<span class="tag fell">Xếp loại giảm</span>' : "");
        li.appendChild(document.createTextNode(c.org_name));
        if (fell) {
          var small = document.createElement("div");
          small.className = "muted";
          small.textContent = "Tháng trước: " + levelText(c.before) + " → tháng này: " + levelText(c.now);
          li.appendChild(small);
        }
        list.appendChild(li);
      });
    if (!list.children.length) {
      var ok = document.createElement("li");
      ok.className = "muted";
      ok.textContent = "Không có chi bộ nào cần chú ý.";
      list.appendChild(ok);
    }
  }

  function day(text) {  // 2026-03-05 → 05/03/2026
    var p = String(text || "").split("-");
    return p.length === 3 ? p[2] + "/" + p[1] + "/" + p[0] : String(text || "");
  }
  function why(a) {
    var r = REASONS[a.reason];
    if (!r) return a.reason || a.kind || "";
    return r[0] + (typeof a.count === "number" ? ": " + number(a.count) + r[1] : "");
  }

  function alertsPanel(alerts) {
    if (!alerts) return;
    var list = document.getElementById("alerts"), count = 0;
    list.innerHTML = "";
    ALERT_KEYS.forEach(function (key) {
      (alerts[key] || []).forEach(function (a) {
        var li = document.createElement("li");
        li.setAttribute("data-alert", key);
        var tag = document.createElement("span"), name = document.createElement("strong");
        tag.className = "tag alert";
        tag.textContent = LABELS[key] || key;
        name.textContent = a.member_name || "";
        li.appendChild(tag);
        li.appendChild(name);
        li.appendChild(document.createTextNode([a.org_name, why(a)].filter(function (t) {
          return t; }).map(function (t) { return " — " + t; }).join("")));
        if (a.date) {
          var when = document.createElement("div");
          when.className = "muted";
          when.textContent = (key === "overdue_probations" ? "Hết 12 tháng dự bị: " : "Ngày: ") + day(a.date);
          li.appendChild(when);
        }
        list.appendChild(li);
        count += 1;
      });
      var more = ((alerts.totals || {})[key] || 0) - (alerts[key] || []).length;
      if (more > 0) {  // the figures list the first ones of each kind; the exports list them all
        var rest = document.createElement("li");
        rest.className = "muted";
        rest.setAttribute("data-alert-more", key);
        rest.textContent = "… và " + number(more) + " trường hợp " + (LABELS[key] || key).toLowerCase() +
          " khác — xem đầy đủ trong báo cáo Excel/PDF.";
        list.appendChild(rest);
      }
    });
    if (!count) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "Không có cảnh báo.";
      list.appendChild(none);
    }
    document.getElementById("alerts-panel").hidden = false;
  }

  function extras(f) {
    bars("chart-changes", "changes-panel", f.changes || f.lifecycle || (f.members && f.members.changes));
    bars("chart-fees", "fees-panel", f.fees);
    alertsPanel(data.alerts);
  }

  // A pushed message marked `refresh` (a member, fee, grade or alert event in this lineage and period): read the
  // figures once more for the sections the counters do not carry (members, changes, fees, alerts). One request
  // at a time; messages arriving meanwhile cause one more read when it ends. No timer, no polling.
  var reading = false, again = false;
  function reread() {
    if (reading) { again = true; return; }
    reading = true;
    fetch("/reports/api/figures?org_id=" + encodeURIComponent(figures.org_id) + "&period=" +
          encodeURIComponent(figures.period), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (f) {
        if (!f) return;
        ["members", "changes", "fees", "grading", "alerts"].forEach(function (k) { figures[k] = f[k]; });
        data.alerts = f.alerts || null;
        var total = document.getElementById("members-total");
        if (total && f.members) total.textContent = f.members.total;
        extras(figures);
      })
      .catch(function () {})
      .finally(function () { reading = false; if (again) { again = false; reread(); } });
  }

  fill(document.querySelector("main"), figures);
  levelsChart();
  attendanceChart();
  watchList();
  extras(figures);
  var drawn = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === drawn) return;
    drawn = window.innerWidth;
    levelsChart();
    attendanceChart();
    extras(figures);
  });

  var live = document.getElementById("live");
  var source = new EventSource("/reports/api/stream?org_id=" + encodeURIComponent(figures.org_id));
  source.onopen = function () { live.textContent = "Cập nhật trực tiếp"; live.className = "live on"; };
  source.onerror = function () { live.textContent = "Mất kết nối, đang thử lại…"; live.className = "live"; };
  source.addEventListener("figures", function (e) {
    var f = JSON.parse(e.data), redraw = false;
    if (f.org_id === figures.org_id) {
      if (f.period === figures.period) fill(document.querySelector("main"), f);
      data.series.forEach(function (m, i) {
        if (m.period === f.period) { data.series[i] = f; redraw = true; }
      });
      if (redraw) { levelsChart(); attendanceChart(); }
    }
    if (f.period === figures.period) {
      var row = document.querySelector('tr[data-org="' + f.org_id + '"]');
      if (row) fill(row, f);
    }
    if (f.refresh && f.org_id === figures.org_id && f.period === figures.period) reread();
    var cell = cells[f.org_id];
    if (cell && (f.period === data.watch_month || f.period === data.previous_month)) {
      cell[f.period === data.watch_month ? "now" : "before"] = f;
      watchList();
    }
  });
})();
