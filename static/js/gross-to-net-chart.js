/* The gross-to-net waterfall of a chain (tradespend/gross_to_net_account.html): floating bars from gross down
   to net, drawn with the vendored Chart.js. The figures come from the page's #g2n-data; the table beside the
   chart holds the same figures for phones and screen readers. */
(function () {
  "use strict";
  var canvas = document.getElementById("g2n-chart");
  var source = document.getElementById("g2n-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var amounts = data.amounts.map(Number);
  var last = amounts.length - 1;
  var level = amounts[0];
  var bars = amounts.map(function (amount, index) {
    if (index === 0 || index === last) { return [0, amount]; }
    var top = level;
    level -= amount;
    return [level, top];
  });
  var colours = amounts.map(function (amount, index) {
    if (index === 0) { return "#0d6efd"; }
    if (index === last) { return amount >= 0 ? "#198754" : "#dc3545"; }
    return index === last - 1 ? "#dc3545" : "#fd7e14";
  });
  var money = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: 2, maximumFractionDigits: 2
  });
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: bars, backgroundColor: colours, borderSkipped: false }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (item) { return money.format(amounts[item.dataIndex]); } } }
      },
      scales: { y: { beginAtZero: true, ticks: { callback: function (value) { return money.format(value); } } } }
    }
  });
})();
