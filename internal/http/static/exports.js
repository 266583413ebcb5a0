// Follows the packages being built on the publication page: polls each unfinished one and
// reloads the page when it is done or failed, so the download link appears.
(function () {
  var rows = document.querySelectorAll('tr[data-export]');
  rows.forEach(function (row) {
    var status = row.getAttribute('data-status');
    if (status === 'done' || status === 'failed') return;
    var id = row.getAttribute('data-export');
    var bar = row.querySelector('progress'), text = row.querySelector('.progress-text');
    var poll = function () {
      fetch((document.body.dataset.api || '/api/v1') + '/admin/exports/' + id, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) {
        if (j.status === 'done' || j.status === 'failed') { location.reload(); return; }
        if (j.total && j.status === 'running') {
          bar.max = j.total; bar.value = j.done;
          text.textContent = j.done < j.total ? j.done + '/' + j.total : '正在保存压缩包…';
        }
        setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  });
})();
