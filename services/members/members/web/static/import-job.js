// Polls the import job once a second and moves the bar; when the job is done, goes to the preview.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var id = box.dataset.job, bar = box.querySelector(".fill"), text = document.getElementById("job-text");
  var err = document.getElementById("job-error"), next = document.getElementById("job-next");
  var phases = {reading: "Đang đọc tệp", matching: "Đang đối chiếu và lưu", applying: "Đang áp dụng"};
  function show(job) {
    var pct = job.percent === null ? 0 : job.percent;
    bar.style.width = pct + "%";
    box.querySelector(".bar").setAttribute("aria-valuenow", String(pct));
    var phase = job.status === "running" ? (phases[job.phase] || "Đang xử lý") + " · " : "";
    text.textContent = phase + job.done_rows.toLocaleString("vi-VN") +
      (job.total_rows ? "/" + job.total_rows.toLocaleString("vi-VN") : "") + " dòng" +
      (job.percent === null ? "" : " · " + job.percent + "%");
    if (job.status === "failed") {
      err.hidden = false;
      err.firstChild.textContent = job.error_vi || "Không thực hiện được";
      return true;
    }
    if (job.status === "done") {
      next.hidden = false;
      window.location.assign("/members/import/" + job.import_id);
      return true;
    }
    return false;
  }
  function poll() {
    fetch("/members/api/hr/import-jobs/" + id, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) { if (!show(job)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (box.dataset.status === "running") poll();
  else if (box.dataset.status === "done") window.location.assign("/members/import/" + box.dataset.import);
})();
