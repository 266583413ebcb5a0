// While a video is being checked, ask the server every few seconds and reload the page once
// the check has finished (verdict, poster frame and web copy), so the contestant sees it
// without pressing anything.
(function () {
  "use strict";
  var box = document.querySelector(".video-check[data-pending]");
  if (!box) return;
  var id = box.getAttribute("data-submission"), delay = 2000, tries = 0;
  function poll() {
    tries++;
    fetch("/api/v1/submissions/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        var check = s && s.video && s.video.check;
        if (check && (check.done || check.state === "failed") || check && check.state !== box.getAttribute("data-check")) {
          location.reload();
          return;
        }
        if (s && !s.video) { location.reload(); return; }
        schedule();
      })
      .catch(schedule);
  }
  function schedule() {
    // Every 2 s for the first minute, then every 10 s: a check retried after an error takes longer.
    setTimeout(poll, tries < 30 ? delay : 10000);
  }
  schedule();
})();
