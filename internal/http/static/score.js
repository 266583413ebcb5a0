// The judge's scoring form: a live weighted total, and Ctrl+Enter (⌘+Enter) to submit.
(function () {
  "use strict";
  var form = document.querySelector("form.scoring");
  if (!form) return;
  var out = document.getElementById("total-score");
  var inputs = form.querySelectorAll("input[type=number]");
  function total() {
    var sum = 0, complete = true;
    inputs.forEach(function (i) {
      var v = parseFloat(i.value), max = parseFloat(i.dataset.max), w = parseFloat(i.dataset.weight);
      if (isNaN(v)) { complete = false; return; }
      i.classList.toggle("bad", v < 0 || v > max);
      sum += Math.min(Math.max(v, 0), max) / max * w;
    });
    out.textContent = (Math.round(sum * 100) / 100) + (complete ? "" : "（未填完）");
  }
  inputs.forEach(function (i) { i.addEventListener("input", total); });
  total();
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      document.getElementById("submit-score").click();
    }
  });
})();
