// The cell secretary's meeting form: one step per screen, saved on this phone as it goes (localStorage,
// keyed by cell + date), sent once with a client-chosen id (safe to retry), then the rating is polled.
// Vanilla JS, no build step, no network assets.
(function () {
  "use strict";
  var root = document.getElementById("app");
  var nav = document.getElementById("nav"), backBtn = document.getElementById("back"), nextBtn = document.getElementById("next");
  var bannerEl = document.getElementById("banner");
  var CELL = root.dataset.cell, TODAY = root.dataset.today, LOGIN = root.dataset.login;
  var PREFIX = "chibo.meetings." + CELL + ".";
  var KINDS = [["regular", "Thường kỳ"], ["combined", "Thường kỳ kết hợp chuyên đề"], ["thematic", "Chuyên đề"],
               ["extraordinary", "Bất thường"]];
  var STATUS = {present: "Có mặt", absent_excused: "Vắng có lý do", absent_unexcused: "Vắng không lý do",
                exempt: "Miễn sinh hoạt"};
  var LEVELS = {tot: "Tốt", kha: "Khá", trung_binh: "Trung bình", kem: "Kém"};
  var STEPS = ["Ngày và loại buổi", "Điểm danh", "Người phát biểu", "Các việc đã làm", "Nghị quyết", "Xem lại và lưu"];
  var WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
  var RETRY_MS = 15000, POLL_MS = 2000, POLL_TRIES = 30;
  var draft, choosing = null, sending = false, retryTimer = null, pollTimer = null, loadError = null;

  // ---------- helpers ----------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else if (k === "value") el.value = v;
      else el.setAttribute(k, v === true ? "" : v);
    });
    [].concat(children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }
  function uuid() {  // crypto.randomUUID needs a secure context; getRandomValues does not
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var x = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }
  function longDate(iso) {
    var p = iso.split("-"), d = new Date(+p[0], +p[1] - 1, +p[2]);
    return WEEKDAYS[d.getDay()] + ", " + p[2] + "/" + p[1] + "/" + p[0];
  }
  function api(method, url, body) {
    var init = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (body) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) { return {status: r.status, data: data}; });
    });
  }
  function messages(data) {
    var detail = data && data.detail;
    if (!Array.isArray(detail)) return ["Máy chủ từ chối biên bản (mã lỗi không rõ)."];
    return detail.map(function (d) { return d.msg_vi || d.msg || String(d); });
  }

  // ---------- the draft, kept on this phone ----------
  function key(date) { return PREFIX + "draft." + date; }
  function fresh(date) {
    return {v: 1, id: uuid(), held_on: date || TODAY, kind: "regular", duration: 90, durationSet: false, attendance: {},
            roster: null, rosterOn: null, items: null, itemsOn: null, checklist: {}, resolution: "", step: 0,
            state: "editing", saved: null, errors: null, ratingTimeout: false};
  }
  function save() {
    try {
      localStorage.setItem(key(draft.held_on), JSON.stringify(draft));
      localStorage.setItem(PREFIX + "current", draft.held_on);
    } catch (e) { /* storage full or disabled: the form still works, without the safety net */ }
  }
  function restore() {
    try {
      var date = localStorage.getItem(PREFIX + "current");
      var found = date && JSON.parse(localStorage.getItem(key(date)) || "null");
      if (found && found.v === 1) return found;
    } catch (e) { /* a damaged draft: start afresh */ }
    return fresh(TODAY);
  }
  function discard() {
    try { localStorage.removeItem(key(draft.held_on)); localStorage.removeItem(PREFIX + "current"); } catch (e) {}
  }
  function setDate(date) {
    if (!date || date > TODAY || date === draft.held_on) return;
    try { localStorage.removeItem(key(draft.held_on)); } catch (e) {}
    draft.held_on = date;
    save();
    loadData();
  }

  // ---------- what the server needs: roster and rubric for the date ----------
  function loadData() {
    if (draft.state !== "editing") return render();
    var on = draft.held_on, base = "/meetings/api/";
    var jobs = [];
    if (draft.rosterOn !== on) jobs.push(Promise.all([
      api("GET", base + "cells/" + CELL + "/roster?on=" + on),
      api("GET", base + "meetings?organization_id=" + CELL + "&to=" + on).catch(function () { return null; })
    ]).then(function (r) { takeRoster(r[0], r[1], on); }));
    if (draft.itemsOn !== on) jobs.push(api("GET", base + "rubrics?organization_id=" + CELL + "&on=" + on)
      .then(function (r) { takeRubric(r, on); }));
    loadError = null;
    render();
    Promise.all(jobs).then(function () { save(); render(); }, function (e) {
      loadError = e && e.status === 401 ? "login" : "network";
      render();
    });
  }
  function failIfBad(r) { if (r.status !== 200) throw {status: r.status}; }
  function takeRoster(r, previous, on) {
    failIfBad(r);
    var exempt = {};
    var last = previous && previous.status === 200 && previous.data && previous.data[0];
    (last ? last.attendance : []).forEach(function (a) { if (a.status === "exempt") exempt[a.member_id] = true; });
    draft.roster = byGivenName(r.data.members);
    draft.roster.forEach(function (m) {
      if (!draft.attendance[m.member_id]) {
        var status = m.status === "exempt" || exempt[m.member_id] ? "exempt" : "present";
        draft.attendance[m.member_id] = {status: status, spoke: false, reason: ""};
      }
    });
    draft.rosterOn = on;
  }
  function byGivenName(members) {  // Vietnamese lists go by given name (the last word), then the full name
    var collate = new Intl.Collator("vi").compare;
    var given = function (m) { return m.full_name.trim().split(/\s+/).pop(); };
    return members.slice().sort(function (a, b) {
      return collate(given(a), given(b)) || collate(a.full_name, b.full_name);
    });
  }
  function takeRubric(r, on) {
    failIfBad(r);
    var items = [];
    (r.data[0] ? r.data[0].definition.groups : []).forEach(function (g) {
      g.items.forEach(function (it) {
        if (it.rule && it.rule.type === "check") items.push({key: it.rule.key, label: it.label_vi || it.key, group: g.label_vi || g.key});
      });
    });
    items.forEach(function (it) { if (!(it.key in draft.checklist)) draft.checklist[it.key] = true; });
    draft.items = items;
    draft.itemsOn = on;
  }

  // ---------- sending, safely repeatable ----------
  function body() {
    var checklist = {};
    (draft.items || []).forEach(function (it) { checklist[it.key] = !!draft.checklist[it.key]; });
    return {
      id: draft.id, organization_id: CELL, held_on: draft.held_on, kind: draft.kind, duration_minutes: draft.duration,
      checklist: checklist, resolution: draft.resolution.trim() || null,
      attendance: draft.roster.map(function (m) {
        var a = draft.attendance[m.member_id];
        return {member_id: m.member_id, status: a.status, spoke: a.status === "present" && !!a.spoke,
                absence_reason: a.status === "absent_excused" && a.reason.trim() ? a.reason.trim() : null};
      })
    };
  }
  function submit() {
    if (draft.state !== "editing") return;
    draft.state = "sending"; draft.errors = null; draft.body = body();
    save(); render(); send();
  }
  function send() {
    if (sending || draft.state !== "sending") return;
    sending = true; clearTimeout(retryTimer);
    banner("Đang gửi biên bản…", "info");
    api("POST", "/meetings/api/meetings", draft.body).then(sent, function () { sending = false; notSent(); });
  }
  function sent(r) {
    sending = false;
    if (r.status === 200 || r.status === 201) {
      draft.state = "saved"; draft.saved = r.data; banner(null); save(); render(); return poll();
    }
    if (r.status === 401) {
      draft.state = "editing"; save(); render();
      return banner("Phiên đăng nhập đã hết hạn. Biên bản vẫn được giữ trên máy này — hãy đăng nhập lại.", "warn",
                    h("a", {href: LOGIN, "class": "btn small"}, "Đăng nhập lại"));
    }
    if (r.status >= 500 || r.status === 408 || r.status === 429) return notSent();
    draft.state = "editing"; draft.errors = messages(r.data); banner(null); save(); render();
  }
  function notSent() {
    banner("Chưa gửi được — sẽ thử lại", "warn", h("button", {type: "button", "class": "btn small", onclick: send}, "Thử lại ngay"));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, RETRY_MS);
  }
  function poll() {
    clearInterval(pollTimer);
    if (!draft.saved || draft.saved.rating || draft.ratingTimeout) return;
    var tries = 0;
    pollTimer = setInterval(function () {
      tries += 1;
      api("GET", "/meetings/api/meetings/" + draft.saved.id).then(function (r) {
        if (r.status === 200 && r.data.rating) { clearInterval(pollTimer); draft.saved = r.data; save(); render(); }
      }, function () {});
      if (tries >= POLL_TRIES) { clearInterval(pollTimer); draft.ratingTimeout = true; save(); render(); }
    }, POLL_MS);
  }
  function banner(text, tone, action) {
    bannerEl.hidden = !text;
    bannerEl.className = "banner " + (tone || "");
    bannerEl.textContent = text || "";
    if (action) bannerEl.appendChild(action);
  }

  // ---------- screens ----------
  var SCREENS = [dateScreen, attendanceScreen, speakersScreen, checklistScreen, resolutionScreen, reviewScreen];

  function render() {
    var y = window.scrollY, sameStep = root.dataset.step === String(draft.step) && root.dataset.state === draft.state;
    root.dataset.step = draft.step; root.dataset.state = draft.state;
    root.textContent = "";
    if (draft.state === "saved") { root.appendChild(resultScreen()); nav.hidden = true; return; }
    root.appendChild(progress());
    root.appendChild(SCREENS[draft.step]());
    nav.hidden = false;
    backBtn.hidden = draft.step === 0;
    backBtn.disabled = draft.state === "sending";
    var last = draft.step === STEPS.length - 1;
    nextBtn.textContent = last ? (draft.state === "sending" ? "Đang chờ gửi…" : "Lưu biên bản") : "Tiếp tục ›";
    nextBtn.disabled = draft.state === "sending" || (draft.step > 0 && !draft.roster);
    nextBtn.className = "btn " + (last ? "save" : "primary");
    if (sameStep) window.scrollTo(0, y); else window.scrollTo(0, 0);
  }
  function go(step) { draft.step = step; choosing = null; save(); render(); }
  backBtn.addEventListener("click", function () { if (draft.step > 0) go(draft.step - 1); });
  nextBtn.addEventListener("click", function () {
    if (draft.step === STEPS.length - 1) submit(); else go(draft.step + 1);
  });

  function progress() {
    var bar = h("ol", {"class": "steps", "aria-hidden": "true"}, STEPS.map(function (_, i) {
      return h("li", {"class": i < draft.step ? "done" : i === draft.step ? "now" : ""});
    }));
    return h("div", {"class": "progress"}, [
      h("p", {"class": "step-label", text: "Bước " + (draft.step + 1) + "/" + STEPS.length + " · " + STEPS[draft.step]}), bar]);
  }
  function notReady() {
    if (loadError === "login") return h("p", {"class": "banner warn"}, ["Phiên đăng nhập đã hết hạn. ",
      h("a", {href: LOGIN, "class": "btn small"}, "Đăng nhập lại")]);
    if (loadError) return h("div", {"class": "banner warn"}, ["Không tải được danh sách — kiểm tra kết nối mạng. ",
      h("button", {type: "button", "class": "btn small", onclick: loadData}, "Tải lại")]);
    return h("p", {"class": "loading", text: "Đang tải danh sách…"});
  }

  function dateScreen() {
    var minus = function (d) { return function () { setDuration(draft.duration + d); }; };
    return h("section", {}, [
      h("h1", {text: "Buổi sinh hoạt"}),
      h("label", {"class": "field", "for": "held_on", text: "Ngày sinh hoạt"}),
      h("input", {id: "held_on", type: "date", "class": "big-input", max: TODAY, value: draft.held_on,
                  onchange: function (e) { setDate(e.target.value); }}),
      h("p", {"class": "hint", text: longDate(draft.held_on) + (draft.held_on === TODAY ? " (hôm nay)" : "")}),
      h("p", {"class": "field", text: "Loại buổi sinh hoạt"}),
      h("div", {"class": "choices", role: "radiogroup"}, KINDS.map(function (k) {
        return h("button", {type: "button", role: "radio", "aria-checked": String(draft.kind === k[0]),
                            "class": "choice" + (draft.kind === k[0] ? " on" : ""), "data-kind": k[0],
                            onclick: function () { setKind(k[0]); }}, k[1]);
      })),
      h("label", {"class": "field", "for": "duration", text: "Thời lượng (phút)"}),
      h("div", {"class": "stepper"}, [
        h("button", {type: "button", "class": "btn ghost", "aria-label": "Bớt 15 phút", onclick: minus(-15)}, "−15"),
        h("input", {id: "duration", type: "number", inputmode: "numeric", min: 0, max: 720, value: draft.duration,
                    onchange: function (e) { setDuration(parseInt(e.target.value, 10) || 0); }}),
        h("button", {type: "button", "class": "btn ghost", "aria-label": "Thêm 15 phút", onclick: minus(15)}, "+15")]),
      h("p", {"class": "hint", text: "Tối thiểu 90 phút; 120 phút khi kết hợp thường kỳ và chuyên đề."})
    ]);
  }
  function setKind(kind) {
    draft.kind = kind;
    if (!draft.durationSet) draft.duration = kind === "combined" ? 120 : 90;
    save(); render();
  }
  function setDuration(n) { draft.duration = Math.max(0, Math.min(720, n)); draft.durationSet = true; save(); render(); }

  function counts() {
    var c = {present: 0, absent_excused: 0, absent_unexcused: 0, exempt: 0, spoke: 0};
    (draft.roster || []).forEach(function (m) {
      var a = draft.attendance[m.member_id];
      c[a.status] += 1;
      if (a.status === "present" && a.spoke) c.spoke += 1;
    });
    c.expected = (draft.roster || []).length - c.exempt;
    return c;
  }
  function attendanceScreen() {
    if (!draft.roster) return notReady();
    var c = counts();
    return h("section", {}, [
      h("h1", {text: "Điểm danh"}),
      h("p", {"class": "hint", text: "Mọi người được tính là có mặt. Bấm vào tên người vắng."}),
      h("p", {"class": "tally", id: "tally", text: "Có mặt " + c.present + "/" + c.expected +
        (c.exempt ? " · Miễn " + c.exempt : "")}),
      draft.roster.length ? null : h("p", {"class": "banner warn", text: "Chi bộ chưa có đảng viên nào trong danh sách ngày này."}),
      h("ul", {"class": "people"}, draft.roster.map(personRow))
    ]);
  }
  function personRow(m) {
    var a = draft.attendance[m.member_id], open = choosing === m.member_id;
    var row = h("li", {"class": "person " + a.status + (open ? " open" : "")}, [
      h("button", {type: "button", "class": "row-btn", "aria-expanded": String(open), "data-member": m.member_id,
                   onclick: function () { choosing = open ? null : m.member_id; render(); }}, [
        h("span", {"class": "name", text: m.full_name}),
        h("span", {"class": "pill " + a.status, text: STATUS[a.status]})])
    ]);
    if (open) row.appendChild(chooser(m, a));
    else if (a.status === "absent_excused") row.appendChild(h("input", {
      "class": "reason", type: "text", maxlength: 500, placeholder: "Lý do (không bắt buộc)", value: a.reason,
      "aria-label": "Lý do vắng của " + m.full_name, oninput: function (e) { a.reason = e.target.value; save(); }}));
    return row;
  }
  function chooser(m, a) {
    var pick = function (status) { return function () { a.status = status; choosing = null; save(); render(); }; };
    var options = [["absent_excused", "Vắng có lý do"], ["absent_unexcused", "Vắng không lý do"], ["present", "Có mặt"],
                   ["exempt", "Miễn sinh hoạt"]];
    return h("div", {"class": "chooser", role: "group", "aria-label": m.full_name}, options.filter(function (o) {
      return o[0] !== a.status;
    }).map(function (o) {
      return h("button", {type: "button", "class": "btn opt " + o[0], "data-status": o[0], onclick: pick(o[0])}, o[1]);
    }));
  }

  function speakersScreen() {
    if (!draft.roster) return notReady();
    var present = draft.roster.filter(function (m) { return draft.attendance[m.member_id].status === "present"; });
    return h("section", {}, [
      h("h1", {text: "Ai đã phát biểu?"}),
      h("p", {"class": "hint", text: "Bấm vào tên từng người có phát biểu ý kiến."}),
      h("p", {"class": "tally", text: counts().spoke + " người phát biểu"}),
      h("ul", {"class": "people"}, present.map(function (m) {
        var a = draft.attendance[m.member_id];
        return h("li", {"class": "person" + (a.spoke ? " spoke" : "")}, h("button", {
          type: "button", "class": "row-btn", role: "checkbox", "aria-checked": String(!!a.spoke), "data-member": m.member_id,
          onclick: function () { a.spoke = !a.spoke; save(); render(); }}, [
          h("span", {"class": "name", text: m.full_name}),
          h("span", {"class": "tick", "aria-hidden": "true", text: a.spoke ? "✓" : ""})]));
      }))
    ]);
  }

  function checklistScreen() {
    if (!draft.items) return notReady();
    var groups = [], byGroup = {};
    draft.items.forEach(function (it) {
      if (!byGroup[it.group]) { byGroup[it.group] = []; groups.push(it.group); }
      byGroup[it.group].push(it);
    });
    return h("section", {}, [
      h("h1", {text: "Các việc đã làm"}),
      h("p", {"class": "hint", text: "Bỏ dấu ở việc nào chưa làm."}),
      draft.items.length ? null : h("p", {"class": "banner warn", text: "Chưa có thang điểm áp dụng cho ngày này."})
    ].concat(groups.map(function (g) {
      return h("div", {"class": "group"}, [h("h2", {text: g}), h("ul", {"class": "checks"}, byGroup[g].map(checkRow))]);
    })));
  }
  function checkRow(it) {
    var on = !!draft.checklist[it.key];
    return h("li", {}, h("button", {type: "button", role: "checkbox", "aria-checked": String(on), "data-key": it.key,
      "class": "check" + (on ? " on" : ""), onclick: function () { draft.checklist[it.key] = !on; save(); render(); }}, [
      h("span", {"class": "box", "aria-hidden": "true", text: on ? "✓" : ""}), h("span", {text: it.label})]));
  }

  function resolutionScreen() {
    return h("section", {}, [
      h("h1", {text: "Nghị quyết, kết luận"}),
      h("label", {"class": "hint", "for": "resolution", text: "Ghi tóm tắt nghị quyết hoặc kết luận của buổi sinh hoạt (không bắt buộc)."}),
      h("textarea", {id: "resolution", rows: 8, maxlength: 20000, value: draft.resolution,
                     oninput: function (e) { draft.resolution = e.target.value; save(); }})
    ]);
  }

  function reviewScreen() {
    if (!draft.roster) return notReady();
    var c = counts(), b = draft.state === "sending" ? draft.body : body();
    var names = function (status) {
      return draft.roster.filter(function (m) { return draft.attendance[m.member_id].status === status; }).map(function (m) {
        var r = draft.attendance[m.member_id].reason;
        return m.full_name + (status === "absent_excused" && r.trim() ? " (" + r.trim() + ")" : "");
      });
    };
    var speakers = draft.roster.filter(function (m) { var a = draft.attendance[m.member_id]; return a.status === "present" && a.spoke; });
    var done = Object.keys(b.checklist).filter(function (k) { return b.checklist[k]; }).length;
    var kind = KINDS.filter(function (k) { return k[0] === draft.kind; })[0];
    return h("section", {}, [
      h("h1", {text: "Xem lại và lưu"}),
      draft.errors ? h("div", {"class": "banner error", role: "alert"}, [h("strong", {text: "Chưa lưu được:"}),
        h("ul", {}, draft.errors.map(function (m) { return h("li", {text: m}); }))]) : null,
      h("dl", {"class": "review"}, [
        item("Buổi sinh hoạt", [longDate(draft.held_on), (kind ? kind[1] : draft.kind) + " · " + draft.duration + " phút"], 0),
        item("Điểm danh", ["Có mặt " + c.present + "/" + c.expected]
          .concat(listed("Vắng có lý do", names("absent_excused")), listed("Vắng không lý do", names("absent_unexcused")),
                  listed("Miễn sinh hoạt", names("exempt"))), 1),
        item("Phát biểu", [c.spoke + " người" + (speakers.length ? ": " + speakers.map(function (m) { return m.full_name; }).join(", ") : "")], 2),
        item("Các việc đã làm", [done + "/" + Object.keys(b.checklist).length + " việc"], 3),
        item("Nghị quyết", [draft.resolution.trim() ? draft.resolution.trim() : "(không ghi)"], 4)
      ])
    ]);
  }
  function listed(label, names) { return names.length ? [label + ": " + names.join(", ")] : []; }
  function item(label, lines, step) {
    var edit = draft.state === "editing" ? h("button", {type: "button", "class": "btn small ghost", onclick: function () { go(step); }}, "Sửa") : null;
    return h("div", {"class": "review-item"}, [h("dt", {}, [h("span", {text: label}), edit]),
      h("dd", {}, lines.map(function (l) { return h("p", {text: l}); }))]);
  }

  function resultScreen() {
    var m = draft.saved, rating = m.rating;
    var verdict = rating
      ? h("div", {"class": "verdict " + rating.level, id: "verdict"}, [
          h("p", {"class": "score", text: "Điểm " + Math.round(rating.score * 10) / 10 + "/100"}),
          h("p", {"class": "level", text: "Xếp loại: " + (LEVELS[rating.level] || rating.level)}),
          h("p", {"class": "hint", text: "Có mặt " + rating.present + "/" + rating.expected + " · " + rating.speakers + " người phát biểu"})])
      : h("p", {"class": "hint", id: "verdict", text: draft.ratingTimeout
          ? "Chưa có kết quả xếp loại. Đồng chí xem lại sau ít phút."
          : "Đang chấm điểm…"});
    return h("section", {"class": "result"}, [
      h("p", {"class": "done-mark", "aria-hidden": "true", text: "✓"}),
      h("h1", {text: "Đã lưu biên bản"}),
      h("p", {text: longDate(m.held_on)}),
      verdict,
      h("button", {type: "button", "class": "btn primary", id: "again", onclick: function () {
        clearInterval(pollTimer); discard(); draft = fresh(TODAY); save(); loadData();
      }}, "Ghi biên bản buổi khác")
    ]);
  }

  // ---------- start ----------
  window.addEventListener("online", function () { if (draft.state === "sending") send(); });
  draft = restore();
  if (draft.state === "sending") { render(); send(); }
  else if (draft.state === "saved") { render(); poll(); }
  else loadData();
})();
