// The judge's scoring form: each score checked against its criterion's limit as it is typed
// (the field marked, the limit said beside it), a live weighted total that says when a score
// is not valid instead of leaving it out, and Ctrl+Enter (⌘+Enter) to submit.
(function () {
  "use strict";
  var form = document.querySelector("form.scoring");
  if (!form) return;
  var out = document.getElementById("total-score");
  var of = document.getElementById("total-of");
  var note = document.getElementById("total-note");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=number]"));

  // problem returns what is wrong with a field's score, or "" (an empty field is not wrong yet).
  function problem(i) {
    var max = parseFloat(i.dataset.max), v = parseFloat(i.value);
    if (i.validity.badInput || (i.value !== "" && isNaN(v))) return "请输入数字，0–" + max + " 分";
    if (i.value === "") return "";
    if (v < 0 || v > max) return "本项满分 " + max + " 分，请输入 0–" + max + " 之间的分数";
    return "";
  }

  // mark shows a field's problem beside it; a message the server sent stays until the field is
  // edited (keep), so a refused form keeps its reasons when the page opens.
  function mark(i, keep) {
    var msg = problem(i), err = document.getElementById(i.getAttribute("aria-describedby"));
    if (!msg && keep) return "";
    i.classList.toggle("bad", !!msg);
    if (msg) i.setAttribute("aria-invalid", "true"); else i.removeAttribute("aria-invalid");
    if (err) { err.textContent = msg; err.hidden = !msg; }
    return msg;
  }

  function total() {
    var sum = 0, complete = true, bad = 0, range = 0;
    inputs.forEach(function (i) {
      var msg = problem(i);
      var v = parseFloat(i.value), max = parseFloat(i.dataset.max), w = parseFloat(i.dataset.weight);
      if (msg) { bad++; if (msg.indexOf("满分") >= 0) range++; return; }
      if (isNaN(v)) { complete = false; return; }
      sum += v / max * w;
    });
    out.parentNode.classList.toggle("bad", bad > 0);
    if (bad > 0) { // no total from scores that cannot be saved
      out.textContent = "—";
      of.hidden = true;
      note.textContent = "有 " + bad + " 项" + (range === bad ? "超出范围" : "分数无效") + "，请先改正";
      return;
    }
    out.textContent = Math.round(sum * 100) / 100;
    of.hidden = false;
    note.textContent = complete ? "" : "（未填完）";
  }

  inputs.forEach(function (i) {
    mark(i, true);
    i.addEventListener("input", function () { mark(i, false); total(); });
  });
  total();
  // A score out of range is not sent: the first one is shown instead (the server refuses it too).
  form.addEventListener("submit", function (e) {
    var first = inputs.filter(function (i) { return problem(i); })[0];
    if (first) { e.preventDefault(); first.focus(); }
  });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      document.getElementById("submit-score").click();
    }
  });
})();
