// Polls a background job's status and updates its progress bar until it ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var percent = box.querySelector(".job-percent");
  var status = box.querySelector(".job-status");
  var error = box.querySelector(".job-error");
  var download = box.querySelector(".job-download");

  function render(data) {
    bar.value = data.progress.percent;
    bar.textContent = data.progress.percent + "%";
    percent.textContent = data.progress.percent + "%";
    status.textContent = status.getAttribute("data-label-" + data.status) || data.status;
    if (data.status === "failed") {
      error.hidden = false;
      error.querySelector(".job-error-text").textContent = data.error || "";
    }
    download.hidden = !data.has_download;
    return data.status === "finished" || data.status === "failed";
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!render(data)) { setTimeout(poll, 700); } })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
