/* The annual survey's invitation page (/s/{token}), our own code.
   Without this script the page is one long form that posts as it is. With
   it the page shows one unit at a time (上一个 / 下一个, a progress bar),
   checks a unit's required question before moving on, ends on an overview
   of every unit and asks in the page before the final submission, which
   then posts the same form. Each unit's answers are saved as a draft on
   the server as they change; until the server has them they are also kept
   in localStorage, so a lost connection or a closed tab loses nothing.
   Units are addressed by the URL's fragment (#u12, #review), so the
   browser's back button goes back a unit rather than off the page. */
(function () {
  'use strict';
  var root = document.documentElement;
  if (!window.fetch || !window.JSON || !document.querySelector || !root.classList || !Element.prototype.closest) return;
  // Set before the page is drawn, so the long form never flashes; removed
  // again if the page cannot be set up.
  root.classList.add('sv-js');
  document.addEventListener('DOMContentLoaded', function () {
    try {
      if (!setup()) root.classList.remove('sv-js');
    } catch (err) {
      root.classList.remove('sv-js');
      if (window.console) console.error(err);
    }
  });

  function $(id) { return document.getElementById(id); }

  // store wraps localStorage, which a webview may refuse.
  var store = {
    get: function (k) { try { return JSON.parse(window.localStorage.getItem(k)); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* kept on the server only */ } },
    del: function (k) { try { window.localStorage.removeItem(k); } catch (e) { /* nothing kept */ } }
  };

  function setup() {
    var f = $('survey'), review = $('review');
    if (!f || !review) return false;
    var units = [].slice.call(f.querySelectorAll('[data-unit]'));
    if (!units.length) return false;
    var intro = $('intro'), bar = $('bar'), dialog = $('confirm'), yes = $('confirm-yes'), no = $('confirm-no');
    var rmsg = $('review-msg'), submit = $('submit');
    var current = null, timers = {}, pending = {}, leaving = false;

    function unitOf(el) { return el.closest('[data-unit]'); }
    function key(sec) { return 'minyi-sv:' + sec.getAttribute('data-save'); }
    function unitName(sec) { return sec.querySelector('h2 span').textContent; }
    function complete(sec) {
      var qs = sec.querySelectorAll('fieldset[data-required]');
      for (var i = 0; i < qs.length; i++) if (!qs[i].querySelector('input:checked')) return false;
      return true;
    }
    function collect(sec) {
      var a = {}, ins = sec.querySelectorAll('input[type=radio]:checked'), t = sec.querySelector('textarea');
      for (var i = 0; i < ins.length; i++) a[ins[i].name.split('.')[1]] = +ins[i].value;
      return { answers: a, opinion: t ? t.value : '' };
    }
    function paint(sec) {
      var ls = sec.querySelectorAll('.scale label');
      for (var i = 0; i < ls.length; i++) ls[i].className = ls[i].firstChild.checked ? 'on' : '';
    }

    // refresh redraws what depends on the answers and the current screen:
    // badges, the overview, the progress bar and its words.
    function refresh() {
      var done = 0, n = units.length, missing = [];
      units.forEach(function (sec) {
        var c = complete(sec), id = sec.getAttribute('data-unit'), item = review.querySelector('[data-review="' + id + '"]');
        if (c) done++; else missing.push(unitName(sec));
        sec.classList.toggle('done', c);
        sec.querySelector('[data-badge]').textContent = c ? '已完成' : '未完成';
        item.classList.toggle('done', c);
        item.classList.toggle('todo', !c);
        item.querySelector('.sv-badge').textContent = c ? '已完成' : '未完成';
      });
      $('done').textContent = done;
      var at = current === review ? n : units.indexOf(current) + 1;
      var where = current === review ? '核对答卷' : '第 ' + at + ' / ' + n + ' 个单位';
      $('pos').textContent = where;
      $('bar-fill').style.width = Math.round(at * 100 / n) + '%';
      bar.setAttribute('aria-valuenow', at);
      bar.setAttribute('aria-valuetext', where + '，已完成 ' + done + ' / ' + n + ' 个单位');
      $('review-sum').textContent = missing.length ? '共 ' + n + ' 个单位，已完成 ' + done + ' 个，还有 ' + missing.length + ' 个未完成。点击单位名称可返回修改。'
        : '共 ' + n + ' 个单位，已全部完成。点击单位名称可返回修改。';
      $('confirm-sum').textContent = '共 ' + n + ' 个单位的评价将一并提交，此邀请链接随即失效。';
      return missing;
    }

    // show puts one unit, or the overview, on the screen. moved is true when
    // the respondent moved there, which also moves focus to its heading.
    function show(t, moved) {
      current = t;
      units.forEach(function (sec) { sec.classList.toggle('on', sec === t); });
      review.classList.toggle('on', t === review);
      f.classList.toggle('at-review', t === review);
      intro.classList.toggle('off', t !== units[0]);
      if (moved) {
        ['message', 'saved'].forEach(function (id) { var el = $(id); if (el) el.hidden = true; });
        rmsg.hidden = true;
        dialog.hidden = true;
      }
      refresh();
      if (moved) {
        window.scrollTo(0, 0);
        t.querySelector('h2').focus({ preventScroll: true });
      }
    }
    function target() {
      var id = location.hash.slice(1), el = id && document.getElementById(id);
      return el === review || units.indexOf(el) >= 0 ? el : null;
    }
    function go(t) {
      if (location.hash === '#' + t.id) show(t, true);
      else location.hash = t.id; // the hashchange below shows it
    }
    window.addEventListener('hashchange', function () {
      var t = target();
      if (t && t !== current) show(t, true);
    });

    // fault marks a question with a message beside it, announced.
    function fault(q, text) {
      var p = q.querySelector('.err');
      if (!p) {
        p = document.createElement('p');
        p.className = 'err';
        q.appendChild(p);
      }
      p.id = 'err-' + q.querySelector('input').name;
      p.setAttribute('role', 'alert');
      p.textContent = text;
      q.classList.add('bad');
      q.setAttribute('aria-describedby', p.id);
    }
    function clearFault(q) {
      var ps = q.querySelectorAll('.err');
      for (var i = 0; i < ps.length; i++) q.removeChild(ps[i]);
      q.classList.remove('bad');
      q.removeAttribute('aria-describedby');
      var sec = unitOf(q);
      if (sec && !sec.querySelector('fieldset.bad')) sec.classList.remove('flag');
    }
    // check reports whether the unit's required questions are answered;
    // if not it marks each one and takes the eye and focus to the first.
    function check(sec) {
      var qs = sec.querySelectorAll('fieldset[data-required]'), first = null;
      for (var i = 0; i < qs.length; i++) {
        if (qs[i].querySelector('input:checked')) continue;
        fault(qs[i], qs[i].getAttribute('data-required'));
        first = first || qs[i];
      }
      if (!first) return true;
      first.scrollIntoView({ block: 'center' });
      first.querySelector('input').focus({ preventScroll: true });
      return false;
    }

    // Drafts: saved to the server a moment after each change.
    function state(sec, text, bad) {
      var s = sec.querySelector('[data-state]');
      s.textContent = text;
      s.className = 'sv-state' + (bad ? ' err' : '');
    }
    function save(sec, keep) {
      if (leaving) return;
      var id = sec.getAttribute('data-unit');
      pending[id] = false;
      clearTimeout(timers[id]);
      state(sec, '正在保存…');
      fetch(sec.getAttribute('data-save'), { method: 'POST', credentials: 'same-origin', keepalive: !!keep,
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(collect(sec)) })
        .then(function (r) { return r.json().then(function (b) { return { status: r.status, b: b }; }); })
        .then(function (x) {
          if (leaving) return;
          if (x.status === 200) {
            if (!pending[id]) { state(sec, '已保存'); store.del(key(sec)); }
            return;
          }
          if (x.status === 409 || x.status === 404) { units.forEach(function (u) { store.del(key(u)); }); location.reload(); return; }
          if (x.status === 429 || x.status >= 500) { state(sec, '暂未保存，稍后自动重试', true); schedule(sec, 5000); return; }
          state(sec, (x.b.error && x.b.error.message) || '保存失败，请检查后重试', true);
        })
        .catch(function () {
          if (leaving) return;
          state(sec, '网络不稳定，答案已暂存在本机，稍后自动重试', true);
          schedule(sec, 5000);
        });
    }
    function schedule(sec, ms) {
      var id = sec.getAttribute('data-unit');
      pending[id] = true;
      clearTimeout(timers[id]);
      timers[id] = setTimeout(function () { save(sec); }, ms);
    }
    function changed(sec, ms) {
      store.set(key(sec), collect(sec));
      schedule(sec, ms);
      refresh();
    }
    // Answers kept on this phone but not yet on the server come back first.
    units.forEach(function (sec) {
      var d = store.get(key(sec));
      if (!d || typeof d !== 'object') return;
      var ins = sec.querySelectorAll('input[type=radio]'), t = sec.querySelector('textarea'), a = d.answers || {};
      for (var i = 0; i < ins.length; i++) ins[i].checked = a[ins[i].name.split('.')[1]] === +ins[i].value;
      if (t && typeof d.opinion === 'string') t.value = d.opinion;
      paint(sec);
      schedule(sec, 250);
    });

    f.addEventListener('change', function (e) {
      var sec = unitOf(e.target);
      if (!sec || e.target.type !== 'radio') return;
      paint(sec);
      clearFault(e.target.closest('fieldset'));
      changed(sec, 250);
    });
    f.addEventListener('input', function (e) {
      var sec = unitOf(e.target);
      if (sec && e.target.tagName === 'TEXTAREA') { state(sec, ''); changed(sec, 1200); }
    });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState !== 'hidden') return;
      units.forEach(function (sec) { if (pending[sec.getAttribute('data-unit')]) save(sec, true); });
    });

    // 上一个 / 下一个, and the final submission.
    f.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (!b) return;
      var i = current === review ? units.length : units.indexOf(current);
      if (b.hasAttribute('data-next') && check(current)) go(units[i + 1] || review);
      if (b.hasAttribute('data-prev') && i > 0) go(units[i - 1]);
    });
    var confirmed = false;
    function closeDialog() {
      dialog.hidden = true;
      submit.focus();
    }
    f.addEventListener('submit', function (e) {
      if (confirmed) return;
      e.preventDefault(); // Enter in a field, or 提交问卷: ask first
      if (current !== review) return;
      var missing = refresh();
      if (missing.length) {
        rmsg.hidden = false;
        rmsg.textContent = '还有 ' + missing.length + ' 个单位未完成：' + missing.join('、') + '。请点击上面的单位名称补充后再提交。';
        rmsg.scrollIntoView({ block: 'center' });
        return;
      }
      rmsg.hidden = true;
      dialog.hidden = false;
      $('confirm-q').focus();
    });
    no.addEventListener('click', closeDialog);
    dialog.addEventListener('click', function (e) { if (e.target === dialog) closeDialog(); });
    dialog.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') closeDialog();
      if (e.key === 'Tab') { // keep focus on the two buttons
        e.preventDefault();
        (document.activeElement === yes ? no : yes).focus();
      }
    });
    yes.addEventListener('click', function () {
      confirmed = leaving = true;
      for (var k in timers) clearTimeout(timers[k]);
      yes.disabled = no.disabled = true;
      yes.textContent = '正在提交…';
      // The whole form, as without this script: the server saves it, then
      // submits. (f.submit is the button named submit, hence the prototype.)
      HTMLFormElement.prototype.submit.call(f);
    });
    window.addEventListener('pageshow', function (e) {
      if (!e.persisted) return; // back to this page after leaving it
      confirmed = leaving = false;
      yes.disabled = no.disabled = false;
      yes.textContent = '确定提交';
      dialog.hidden = true;
    });

    // The first screen: a unit the server refused, the unit in the address,
    // where the respondent left off, or the overview once all are done.
    var start = null, missing = refresh();
    units.forEach(function (sec) { if (!start && sec.classList.contains('flag')) start = sec; });
    if (!start && $('message')) start = units[0];
    start = start || target();
    if (!start && missing.length && missing.length < units.length) {
      units.forEach(function (sec) { if (!start && !complete(sec)) start = sec; });
    }
    start = start || (missing.length ? units[0] : review);
    show(start, false);
    if (location.hash !== '#' + start.id && window.history.replaceState) history.replaceState(null, '', '#' + start.id);
    return true;
  }
})();
