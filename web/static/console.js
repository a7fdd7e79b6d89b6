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
})();
