// Bandwidth pages: reload the graphs and the current rates every minute, without inline script (CSP).
// Graphs: <img data-refresh> get a fresh cache-busting query. Rates: elements with data-rate="<id>:in|out|link|at"
// are filled from the JSON at <main data-rates-url="...">.
(function () {
  "use strict";
  var PERIOD_MS = 60000;

  function refreshGraphs() {
    var images = document.querySelectorAll("img[data-refresh]");
    var stamp = Date.now();
    images.forEach(function (image) {
      var base = image.getAttribute("data-refresh");
      var next = new Image();
      next.onload = function () { image.src = next.src; };
      next.src = base + (base.indexOf("?") === -1 ? "?" : "&") + "t=" + stamp;
    });
  }

  function refreshRates(url) {
    if (!url || !window.fetch) { return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.interfaces) { return; }
        document.querySelectorAll("[data-rate]").forEach(function (cell) {
          var parts = cell.getAttribute("data-rate").split(":");
          var row = data.interfaces[parts[0]];
          if (row && row[parts[1]] !== undefined) { cell.textContent = row[parts[1]]; }
        });
      })
      .catch(function () { /* offline for a moment: try again next minute */ });
  }

  function tick() {
    if (document.hidden) { return; }
    var holder = document.querySelector("[data-rates-url]");
    refreshGraphs();
    refreshRates(holder ? holder.getAttribute("data-rates-url") : "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setInterval(tick, PERIOD_MS);
    var live = document.querySelector("[data-refresh-status]");
    if (live) { live.textContent = live.getAttribute("data-refresh-status"); }
  });
})();
