// Organizer pages: "tick all" on the works list and the keys that walk from work to work.
// Both pages work without it (links and forms).
(function () {
  // 全选: a checkbox in the list's header ticks every work on the page.
  var table = document.querySelector('#bulk-formal table');
  var head = table && table.querySelector('thead th.pick');
  if (head) {
    var all = document.createElement('input');
    all.type = 'checkbox';
    all.id = 'pick-all';
    all.setAttribute('aria-label', '全选本页作品');
    head.textContent = '';
    head.appendChild(all);
    var boxes = table.querySelectorAll('tbody input[type=checkbox][name=id]');
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
  }

  // j/→ next work, k/← previous, when the focus is not in a field.
  var nav = document.getElementById('walk');
  if (!nav) return;
  var hint = document.getElementById('walk-hint');
  if (hint) hint.hidden = false;
  document.addEventListener('keydown', function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|VIDEO)$/.test(t.tagName))) return;
    var id = { j: 'walk-next', ArrowRight: 'walk-next', k: 'walk-prev', ArrowLeft: 'walk-prev' }[ev.key];
    var link = id && document.getElementById(id);
    if (link) { ev.preventDefault(); window.location.href = link.href; }
  });
})();
