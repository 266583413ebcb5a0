// Resumable video upload (see docs/design/upload.md). The file goes in parts: each is hashed
// (SHA-256) in the browser, sent to the URL the server hands out (straight to object storage in
// production), and retried on failure; completion sends the composite of the part hashes, so
// the server can check that every byte arrived as it was on the device. Nothing is kept in the
// browser: after a reload, picking the same file again resumes where the server says it stopped.
(function () {
  'use strict';
  var box = document.querySelector('.uploader');
  if (!box) return;

  var $ = function (sel) { return box.querySelector(sel); };
  var csrf = box.dataset.csrf, submission = box.dataset.submission, maxBytes = +box.dataset.max;
  var input = $('input[type=file]'), drop = $('.drop'), progress = $('.progress');
  var fill = $('.fill'), bar = $('.bar'), pct = $('.pct'), bytesOut = $('.bytes'), speedOut = $('.speed'), etaOut = $('.eta');
  var stateOut = $('.state'), pauseBtn = $('.pause'), resumeBtn = $('.resume'), retryBtn = $('.retry'), cancelBtn = $('.cancel');

  // ---- SHA-256: WebCrypto where the page is a secure context, else a small JS version ----
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  function sha256js(data) {
    var len = data.length, total = ((len + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(data); m[len] = 0x80;
    var dv = new DataView(m.buffer);
    dv.setUint32(total - 8, Math.floor(len / 0x20000000)); dv.setUint32(total - 4, (len << 3) >>> 0);
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var w = new Uint32Array(64);
    for (var off = 0; off < total; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
      for (i = 16; i < 64; i++) {
        var a = w[i - 15], b = w[i - 2];
        var s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        var s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var A = h[0], B = h[1], C = h[2], D = h[3], E = h[4], F = h[5], G = h[6], H = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
        var t1 = (H + S1 + ((E & F) ^ (~E & G)) + K[i] + w[i]) | 0;
        var S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
        var t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0;
        H = G; G = F; F = E; E = (D + t1) | 0; D = C; C = B; B = A; A = (t1 + t2) | 0;
      }
      h[0] += A; h[1] += B; h[2] += C; h[3] += D; h[4] += E; h[5] += F; h[6] += G; h[7] += H;
    }
    var out = new Uint8Array(32), ov = new DataView(out.buffer);
    for (i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]);
    return out;
  }
  function sha256(buf) {
    if (window.crypto && crypto.subtle && window.isSecureContext) {
      return crypto.subtle.digest('SHA-256', buf).then(function (d) { return new Uint8Array(d); });
    }
    return Promise.resolve(sha256js(new Uint8Array(buf)));
  }
  function b64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  // ---- formatting ----
  function size(n) {
    var u = ['B', 'KB', 'MB', 'GB'], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 2 : 1) : n) + u[i];
  }
  function duration(s) {
    s = Math.round(s);
    if (s < 60) return s + '秒';
    if (s < 3600) return Math.floor(s / 60) + '分' + (s % 60) + '秒';
    return Math.floor(s / 3600) + '小时' + Math.floor(s % 3600 / 60) + '分';
  }

  // ---- API ----
  function api(method, path, body) {
    return fetch((document.body.dataset.api || '/api/v1') + path, {
      method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
        if (res.ok) return data;
        var err = new Error((data && data.error && data.error.message) || ('服务器返回错误 ' + res.status));
        err.status = res.status;
        err.retryAfter = parseInt(res.headers.get('Retry-After'), 10) || 0;
        err.code = data && data.error ? ((data.error.fields && data.error.fields.upload && data.error.fields.upload.code) || data.error.code) : '';
        throw err;
      });
    });
  }
  // Refusals that retrying cannot fix.
  var final = { deadline_passed: 1, upload_closed: 1, not_found: 1, forbidden: 1, unauthorized: 1, invalid: 1,
    upload_type: 1, upload_empty: 1, upload_too_large: 1, part_out_of_range: 1, checksum_format: 1 };

  // ---- the upload ----
  var job = null; // {file, plan, hashes[], done{}, inflight{}, sent, paused, failed, samples[]}

  function show(msg, kind) {
    stateOut.textContent = msg;
    stateOut.className = 'state' + (kind ? ' ' + kind : '');
  }
  function buttons() {
    var running = job && !job.paused && !job.failed && !job.finished;
    pauseBtn.hidden = !running;
    resumeBtn.hidden = !(job && job.paused);
    retryBtn.hidden = !(job && job.failed);
    cancelBtn.hidden = !job || job.finished;
    drop.hidden = !!(job && !job.failed && !job.finished);
  }

  function render() {
    if (!job || !job.plan) return;
    var inflight = 0;
    for (var n in job.inflight) inflight += job.inflight[n];
    var sent = job.sent + inflight, total = job.plan.size;
    var p = total ? Math.min(100, sent / total * 100) : 0;
    fill.style.width = p.toFixed(1) + '%';
    bar.setAttribute('aria-valuenow', p.toFixed(0));
    pct.textContent = p.toFixed(p < 10 ? 1 : 0) + '%';
    bytesOut.textContent = size(sent) + ' / ' + size(total);
    var now = Date.now();
    job.samples.push([now, sent]);
    while (job.samples.length > 2 && now - job.samples[0][0] > 8000) job.samples.shift();
    var first = job.samples[0], rate = now > first[0] ? (sent - first[1]) / ((now - first[0]) / 1000) : 0;
    if (!job.paused && !job.failed && rate > 0 && now - job.started > 1500) {
      speedOut.textContent = size(rate) + '/s';
      etaOut.textContent = '剩余约 ' + duration((total - sent) / rate);
    } else {
      speedOut.textContent = ''; etaOut.textContent = '';
    }
  }

  function partRange(j, n) {
    var start = (n - 1) * j.plan.part_size;
    return [start, Math.min(start + j.plan.part_size, j.plan.size)];
  }

  function readPart(j, n) {
    var r = partRange(j, n);
    return j.file.slice(r[0], r[1]).arrayBuffer();
  }

  // hashPart resolves to part n's bytes once its SHA-256 is in j.hashes (computed once).
  function hashPart(j, n) {
    return readPart(j, n).then(function (buf) {
      if (j.hashes[n]) return buf;
      return sha256(buf).then(function (d) { j.hashes[n] = d; return buf; });
    });
  }

  // sendPart asks where to send part n and sends it, with progress.
  function sendPart(j, n) {
    return hashPart(j, n).then(function (buf) {
      var digest = j.hashes[n];
      return api('POST', '/uploads/' + j.plan.id + '/parts', { parts: [{ n: n, sha256: b64(digest) }] }).then(function (out) {
        var t = out.parts[0];
        return new Promise(function (resolve, reject) {
          var xhr = new XMLHttpRequest();
          j.xhrs[n] = xhr;
          xhr.open(t.method, t.url);
          for (var k in t.headers) xhr.setRequestHeader(k, t.headers[k]);
          if (new URL(t.url, location.href).origin === location.origin) xhr.setRequestHeader('X-CSRF-Token', csrf);
          xhr.upload.onprogress = function (ev) { j.inflight[n] = ev.loaded; render(); };
          xhr.onload = function () {
            delete j.xhrs[n];
            if (xhr.status >= 200 && xhr.status < 300) { resolve(); return; }
            var err = new Error('分片 ' + n + ' 上传失败（' + xhr.status + '）');
            err.status = xhr.status;
            err.retryAfter = parseInt(xhr.getResponseHeader('Retry-After'), 10) || 0;
            try { var e = JSON.parse(xhr.responseText).error; if (e) { err.message = e.message; err.code = (e.fields && e.fields.upload && e.fields.upload.code) || e.code; } } catch (x) { /* S3 answers XML */ }
            reject(err);
          };
          xhr.onerror = xhr.ontimeout = function () { delete j.xhrs[n]; reject(new Error('网络连接中断')); };
          xhr.onabort = function () { delete j.xhrs[n]; var e = new Error('paused'); e.paused = true; reject(e); };
          xhr.send(buf);
        });
      });
    });
  }

  function worker(j) {
    if (j !== job || j.paused || j.failed) return Promise.resolve();
    var n = j.queue.shift();
    if (!n) return Promise.resolve();
    j.inflight[n] = 0;
    var attempt = 0;
    var tryOnce = function () {
      return sendPart(j, n).then(function () {
        delete j.inflight[n];
        j.done[n] = true;
        var r = partRange(j, n);
        j.sent += r[1] - r[0];
        render();
      }, function (err) {
        delete j.inflight[n];
        if (err.paused || j !== job || j.paused) { j.queue.unshift(n); return; }
        attempt++;
        // 503: the server is up but busy, or its storage is down or full, and it says when to
        // come back. Nothing sent is lost, so wait as told, and longer than for a dropped line.
        var busy = err.status === 503;
        if (final[err.code] || attempt > (busy ? 30 : 5)) { j.queue.unshift(n); throw err; }
        var wait = Math.min(30000, 1000 * Math.pow(2, attempt - 1));
        if (busy) {
          wait = Math.min(120000, Math.max(wait, (err.retryAfter || 5) * 1000));
          show(err.message + '（' + Math.round(wait / 1000) + '秒后自动重试）', 'warn');
        } else {
          show('网络不稳定，正在重试（第' + attempt + '次）……', 'warn');
        }
        return new Promise(function (r) { setTimeout(r, wait); }).then(function () {
          if (j !== job || j.paused) { j.queue.unshift(n); return; }
          show('正在上传……');
          return tryOnce();
        });
      });
    };
    return tryOnce().then(function () { return worker(j); });
  }

  function run(j) {
    j.failed = false; j.paused = false; j.samples = []; j.started = Date.now();
    buttons();
    show('正在上传……');
    var lanes = 3, c = navigator.connection;
    if (c && (c.saveData || /(^|-)2g|3g/.test(c.effectiveType || ''))) lanes = 1;
    var workers = [];
    for (var i = 0; i < lanes; i++) workers.push(worker(j));
    return Promise.all(workers).then(function () {
      if (j !== job || j.paused) return;
      for (var n = 1; n <= j.plan.part_count; n++) if (!j.done[n]) return; // a lane failed meanwhile
      return complete(j);
    }).catch(function (err) { fail(j, err); });
  }

  // whenAvailable calls call again while the server answers 503 (busy, storage down or full),
  // waiting as its Retry-After says, at most tries times more.
  function whenAvailable(call, tries) {
    return call().catch(function (err) {
      if (err.status !== 503 || tries <= 0) throw err;
      var wait = Math.min(120000, (err.retryAfter || 5) * 1000);
      show(err.message + '（' + Math.round(wait / 1000) + '秒后自动重试）', 'warn');
      return new Promise(function (r) { setTimeout(r, wait); }).then(function () { return whenAvailable(call, tries - 1); });
    });
  }

  function complete(j) {
    show('正在校验文件……');
    var ns = [];
    for (var n = 1; n <= j.plan.part_count; n++) ns.push(n);
    // Every part's hash, also of parts sent before a reload.
    return ns.reduce(function (p, n) { return p.then(function () { return j.hashes[n] || hashPart(j, n); }); }, Promise.resolve()).then(function () {
      var all = new Uint8Array(32 * ns.length);
      ns.forEach(function (n, i) { all.set(j.hashes[n], i * 32); });
      return sha256(all.buffer);
    }).then(function (d) {
      return whenAvailable(function () {
        return api('POST', '/uploads/' + j.plan.id + '/complete', { checksum: b64(d) + '-' + ns.length });
      }, 20);
    }).then(function () {
      j.finished = true;
      buttons();
      fill.style.width = '100%'; pct.textContent = '100%'; speedOut.textContent = ''; etaOut.textContent = '';
      show('上传完成，文件已通过完整性校验。', 'ok');
      setTimeout(function () { location.reload(); }, 800);
    });
  }

  function fail(j, err) {
    if (j !== job) return;
    j.failed = true;
    buttons();
    render();
    var msg = err && err.message ? err.message : '上传失败';
    if (err && err.code === 'upload_closed') { job = null; buttons(); }
    show(msg + (final[err && err.code] ? '' : '。已上传的部分不会丢失，请检查网络后点击“重试”。'), 'err');
  }

  function start(file) {
    var name = file.name || '';
    if (!/\.(mp4|m4v)$/i.test(name) && file.type !== 'video/mp4') {
      show('仅接受MP4格式的视频（文件名以 .mp4 结尾）。MOV等格式请先导出为MP4。', 'err'); progress.hidden = false; return;
    }
    if (maxBytes && file.size > maxBytes) {
      show('视频文件 ' + size(file.size) + '，超过' + size(maxBytes) + '上限，请降低码率后重新导出。', 'err'); progress.hidden = false; return;
    }
    var ask = confirmations(file);
    if (ask.length) { confirmFirst(ask.join(''), file); return; }
    begin(file);
  }

  // ---- asking before an upload starts ----
  // A work whose video passed its check keeps it until the new one passes too (a new video still
  // waiting for its check is then given up); and in WeChat's
  // own browser a large upload may be cut off (the page says so; see the .wechat-hint).
  var wechatLarge = 10 << 20;
  var confirmBox = $('.confirm-upload'), confirmText = $('#confirm-upload-text'), pending = null;
  function confirmations(file) {
    var out = [];
    if (box.dataset.accepted) {
      out.push('已有通过检查的视频“' + box.dataset.accepted + '”。上传新视频后，新视频通过检查才会替换它，在此之前参评的仍是原视频。');
    }
    if (box.dataset.candidate) {
      // Only one new video waits: an upload now puts aside the one not yet checked.
      out.push((box.dataset.candidateState === 'checking' ? '正在检查的' : '未能检查的') + '新视频“' + box.dataset.candidate + '”将被放弃。');
    }
    if (box.hasAttribute('data-wechat') && file.size > wechatLarge) {
      out.push('您正在微信内上传 ' + size(file.size) + ' 的视频，可能中断；建议点右上角「…」选择「在浏览器打开」后再上传。如继续在微信中上传，中断后重新选择同一文件即可接着传。');
    }
    if (out.length) out.push('确定上传吗？');
    return out;
  }
  function confirmFirst(text, file) {
    pending = file;
    confirmText.textContent = text;
    confirmBox.hidden = false;
    $('.confirm-yes').focus();
  }
  $('.confirm-yes').addEventListener('click', function () {
    var f = pending;
    pending = null;
    confirmBox.hidden = true;
    if (f) begin(f);
  });
  $('.confirm-no').addEventListener('click', function () {
    pending = null;
    confirmBox.hidden = true;
    input.focus();
  });

  function begin(file) {
    var name = file.name || '';
    confirmBox.hidden = true;
    if (job && job.xhrs) for (var n in job.xhrs) job.xhrs[n].abort();
    var j = job = { file: file, hashes: {}, done: {}, inflight: {}, xhrs: {}, sent: 0, samples: [], queue: [] };
    progress.hidden = false;
    $('.file').textContent = name + '（' + size(file.size) + '）';
    show('正在准备上传……');
    buttons();
    api('POST', '/submissions/' + submission + '/video/uploads',
      { name: name, size: file.size, type: file.type, last_modified: file.lastModified || 0 }).then(function (plan) {
      if (j !== job) return;
      j.plan = plan;
      var stored = {};
      (plan.parts_done || []).forEach(function (p) { stored[p.n] = p; });
      // Parts the server already holds are kept when their bytes are this file's.
      var ns = [];
      for (var n = 1; n <= plan.part_count; n++) ns.push(n);
      var check = ns.filter(function (n) { return stored[n]; });
      if (check.length) show('发现未完成的上传，正在核对已上传的部分……');
      return check.reduce(function (p, n) {
        return p.then(function () {
          return hashPart(j, n).then(function () {
            if (b64(j.hashes[n]) === stored[n].sha256) { j.done[n] = true; j.sent += stored[n].size; }
          });
        });
      }, Promise.resolve()).then(function () {
        j.queue = ns.filter(function (n) { return !j.done[n]; });
        render();
        return run(j);
      });
    }).catch(function (err) { fail(j, err); });
  }

  input.addEventListener('change', function () { if (input.files[0]) start(input.files[0]); input.value = ''; });
  ['dragenter', 'dragover'].forEach(function (t) {
    drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (ev) {
    var f = ev.dataTransfer && ev.dataTransfer.files[0];
    if (f) start(f);
  });
  pauseBtn.addEventListener('click', function () {
    if (!job) return;
    job.paused = true;
    for (var n in job.xhrs) job.xhrs[n].abort();
    buttons(); render();
    show('已暂停。已上传的部分会保留，点击“继续”接着上传。');
  });
  resumeBtn.addEventListener('click', function () { if (job) run(job); });
  retryBtn.addEventListener('click', function () {
    if (!job) return;
    if (!job.plan) { start(job.file); return; }
    run(job);
  });
  cancelBtn.addEventListener('click', function () {
    if (!job || !confirm('确定取消这次上传？已上传的部分将被删除。')) return;
    var j = job;
    job = null;
    for (var n in j.xhrs) j.xhrs[n].abort();
    var done = function () { progress.hidden = true; buttons(); };
    if (j.plan) api('DELETE', '/uploads/' + j.plan.id).then(done, done); else done();
  });
  // Back online after a drop: go on by itself.
  window.addEventListener('online', function () { if (job && job.failed && job.plan) run(job); });
  window.addEventListener('beforeunload', function (ev) {
    if (job && !job.finished && !job.failed && !job.paused) { ev.preventDefault(); ev.returnValue = ''; }
  });
  buttons();
})();
