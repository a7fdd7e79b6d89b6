/* Minyi console behaviour (our own code, no library). The pages carry no
   inline handlers, so the Content-Security-Policy allows no inline script
   on them; elements ask for behaviour with data attributes:
     <form data-confirm="…">     asks before submitting
     <button data-confirm="…">   asks before submitting through it
     <select data-autosubmit>    submits its form when changed
     <input data-select>         selects its text when clicked
     <button data-copy="ID">     copies the value of element #ID
     <button data-print>         prints the page
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
  });
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
