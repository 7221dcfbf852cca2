// Keeps an import's progress up to date without reloading the page: asks the status endpoint
// every few seconds and puts the server-rendered fragment in place; reloads the page once the
// import has finished, so the report shows. Without JavaScript, a <noscript> refresh does it.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var stalled = box.getAttribute("data-stalled") === "true";
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 10000);
        if (!data.active || data.stalled !== stalled) return window.location.reload();
        box.innerHTML = data.html;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 2000);
})();
