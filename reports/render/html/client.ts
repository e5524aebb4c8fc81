/**
 * The report page's script (plain browser JavaScript, kept as text because the project compiles without DOM types):
 * reads the embedded view model, and draws every `<canvas data-chart="kind[:dc]">` with chart.js (inlined before it),
 * in the colours of the current scheme (CSS custom properties), redrawing when the scheme changes and resizing for
 * print. A chart that fails reports to the console and says so in place; the others still draw.
 * When done it sets `data-charts-drawn` on <html> (the browser test waits for it).
 */

/** The script, inlined in `<script>` after chart.js. */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('caplab-data').textContent);
  var charts = [];
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function palette(i) { return css('--c' + ((i % 8) + 1)); }
  function fmtM(v) { return (v / 1e6).toFixed(0) + 'M'; }
  function line(label, data, color, extra) {
    var d = { label: label, data: data, borderColor: color, backgroundColor: color, pointRadius: 0, borderWidth: 2, spanGaps: false, tension: 0 };
    for (var k in extra || {}) d[k] = extra[k];
    return d;
  }
  function axes(y, extra) {
    var s = { x: { grid: { color: css('--line') } }, y: { grid: { color: css('--line') }, title: { display: !!y, text: y } } };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }
  function loadOf(dc) { return model.load.filter(function (l) { return l.dc === dc; })[0]; }

  var builders = {
    nodes: function () {
      var r = model.recommendation;
      var ds = [];
      r.nodes.forEach(function (n, i) {
        var by = {}; n.quarters.forEach(function (q) { by[q.quarter] = q; });
        ds.push(line(n.dc + ' planned', r.quarters.map(function (q) { return by[q] ? by[q].planned : null; }), palette(i)));
        ds.push(line(n.dc + ' fleet', r.quarters.map(function (q) { return by[q] ? by[q].fleet : null; }), palette(i), { borderDash: [6, 4], borderWidth: 1 }));
      });
      return { type: 'line', data: { labels: r.quarters, datasets: ds }, options: { scales: axes('nodes') } };
    },
    forecast: function () {
      var f = model.forecast;
      var q = f.quarters;
      return { type: 'line', data: { labels: q.map(function (x) { return x.quarter; }), datasets: [
        line('trailing year p10', q.map(function (x) { return x.trailingYear.p10; }), 'transparent', { borderWidth: 0, noLegend: true }),
        line('trailing year p10-p90', q.map(function (x) { return x.trailingYear.p90; }), 'transparent', { borderWidth: 0, fill: '-1', backgroundColor: css('--band') }),
        line('trailing-year sales p50', q.map(function (x) { return x.trailingYear.p50; }), palette(0)),
        line('active ' + f.unitMany + ' p50', q.map(function (x) { return x.active.p50; }), palette(2)),
        line('target ' + fmtM(f.target.yearly) + '/year', q.map(function () { return f.target.yearly; }), palette(1), { borderDash: [8, 4] })
      ] }, options: { scales: axes(f.unitMany, { y: { grid: { color: css('--line') }, ticks: { callback: fmtM } } }) } };
    },
    backtest: function () {
      var f = model.forecast;
      // One step ahead, the chosen model (bass+analogues when Bass was fitted with the analogue prior): each past
      // forecast's p10-p90 band and p50 against what was sold.
      var e = f.backtest.evaluations.filter(function (x) { return x.ahead === 1 && x.model === f.backtestChartModel; });
      return { type: 'line', data: { labels: e.map(function (x) { return x.target + ' (from ' + x.fittedThrough + ')'; }), datasets: [
        line('p10', e.map(function (x) { return x.p10; }), 'transparent', { borderWidth: 0, noLegend: true }),
        line('p10-p90', e.map(function (x) { return x.p90; }), 'transparent', { borderWidth: 0, fill: '-1', backgroundColor: css('--band') }),
        line('forecast p50', e.map(function (x) { return x.p50; }), palette(0)),
        line('sold', e.map(function (x) { return x.observed; }), palette(1), { showLine: false, pointRadius: 5 })
      ] }, options: { scales: axes(f.unitMany + ' sold in the period', { y: { grid: { color: css('--line') }, ticks: { callback: fmtM } } }) } };
    },
    regions: function () {
      var f = model.forecast;
      return { type: 'bar', data: { labels: f.quarters.map(function (x) { return x.quarter; }), datasets: f.regions.map(function (r, i) {
        return { label: r, data: f.byRegion[r], backgroundColor: palette(i), stack: 'a' };
      }) }, options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: fmtM } } } } };
    },
    demand: function () {
      var d = model.demand;
      var labels = d.dcs[0].quarters.map(function (q) { return q.quarter; });
      var ds = [];
      d.dcs.forEach(function (x, i) {
        ds.push(line(x.dc + ' p50', x.quarters.map(function (q) { return q.flashP50; }), palette(i)));
        ds.push(line(x.dc + ' p90', x.quarters.map(function (q) { return q.flashP90; }), palette(i), { borderDash: [6, 4], borderWidth: 1 }));
      });
      return { type: 'line', data: { labels: labels, datasets: ds }, options: { scales: axes('requests/s', { y: { type: 'logarithmic', grid: { color: css('--line') } } }) } };
    },
    diurnal: function () {
      var d = model.demand;
      var labels = []; for (var h = 0; h < 24; h++) labels.push((h < 10 ? '0' : '') + h + ':00');
      return { type: 'line', data: { labels: labels, datasets: d.dcs.map(function (x, i) { return line(x.dc, x.diurnalUtc, palette(i)); }) },
        options: { scales: axes('share of the daily mean') } };
    },
    services: function () {
      // Shares, not stacked absolute values: DCs differ by three orders of magnitude, and stacking on a log axis lies.
      var d = model.demand;
      var names = [];
      d.dcs.forEach(function (x) { x.services.forEach(function (s) { if (names.indexOf(s.service) < 0) names.push(s.service); }); });
      var totals = d.dcs.map(function (x) { return x.services.reduce(function (a, s) { return a + s.flashP50; }, 0); });
      return { type: 'bar', data: { labels: d.dcs.map(function (x) { return x.dc; }), datasets: names.map(function (n, i) {
        return { label: n, stack: 'a', backgroundColor: palette(i), data: d.dcs.map(function (x, j) {
          var s = x.services.filter(function (y) { return y.service === n; })[0]; return s && totals[j] > 0 ? 100 * s.flashP50 / totals[j] : 0; }) };
      }) }, options: { indexAxis: 'y', scales: { x: { stacked: true, max: 100, title: { display: true, text: '% of the busiest-hour requests' } }, y: { stacked: true } } } };
    },
    rtt: function () {
      var p = model.placement;
      var ds = [];
      if (p.before !== null) ds.push({ label: 'before (' + p.before + ')', data: p.countries.map(function (c) { return c.beforeP50; }), backgroundColor: palette(1) });
      ds.push({ label: 'after (' + p.after + ')', data: p.countries.map(function (c) { return c.afterP50; }), backgroundColor: palette(0) });
      return { type: 'bar', data: { labels: p.countries.map(function (c) { return c.country; }), datasets: ds }, options: { scales: axes('RTT p50, ms') } };
    },
    usl: function (dc) {
      var u = loadOf(dc).usl;
      var ds = [
        { type: 'scatter', label: 'measured', data: u.points.map(function (p) { return { x: p.n, y: p.x }; }), backgroundColor: palette(0), borderColor: palette(0), pointRadius: 4 },
        { type: 'line', label: 'USL fit', data: u.curve.map(function (p) { return { x: p.n, y: p.x }; }), borderColor: palette(1), pointRadius: 0, borderWidth: 2 }
      ];
      if (u.nStar !== null) ds.push({ type: 'line', label: 'N* = ' + u.nStar.toFixed(1), data: [{ x: u.nStar, y: 0 }, { x: u.nStar, y: u.xMax }], borderColor: palette(3), borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
      return { type: 'scatter', data: { datasets: ds }, options: { scales: axes('requests/s', { x: { type: 'linear', title: { display: true, text: 'concurrency N' }, grid: { color: css('--line') } } }) } };
    },
    steps: function (dc) {
      var s = loadOf(dc).steps;
      return { type: 'line', data: { labels: s.map(function (x) { return x.step; }), datasets: [
        line('p50', s.map(function (x) { return x.p50; }), palette(2)), line('p95', s.map(function (x) { return x.p95; }), palette(0)), line('p99', s.map(function (x) { return x.p99; }), palette(1))
      ] }, options: { scales: axes('ms', { x: { title: { display: true, text: 'step (concurrency)' } } }) } };
    },
    sweep: function (dc) {
      var l = loadOf(dc);
      var r = l.rates;
      var ds = [line('p95 (k6)', r.map(function (x) { return x.p95; }), palette(0)), line('p95 corrected', r.map(function (x) { return x.p95Corrected; }), palette(1), { borderDash: [6, 4] })];
      if (l.budgetP95Ms !== null) ds.push(line('budget ' + l.budgetP95Ms + ' ms', r.map(function () { return l.budgetP95Ms; }), palette(2), { borderDash: [2, 3] }));
      return { type: 'line', data: { labels: r.map(function (x) { return x.rate; }), datasets: ds },
        options: { scales: axes('ms', { x: { title: { display: true, text: 'offered rate, iterations/s' } } }) } };
    },
    rps: function (dc) {
      var w = loadOf(dc).windows;
      return { type: 'line', data: { labels: w.map(function (x) { return x.t; }), datasets: [
        line('requests/s', w.map(function (x) { return x.rps; }), palette(0)), line('VUs', w.map(function (x) { return x.vus; }), palette(3), { yAxisID: 'y1', stepped: true }),
        { type: 'bar', label: 'dropped iterations', data: w.map(function (x) { return x.dropped; }), backgroundColor: palette(4), yAxisID: 'y1' }
      ] }, options: { scales: axes('requests/s', { x: { title: { display: true, text: 'seconds' } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'VUs / dropped' }, beginAtZero: true } }) } };
    },
    tornado: function () {
      var s = model.sensitivity;
      var label = function (x) { return x.label + ' (' + x.low.value + ' / ' + x.high.value + ')'; };
      return { type: 'bar', data: { labels: s.inputs.map(label), datasets: [
        { label: 'low end', data: s.inputs.map(function (x) { return x.low.cost - s.baseCost; }), backgroundColor: palette(0) },
        { label: 'high end', data: s.inputs.map(function (x) { return x.high.cost - s.baseCost; }), backgroundColor: palette(1) }
      ] }, options: { indexAxis: 'y', scales: { x: { stacked: true, grid: { color: css('--line') }, title: { display: true, text: 'change of the horizon cost, ' + s.currency } },
        y: { stacked: true, grid: { color: css('--line') } } } } };
    },
    move: function () {
      // A Gantt chart: one row per wave, floating bars [from, to] in days from the first wave's start, the three steps
      // overlapping in one row (the index axis stacked, the value axis not). chart.js has no date adapter here, so the
      // axis is linear in days and its ticks and tooltips say the date.
      var v = model.move;
      var day0 = Date.parse(v.day0 + 'T00:00:00Z');
      function date(d) { return new Date(day0 + d * 86400000).toISOString().slice(0, 10); }
      function span(d) { var h = d * 24; return h < 1 ? Math.round(h * 60) + ' min' : h < 48 ? h.toFixed(1) + ' h' : d.toFixed(1) + ' d'; }
      function seg(label, color, pick) {
        return { label: label, backgroundColor: color, borderColor: color, borderWidth: 0, minBarLength: 3, borderSkipped: false,
          data: v.bars.map(function (b) { var r = pick(b); return r ? [r[0], r[1]] : null; }) };
      }
      var ds = [
        seg('bulk copy', palette(0), function (b) { return b.converges ? [b.start, b.bulkEnd] : null; }),
        seg('catch-up', palette(2), function (b) { return b.catchUpEnd === null ? null : [b.bulkEnd, b.catchUpEnd]; }),
        seg('cut-over', palette(4), function (b) { return b.cutoverEnd === null ? null : [b.catchUpEnd, b.cutoverEnd]; })
      ];
      if (v.bars.some(function (b) { return !b.converges; })) {
        ds.push(seg('bulk copy, then catch-up never converges', palette(1), function (b) { return b.converges ? null : [b.start, b.bulkEnd]; }));
      }
      return { type: 'bar', data: { labels: v.bars.map(function (b) { return b.label; }), datasets: ds }, options: {
        indexAxis: 'y',
        scales: {
          x: { type: 'linear', beginAtZero: true, grid: { color: css('--line') }, title: { display: true, text: 'date (UTC)' }, ticks: { callback: function (d) { return date(d); } } },
          y: { stacked: true, grid: { color: css('--line') } }
        }
      }, tooltip: function (ctx) {
        var r = ctx.raw;
        return ctx.dataset.label + ': ' + date(r[0]) + ' → ' + date(r[1]) + ' (' + span(r[1] - r[0]) + ')';
      } };
    },
    latency: function (dc) {
      var w = loadOf(dc).windows;
      return { type: 'line', data: { labels: w.map(function (x) { return x.t; }), datasets: [
        line('p95', w.map(function (x) { return x.p95; }), palette(0)), line('p99', w.map(function (x) { return x.p99; }), palette(1)),
        line('error rate %', w.map(function (x) { return x.errorRate === null ? null : x.errorRate * 100; }), palette(4), { yAxisID: 'y1', borderDash: [4, 3] })
      ] }, options: { scales: axes('ms', { x: { title: { display: true, text: 'seconds' } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'errors %' }, beginAtZero: true } }) } };
    }
  };

  function drawAll() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.color = css('--fg');
    Chart.defaults.borderColor = css('--line');
    var drawn = 0;
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var key = canvas.getAttribute('data-chart');
      var i = key.indexOf(':');
      var kind = i < 0 ? key : key.slice(0, i);
      try {
        var cfg = builders[kind](i < 0 ? undefined : key.slice(i + 1));
        cfg.options = cfg.options || {};
        // The band's lower edge is a helper dataset: keep it out of the legend.
        cfg.options.plugins = { legend: { position: 'bottom', labels: { boxWidth: 12, filter: function (item, data) { return !data.datasets[item.datasetIndex].noLegend; } } } };
        // A builder may word its tooltips (the move's timeline says dates, not day numbers).
        if (cfg.tooltip) { cfg.options.plugins.tooltip = { callbacks: { label: cfg.tooltip } }; delete cfg.tooltip; }
        charts.push(new Chart(canvas, cfg));
        drawn++;
      } catch (err) {
        console.error('caplab report: chart ' + key + ' failed: ' + (err && err.message));
        var p = document.createElement('p');
        p.className = 'absent';
        p.textContent = 'This chart could not be drawn: ' + (err && err.message) + '. Its table has the data.';
        canvas.parentNode.replaceWith(p);
      }
    });
    document.documentElement.setAttribute('data-charts-drawn', String(drawn));
  }

  drawAll();
  var mq = window.matchMedia('(prefers-color-scheme: dark)');
  if (mq.addEventListener) mq.addEventListener('change', drawAll);
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;
