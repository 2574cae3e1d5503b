/* Documents panel (templates/documents/_panel.html): while one of its rows is queued or rendering
 * ([data-doc-busy]), re-fetch the panel's body from its data-refresh-url, first after 2 s and then less
 * often (up to every 15 s), and stop once nothing is busy. Renders queued by a workflow change (the
 * agreement once signed) have no requester to notify over the websocket, so this is how every viewer
 * sees them finish; live.js still refreshes the requester's panel at once on its "document" event.
 * External file, no inline script (CSP). */
(function () {
  "use strict";
  if (window.__documentsPanel) return;  // the panel may be included more than once on a page
  window.__documentsPanel = true;

  var FIRST = 2000, MAX = 15000;

  function busy(panel) { return !!panel.querySelector("[data-doc-busy]"); }

  function schedule(panel, delay) {
    if (panel.__docTimer || !busy(panel)) return;
    panel.__docTimer = setTimeout(function () {
      panel.__docTimer = null;
      if (!busy(panel)) return;
      var url = panel.getAttribute("data-refresh-url");
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          panel.innerHTML = html;
          panel.dispatchEvent(new CustomEvent("documents:refreshed", { bubbles: true }));
        })
        .catch(function () {})
        .then(function () { schedule(panel, Math.min(Math.round(delay * 1.5), MAX)); });
    }, delay);
  }

  function watchAll() {
    document.querySelectorAll(".documents-panel[data-refresh-url]").forEach(function (p) { schedule(p, FIRST); });
  }

  watchAll();
  /* live.js replaced a panel's body (a "document" event, a reconnect): watch it again if still busy */
  document.addEventListener("live:refreshed", function (e) {
    var p = e.target;
    if (p && p.classList && p.classList.contains("documents-panel")) schedule(p, FIRST);
  });
})();
