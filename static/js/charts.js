/* Draws every chart of a page (templates/includes/chart.html) with the vendored Chart.js from the JSON beside its
   canvas: bars, lines over bars, stacked bars, horizontal bars and a waterfall (floating bars from the first figure
   down to the last). Numbers are written in the page's language; the table behind each chart holds the same
   figures. Loaded only by pages that draw a chart. */
(function () {
  "use strict";
  var COLOURS = ["#0d6efd", "#fd7e14", "#6c757d", "#198754", "#dc3545", "#6f42c1", "#20c997", "#ffc107"];
  var lang = document.documentElement.lang || undefined;
  var formats = {
    money: new Intl.NumberFormat(lang, { minimumFractionDigits: 0, maximumFractionDigits: 2 }),
    percent: new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }),
    count: new Intl.NumberFormat(lang, { maximumFractionDigits: 0 })
  };

  function number(value) { return value === null ? null : Number(value); }

  function waterfall(values) {
    var last = values.length - 1;
    var level = values[0];
    return values.map(function (amount, index) {
      if (index === 0 || index === last) { return [0, amount]; }
      var top = level;
      level -= amount;
      return [level, top];
    });
  }

  function draw(figure) {
    var source = figure.querySelector("script[type='application/json']");
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas || typeof Chart === "undefined") { return; }
    var config = JSON.parse(source.textContent);
    var format = formats[config.unit] || formats.money;
    var kind = config.kind;
    var datasets = config.series.map(function (series, index) {
      var values = series.values.map(number);
      var colour = COLOURS[index % COLOURS.length];
      var dataset = { label: series.label, data: values, backgroundColor: colour, borderColor: colour };
      if (kind === "waterfall") {
        var last = values.length - 1;
        dataset.data = waterfall(values);
        dataset.backgroundColor = values.map(function (amount, at) {
          if (at === 0) { return COLOURS[0]; }
          if (at === last) { return amount >= 0 ? "#198754" : "#dc3545"; }
          return "#fd7e14";
        });
        dataset.borderSkipped = false;
        dataset.raw = values;
      }
      if (series.line || kind === "line") {
        dataset.type = "line";
        dataset.fill = false;
        dataset.tension = 0.2;
        dataset.pointRadius = 2;
        if (series.dashed) { dataset.borderDash = [6, 4]; }
      }
      return dataset;
    });
    var horizontal = kind === "horizontal";
    var valueAxis = { beginAtZero: true, stacked: kind === "stacked", ticks: { callback: function (value) { return format.format(value); } } };
    var labelAxis = { stacked: kind === "stacked", ticks: { autoSkip: true, maxRotation: 0 } };
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: config.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: {
          legend: {
            display: kind !== "waterfall" && datasets.length > 1,
            position: "bottom",
            labels: { boxWidth: 24, boxHeight: 2, useBorderRadius: false }
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var raw = item.dataset.raw ? item.dataset.raw[item.dataIndex] : item.raw;
                return (datasets.length > 1 ? item.dataset.label + ": " : "") + format.format(raw);
              }
            }
          }
        },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
      }
    });
  }

  function drawAll() { Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
