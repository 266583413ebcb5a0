// While a video is being checked, ask the server every few seconds and reload the page once
// the check has finished (verdict, poster frame and web copy), so the contestant sees it
// without pressing anything. The same for a new video waiting to replace an accepted one
// (the candidate): the page reloads when it has replaced the video or was refused.
(function () {
  "use strict";
  var box = document.querySelector(".video-check[data-pending]");
  var cand = document.querySelector(".video-candidate[data-pending]");
  if (!box && !cand) return;
  var id = (box || cand).getAttribute("data-submission"), delay = 2000, tries = 0;
  function changed(s) {
    if (!s) return false;
    if (cand && (!s.video_candidate || s.video_candidate.check.state !== cand.getAttribute("data-check"))) return true;
    if (!box) return false;
    var check = s.video && s.video.check;
    return !s.video || check && (check.done || check.state === "failed" || check.state !== box.getAttribute("data-check"));
  }
  function poll() {
    tries++;
    fetch((document.body.dataset.api || "/api/v1") + "/submissions/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (changed(s)) { location.reload(); return; }
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
