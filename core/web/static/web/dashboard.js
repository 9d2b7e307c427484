/* Dashboard charts: the forecast band (P10–P90 area, P50 line) against actual daily sales, why that forecast
   is what it is (each input group's contribution to the P50 total), the IHI components and the stock value per
   location. Data comes from json_script blocks the server renders. */
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  if (typeof Chart === "undefined") { return; }
  var words = data("chart-labels") || {};
  var accent = "#0b6bcb";

  var forecast = data("forecast-data");
  var forecastCanvas = document.getElementById("forecast-chart");
  if (forecast && forecastCanvas) {
    var todayIndex = forecast.labels.indexOf(forecast.today);
    forecastCanvas.chart = new Chart(forecastCanvas, {
      type: "line",
      data: {
        labels: forecast.labels,
        datasets: [
          { label: words.p10, data: forecast.p10, borderColor: "rgba(11,107,203,.35)", borderWidth: 1, pointRadius: 0, fill: false },
          { label: words.p90, data: forecast.p90, borderColor: "rgba(11,107,203,.35)", borderWidth: 1, pointRadius: 0,
            backgroundColor: "rgba(11,107,203,.18)", fill: "-1" },
          { label: words.p50, data: forecast.p50, borderColor: accent, borderWidth: 2, pointRadius: 0, fill: false },
          { label: words.actual, data: forecast.actual, borderColor: "#c62828", backgroundColor: "#c62828",
            showLine: false, pointRadius: 3, fill: false }
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false, spanGaps: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: words.quantity } } },
        plugins: { legend: { position: "bottom" },
          subtitle: { display: todayIndex >= 0, text: words.today + ": " + forecast.today } }
      }
    });
  }

  var explanation = data("explain-data");
  var explainCanvas = document.getElementById("explain-chart");
  if (explanation && explainCanvas) {
    var bars = explanation.bars;
    explainCanvas.chart = new Chart(explainCanvas, {
      type: "bar",
      data: {
        labels: bars.map(function (bar) { return bar.label; }),
        datasets: [{
          label: words.contribution,
          data: bars.map(function (bar) { return bar.value; }),
          // Raises the forecast above the reference: blue; lowers it: red.
          backgroundColor: bars.map(function (bar) { return bar.value >= 0 ? accent : "#c62828"; })
        }]
      },
      options: {
        animation: false, maintainAspectRatio: false, indexAxis: "y",
        scales: { x: { title: { display: true, text: words.contribution } } },
        plugins: { legend: { display: false } }
      }
    });
  }

  var health = data("health-data");
  var healthCanvas = document.getElementById("health-chart");
  if (health && healthCanvas) {
    healthCanvas.chart = new Chart(healthCanvas, {
      type: "bar",
      data: { labels: health.labels, datasets: [{ label: words.index, data: health.values, backgroundColor: accent }] },
      options: { animation: false, indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
    });
  }

  var stock = data("stock-value-data");
  var stockCanvas = document.getElementById("stock-value-chart");
  if (stock && stockCanvas) {
    stockCanvas.chart = new Chart(stockCanvas, {
      type: "bar",
      data: { labels: stock.labels, datasets: [{ label: words.value, data: stock.values, backgroundColor: "#52606d" }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }
})();
