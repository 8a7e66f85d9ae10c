/* Keeps [data-live-src] elements current: every 15 seconds (the server's cache age) the fragment
   at data-live-src is asked for again with the ETag of what the page shows (data-live-etag at
   first), so an unchanged fragment costs a 304 and leaves the page untouched. The request
   bypasses the browser's cache to carry that ETag itself, which works the same where a browser
   keeps no cache. Polling pauses while the tab is hidden. Without JavaScript the page shows
   the state at load. */
(function () {
  "use strict";

  function keepOpenState(element, html) {
    var open = {};
    element.querySelectorAll("details[id]").forEach(function (details) {
      open[details.id] = details.open;
    });
    element.innerHTML = html;
    element.querySelectorAll("details[id]").forEach(function (details) {
      if (details.id in open) details.open = open[details.id];
    });
  }

  function watch(element) {
    var etag = element.getAttribute("data-live-etag");
    var busy = false;

    function refresh() {
      if (document.hidden || busy) return;
      busy = true;
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(element.getAttribute("data-live-src"), {
        credentials: "same-origin",
        cache: "no-store",
        headers: headers,
      })
        .then(function (response) {
          if (response.status === 304) return null;
          if (!response.ok) throw new Error(String(response.status));
          etag = response.headers.get("ETag");
          return response.text();
        })
        .then(function (html) {
          if (html !== null) keepOpenState(element, html);
        })
        // Offline or a server hiccup: keep what is shown and try again at the next tick.
        .catch(function () {})
        .then(function () {
          busy = false;
        });
    }

    setInterval(refresh, 15000);
    document.addEventListener("visibilitychange", refresh);
  }

  document.querySelectorAll("[data-live-src]").forEach(watch);
})();
