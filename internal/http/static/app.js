// Small progressive enhancements; every page works without them.
(function () {
  // Countdown to the collection deadline, computed from the server's clock, shown in Beijing time
  // whatever the browser's zone.
  var box = document.querySelector('.deadline[data-closes]'); // only while works are collected
  var out = box && box.querySelector('.countdown'); // a judge's banner has no countdown
  if (out) {
    var closes = +box.dataset.closes, opens = +box.dataset.opens, offset = +box.dataset.now - Date.now();
    var tick = function () {
      var now = Date.now() + offset;
      if (now < opens) { out.textContent = '征集尚未开始'; return; }
      var left = closes - now;
      if (left <= 0) { out.textContent = '征集已截止'; return; }
      var s = Math.floor(left / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
          m = Math.floor(s % 3600 / 60), sec = s % 60;
      out.textContent = '距截止还剩 ' + (d ? d + '天' : '') + h + '小时' + m + '分' + sec + '秒';
    };
    tick(); setInterval(tick, 1000);
  }

  // Add and remove participant rows without a round trip.
  var list = document.getElementById('participants');
  var add = document.getElementById('add-participant');
  if (list && add) {
    add.addEventListener('click', function (ev) {
      var rows = list.querySelectorAll('.participant');
      var last = rows[rows.length - 1];
      if (!last) return; // no template row: let the server add one
      ev.preventDefault();
      var row = last.cloneNode(true);
      row.querySelectorAll('input').forEach(function (i) { i.value = ''; });
      row.querySelectorAll('select').forEach(function (s) { s.selectedIndex = 0; });
      row.querySelectorAll('.err').forEach(function (e) { e.remove(); });
      list.insertBefore(row, add);
    });
    list.addEventListener('click', function (ev) {
      if (!ev.target.classList.contains('remove-participant')) return;
      var rows = list.querySelectorAll('.participant');
      var row = ev.target.closest('.participant');
      if (rows.length > 1) { row.remove(); } else { row.querySelectorAll('input').forEach(function (i) { i.value = ''; }); }
    });
  }

  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (ev) { if (!confirm(f.dataset.confirm)) ev.preventDefault(); });
  });
  document.querySelectorAll('input.copy').forEach(function (i) {
    i.addEventListener('focus', function () { i.select(); });
  });
  document.querySelectorAll('.copy-button').forEach(function (b) {
    b.addEventListener('click', function () {
      var input = b.parentNode.querySelector('input.copy');
      var done = function () { b.textContent = '已复制'; setTimeout(function () { b.textContent = '复制链接'; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else { input.select(); try { document.execCommand('copy'); done(); } catch (e) {} }
    });
  });

  // Mark the fields with errors and bring the first one into view: on a phone the message at
  // the top is far from the field.
  var first = null;
  document.querySelectorAll('.err:not([hidden])').forEach(function (err) { // a hidden one waits for a script's message
    var prev = err.previousElementSibling;
    if (!prev) return;
    var inputs = prev.matches('input,select,textarea') ? [prev] : prev.querySelectorAll('input:not([type=hidden]),textarea');
    var input = inputs[inputs.length - 1];
    if (!input) return;
    input.setAttribute('aria-invalid', 'true');
    if (!err.id) err.id = 'err-' + Math.random().toString(36).slice(2);
    input.setAttribute('aria-describedby', err.id);
    if (!first) first = input;
  });
  if (first) { first.scrollIntoView({ block: 'center' }); first.focus({ preventScroll: true }); }

  // A table wider than the screen scrolls sideways in its .scroll box: make the box reachable
  // with the keyboard (arrow keys scroll it) and name it after its section's heading.
  var named = function () {
    document.querySelectorAll('.scroll').forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute('tabindex')) return;
      var section = box.closest('section, article, details, main');
      var h = section && section.querySelector('h1, h2, h3, summary');
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', (h ? h.textContent.trim() + '：' : '') + '表格可左右滚动');
    });
  };
  named();
  window.addEventListener('resize', named);
  document.addEventListener('toggle', named, true); // a table inside a <details> just opened
})();
