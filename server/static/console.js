// Keeps the alert banner current while a console page stays open: an emergency at a kiosk
// must reach the desk without anyone reloading. Plain fetch, same origin, no framework.
(function () {
  "use strict";
  var banner = document.getElementById("alert-banner");
  if (!banner || !window.fetch) { return; }
  var source = banner.getAttribute("data-src");
  var last = banner.innerHTML.trim();
  function refresh() {
    fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = html.trim();
        // Never replace the banner while someone is using one of its buttons.
        if (fresh !== last && !banner.contains(document.activeElement)) {
          banner.innerHTML = fresh;
          last = fresh;
        }
      })
      .catch(function () { /* the server is restarting: try again next time */ });
  }
  window.setInterval(refresh, 15000);
}());
