// Live reload for `build.py serve` only: never part of a built site (issue 9).
// Polls the preview server; reloads when a new build is in, shows a content error on the page.
(function () {
  "use strict";
  var seen = null;
  var box = null;
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "live-reload-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#fff;color:#000;border-top:4px solid #b00020;" +
        "font:14px/1.4 monospace;white-space:pre-wrap;z-index:2147483647";
      document.body.appendChild(box);
    }
    box.textContent = "The last change did not build; this page shows the previous site.\n\n" + text;
  }
  function poll() {
    fetch("/__live/status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen === null) { seen = s.version; }
      if (s.version !== seen) { location.reload(); return; }
      if (s.error) { show(s.error); } else if (box) { box.remove(); box = null; }
      setTimeout(poll, 400);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
}());
