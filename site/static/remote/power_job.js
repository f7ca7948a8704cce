// Polls a power job (GET /api/remote/power-jobs/<id>/) until the BMC's answer is in, then shows it.
(function () {
  "use strict";
  var box = document.getElementById("power-job");
  if (!box || box.dataset.finished) return;
  var labels = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed", timed_out: "BMC did not answer" };
  var started = Date.now();
  function show(job) {
    document.getElementById("job-status").textContent = labels[job.status] || job.status;
    var detail = document.getElementById("job-detail");
    if (job.status === "queued") {
      detail.textContent = Date.now() - started > 20000
        ? "Still waiting for a worker: the task queue may be stopped. The job will run when it is back."
        : "Waiting for a worker to send it to the BMC…";
    } else if (job.status === "running") {
      detail.textContent = "The BMC is working on it…";
    } else {
      detail.textContent = job.power_state ? "The server's power is now " + job.power_state + "." : "";
    }
    var error = document.getElementById("job-error");
    error.hidden = !job.error;
    error.textContent = job.error || "";
    document.getElementById("job-answer").textContent = job.bmc_answer || "—";
    if (job.started_at && job.finished_at) {
      document.getElementById("job-duration").textContent =
        Math.round(new Date(job.finished_at) - new Date(job.started_at)) + " ms";
    }
    return ["succeeded", "failed", "timed_out"].indexOf(job.status) >= 0;
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (job) { if (!show(job)) setTimeout(poll, 700); })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
