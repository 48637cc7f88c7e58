// The import job page follows its job: it asks the job's status URL every second, shows the rows read,
// checked and written, and reloads once the job has finished (the server then shows the outcome).
(function () {
  "use strict";
  var section = document.querySelector("[data-import-job]");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var bar = section.querySelector(".progress-bar");
  var status = section.querySelector("[data-testid=job-status]");

  function show(job) {
    ["rows_read", "rows_checked", "rows_written"].forEach(function (name) {
      var cell = section.querySelector('[data-count="' + name + '"]');
      if (cell) cell.textContent = job[name];
    });
    status.textContent = job.status_label;
    section.setAttribute("data-status", job.status);
    // Reading has no known end (the sheet streams); checking and writing are shares of the rows read.
    var share = job.rows_read ? (job.rows_checked + job.rows_written) / (2 * job.rows_read) : 0;
    var percent = Math.max(5, Math.round(100 * share));
    bar.style.width = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();
