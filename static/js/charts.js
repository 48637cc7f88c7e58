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

  // A category label too wide for its share of the axis is written on up to three lines (Chart.js draws an array as
  // lines), broken before a bracket or after a space or a separator, else between characters: at 375 px three chains'
  // names each keep their place, where Chart.js would skip the middle one and leave its bars unnamed. Only for a few
  // categories: a long run of months reads in order with every other one named.
  var WRAP_UP_TO = 8;
  var MAX_LINES = 3;

  function textWidth(context, text) { return context.measureText(text).width; }

  function pieces(label) {
    // breaks: before an opening bracket, after a space, a middle dot, a slash or a hyphen
    return label.split(/(?=[（(])|(?<=[\s·\/-])/).filter(function (piece) { return piece.length; });
  }

  function wrapped(context, label, room) {
    if (textWidth(context, label) <= room) { return label; }
    var lines = [];
    var line = "";
    pieces(label).forEach(function (piece) {
      // a space at a piece's end takes no room: the line breaks there
      if (line && textWidth(context, (line + piece).trimEnd()) > room) { lines.push(line.trim()); line = ""; }
      if (textWidth(context, piece.trimEnd()) <= room) { line += piece; return; }
      Array.from(piece).forEach(function (character) {  // a piece too long by itself: between characters
        if (line && textWidth(context, line + character) > room) {
          var hyphen = /[A-Za-z]$/.test(line) && /[A-Za-z]/.test(character);
          if (hyphen && line.length > 1 && textWidth(context, line + "-") > room) {  // the hyphen needs the room
            character = line.slice(-1) + character;
            line = line.slice(0, -1);
          }
          lines.push(line.trim() + (hyphen ? "-" : ""));  // a Latin word broken in two says so ("Unsuppor-" / "ted")
          line = "";
        }
        line += character;
      });
    });
    if (line.trim()) { lines.push(line.trim()); }
    if (lines.length > MAX_LINES) { lines = lines.slice(0, MAX_LINES); lines[MAX_LINES - 1] = lines[MAX_LINES - 1].replace(/-$/, "") + "…"; }
    return lines;
  }

  // The room a category's name has under its bars: the axis's share of the width, the value axis's ticks beside (as
  // wide as its widest figure, "1,200,000"), some space between the names; with a context to measure in its font.
  var measuring = null;  // one drawing context to measure text in, made once

  function labelRoom(canvas, count, widest) {
    var font = Chart.defaults.font;
    var context = measuring || (measuring = document.createElement("canvas").getContext("2d"));
    context.font = (font.size || 12) + "px " + font.family;
    var width = (canvas.parentNode && canvas.parentNode.clientWidth) || canvas.clientWidth || 300;
    return { context: context, room: Math.max((width - textWidth(context, widest) - 14) / count - 4, 24) };
  }

  function axisLabels(canvas, labels, widest) {
    if (labels.length > WRAP_UP_TO) { return labels; }
    var measure = labelRoom(canvas, labels.length, widest);
    return labels.map(function (label) { return wrapped(measure.context, String(label), measure.room); });
  }

  // A waterfall whose step names would be broken inside a word under its bars ("Rebat-es", "Unsu-pport-ed…" on a
  // phone in English) is drawn sideways instead: the steps down the side, each name whole on its line. Chinese names
  // break between any two characters, as Chinese is written.
  function breaksAWord(canvas, labels, widest) {
    var measure = labelRoom(canvas, labels.length, widest);
    return labels.some(function (label) {
      return pieces(String(label)).some(function (piece) {
        return /[A-Za-z]/.test(piece) && textWidth(measure.context, piece.trimEnd()) > measure.room;
      });
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
        var alarming = series.alarming || [];
        dataset.backgroundColor = values.map(function (amount, at) {
          if (at === 0) { return COLOURS[0]; }
          if (at === last) { return amount >= 0 ? "#198754" : "#dc3545"; }
          return alarming.indexOf(at) >= 0 ? "#dc3545" : "#fd7e14";  // a step in red where the page marks it so
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
    // (its figures level when it runs across: fewer of them rather than slanted)
    var valueAxis = { beginAtZero: true, stacked: kind === "stacked", ticks: { maxRotation: 0, callback: function (value) { return format.format(value); } } };
    // a few categories are wrapped to their share of the axis, so each keeps its name; a long run of months skips some
    var labelAxis = { stacked: kind === "stacked", ticks: { autoSkip: config.labels.length > WRAP_UP_TO, maxRotation: 0 } };
    // the value axis's widest tick: a round figure a little above the largest (Chart.js's top tick)
    var largest = Math.max.apply(null, config.series.map(function (series) {
      return Math.max.apply(null, series.values.map(function (value) { return Math.abs(number(value) || 0); }));
    }).concat([0]));
    var widest = format.format(config.unit === "percent" ? largest * 1.2 : Math.round(largest * 1.2));
    var sideways = kind === "waterfall" && breaksAWord(canvas, config.labels, widest);
    var horizontal = kind === "horizontal" || sideways;
    var labels = horizontal ? config.labels : axisLabels(canvas, config.labels, widest);
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: horizontal ? "y" : "x",
        // a phone turned sideways, a window widened: the labels wrapped again for the new width, a waterfall turned
        // upright or sideways where its names now fit under their bars or no longer do (drawn again, after this call)
        onResize: function (chart) {
          if (kind === "waterfall" && breaksAWord(canvas, config.labels, widest) !== sideways) {
            setTimeout(function () { chart.destroy(); draw(figure); }, 0);
          } else if (!horizontal) {
            chart.data.labels = axisLabels(canvas, config.labels, widest);
            chart.update("none");
          }
        },
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
