// New rubric version from an existing one: copy the base definition, apply the edited points and bands, POST it.
(function () {
  const form = document.getElementById("rubric-form");
  if (!form) return;
  const base = JSON.parse(form.dataset.base);
  const result = document.getElementById("result");
  function definition() {
    const d = JSON.parse(JSON.stringify(base));
    form.querySelectorAll("[data-item]").forEach((input) => {
      const [g, i] = input.dataset.item.split(".").map(Number);
      d.groups[g].items[i].points = Number(input.value);
    });
    d.bands.forEach((b) => {
      const min = form.querySelector(`[data-band-min="${b.level}"]`);
      const max = form.querySelector(`[data-band-max="${b.level}"]`);
      if (min) b.min = Number(min.value);
      if (max) b.max = Number(max.value);
    });
    return d;
  }
  // Group maxima stay those of the base version: the live sums show whether the items still add up.
  form.addEventListener("input", () => {
    const d = definition();
    d.groups.forEach((g, i) => {
      const el = form.querySelector(`[data-group-sum="${i}"]`);
      const sum = g.items.reduce((s, it) => s + it.points, 0);
      if (el) { el.textContent = sum; el.className = sum === g.max ? "ok" : "errors"; }
    });
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const body = { code: data.get("code"), definition: definition(), effective_from: data.get("effective_from"),
                   effective_to: data.get("effective_to") || null, scope_org_id: data.get("scope_org_id") || null };
    const response = await fetch("/meetings/api/rubrics", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const json = await response.json().catch(() => ({}));
    if (response.status === 201) {
      result.className = "ok";
      result.textContent = `Đã ban hành ${json.code} phiên bản ${json.version}. Các buổi sinh hoạt trong thời gian hiệu lực sẽ được tính lại điểm.`;
    } else {
      result.className = "errors";
      result.innerHTML = "";
      (json.detail || [{ msg_vi: "Không lưu được (mã lỗi " + response.status + ")" }]).forEach((p) => {
        const line = document.createElement("p");
        line.textContent = (p.field ? p.field + ": " : "") + (p.msg_vi || p.msg);
        result.appendChild(line);
      });
    }
  });
})();
