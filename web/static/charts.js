/* Minyi charts (our own code): draws each chart the server described.
   A page that draws charts links echarts.min.js and this file (the
   "chart-scripts" template) and holds, for each chart (the "chart"
   template, internal/charts):
     <div class="chart" data-chart="ID" role="img" aria-label="…"></div>
     <script type="application/json" id="ID">{ECharts option}</script>
   The option is data only (no functions), so the page's scripts stay
   'self' under the Content-Security-Policy. Charts use the SVG renderer:
   sharp at any zoom and in print. They follow the container's width
   (a phone's too) and are redrawn before printing. Without JavaScript the
   figures are still on the page, in the table under each chart.        */
(function () {
  'use strict';
  if (!window.echarts) { return; }
  var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var drawn = [];
  function draw(el) {
    var src = document.getElementById(el.getAttribute('data-chart'));
    if (!src) { return; }
    var option;
    try { option = JSON.parse(src.textContent); } catch (e) { return; }
    if (still) { option.animation = false; }
    var chart = window.echarts.init(el, null, { renderer: 'svg', locale: 'ZH' });
    chart.setOption(option);
    el.classList.add('chart-drawn');
    drawn.push(chart);
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), draw);
  function resize() { drawn.forEach(function (c) { c.resize(); }); }
  var timer;
  window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(resize, 120); });
  window.addEventListener('beforeprint', resize);
  window.addEventListener('afterprint', resize);
})();
