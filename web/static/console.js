/* Minyi console behaviour (our own code, no library). The pages carry no
   inline handlers, so the Content-Security-Policy allows no inline script
   on them; elements ask for behaviour with data attributes:
     <form data-confirm="…">     asks before submitting
     <button data-confirm="…">   asks before submitting through it
     <select data-autosubmit>    submits its form when changed
     <input data-select>         selects its text when clicked
     <button data-copy="ID">     copies the value of element #ID
     <button data-print>         prints the page                        */
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
})();
