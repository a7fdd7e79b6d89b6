/* Minyi console behaviour (our own code, no library). The pages carry no
   inline handlers, so the Content-Security-Policy allows no inline script
   on them; elements ask for behaviour with data attributes:
     <form data-confirm="…">     asks before submitting
     <button data-confirm="…">   asks before submitting through it
     <select data-autosubmit>    submits its form when changed
     <input data-select>         selects its text when clicked
     <button data-copy="ID">     copies the value of element #ID
     <button data-print>         prints the page
     <button data-insert="{名}">  inserts its text at the cursor of the
                                 [data-insert-target] field last focused
     <input data-filter="ID">    shows only the .pick items of #ID (and
                                 their .picker-group) containing its text
     <a data-export>             an export link: reads 正在导出… until the
                                 file begins to arrive (the server sets
                                 the cookie minyi_dl to the link's token)
     <table data-export-poll="URL">  我的导出: while a job runs, polls URL
                                 (the JSON list) and updates the rows
   and a wide table's .table-wrap or a long code.json that scrolls takes
   the keyboard focus, so it can be scrolled without a mouse.           */
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var f = e.target, b = e.submitter;
    var msg = (b && b.getAttribute('data-confirm')) || (f.getAttribute && f.getAttribute('data-confirm'));
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
  });
  document.addEventListener('click', function (e) {
    var el = e.target;
    if (!el.closest) return;
    if (el.hasAttribute('data-select')) el.select();
    var copy = el.closest('[data-copy]');
    if (copy) {
      var t = document.getElementById(copy.getAttribute('data-copy'));
      if (!t) return;
      t.select();
      var done = function () { copy.textContent = '已复制'; };
      var fallback = function () { document.execCommand('copy'); done(); };
      if (navigator.clipboard) navigator.clipboard.writeText(t.value).then(done, fallback);
      else fallback();
    }
    if (el.closest('[data-print]')) window.print();
    var ins = el.closest('[data-insert]');
    if (ins) insert(ins.getAttribute('data-insert'));
  });
  // A picker's filter: an item shows when its text or its group's heading
  // contains what is typed; Enter does not submit the form around it.
  document.addEventListener('input', function (e) {
    var el = e.target;
    if (!el.hasAttribute || !el.hasAttribute('data-filter')) return;
    var box = document.getElementById(el.getAttribute('data-filter'));
    if (!box) return;
    var q = el.value.trim(), any = false;
    box.querySelectorAll('.picker-group').forEach(function (g) {
      var head = (g.querySelector('.picker-head') || {}).textContent || '', shown = 0;
      g.querySelectorAll('.pick').forEach(function (p) {
        var hit = !q || p.textContent.indexOf(q) >= 0 || head.indexOf(q) >= 0;
        p.hidden = !hit;
        if (hit) shown++;
      });
      g.hidden = shown === 0;
      if (shown) any = true;
    });
    var none = box.querySelector('.picker-none');
    if (none) none.hidden = any;
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.hasAttribute && e.target.hasAttribute('data-filter')) e.preventDefault();
  });
  // The field a placeholder goes into: the one last focused, else the
  // last on the page (a template's body). Without script the names are
  // plain text to type.
  var lastTarget = null;
  document.addEventListener('focusin', function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute('data-insert-target')) lastTarget = e.target;
  });
  var insert = function (text) {
    var all = document.querySelectorAll('[data-insert-target]');
    var t = lastTarget || all[all.length - 1];
    if (!t) return;
    var start = t.selectionStart == null ? t.value.length : t.selectionStart;
    var end = t.selectionEnd == null ? start : t.selectionEnd;
    t.value = t.value.slice(0, start) + text + t.value.slice(end);
    t.focus();
    t.setSelectionRange(start + text.length, start + text.length);
  };
  // WCAG 2.1.1: a region that scrolls (a wide table on a phone, a long
  // audit value) is reachable by Tab, so the arrow keys can scroll it; one
  // that fits is not a tab stop. Checked again when the window resizes.
  var scrollers = function () {
    document.querySelectorAll('.table-wrap, code.json').forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      if (scrolls && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        el.setAttribute('data-scroll-focus', '');
      } else if (!scrolls && el.hasAttribute('data-scroll-focus')) {
        el.removeAttribute('tabindex');
        el.removeAttribute('data-scroll-focus');
      }
    });
  };
  scrollers();
  window.addEventListener('resize', scrollers);

  // Export links: the link gets a token (?dl=), the button says it is
  // working until the response carrying the token's cookie begins (a file
  // streams; a large export goes on to 我的导出 by itself).
  var cookieHas = function (name, value) {
    return document.cookie.split('; ').indexOf(name + '=' + value) >= 0;
  };
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-export]');
    if (!a || a.getAttribute('aria-busy') === 'true') {
      if (a) e.preventDefault();
      return;
    }
    var token = Math.random().toString(36).slice(2, 12) || 'x';
    var url = new URL(a.href, location.href);
    url.searchParams.set('dl', token);
    a.href = url.pathname + url.search;
    var label = a.textContent;
    a.setAttribute('aria-busy', 'true');
    a.classList.add('busy');
    a.textContent = '正在导出…';
    var tries = 0;
    var timer = setInterval(function () {
      tries++;
      if (cookieHas('minyi_dl', token) || tries > 1200) {
        clearInterval(timer);
        a.textContent = label;
        a.removeAttribute('aria-busy');
        a.classList.remove('busy');
      }
    }, 500);
  });

  // 我的导出: each job's row (#job-ID) has .state, progress, .done and
  // .file; the list is read again every two seconds while one is busy.
  var poll = document.querySelector('[data-export-poll]');
  if (poll && poll.hasAttribute('data-busy')) {
    var src = poll.getAttribute('data-export-poll');
    var busy = function (j) { return j.state === 'queued' || j.state === 'running'; };
    var tick = function () {
      fetch(src, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var more = false;
          data.items.forEach(function (j) {
            var row = document.getElementById('job-' + j.id);
            if (!row) return;
            if (busy(j)) more = true;
            row.setAttribute('data-state', j.state);
            row.querySelector('.state').textContent = j.state_label;
            var bar = row.querySelector('progress');
            if (bar) { bar.value = j.percent; bar.textContent = j.percent + '%'; }
            row.querySelector('.done').textContent = j.rows_done.toLocaleString('zh-CN');
            var file = row.querySelector('.file');
            if (j.state === 'done' && !file.querySelector('a')) {
              var link = document.createElement('a');
              link.className = 'btn btn-sm btn-primary';
              link.href = '/console/exports/' + j.id + '/download';
              link.textContent = '下载（' + j.size_label + '）';
              file.textContent = '';
              file.appendChild(link);
              if (bar) bar.hidden = true;
            } else if (j.state === 'failed') {
              file.textContent = j.error || '导出失败';
              if (bar) bar.hidden = true;
            }
          });
          if (more) setTimeout(tick, 2000);
        }, function () { setTimeout(tick, 5000); });
    };
    setTimeout(tick, 1000);
  }
})();
