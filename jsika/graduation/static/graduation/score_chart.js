// Household score line: data from the page's json_script (no inline script: CSP script-src 'self').
(function () {
  "use strict";
  var source = document.getElementById("score-data");
  var canvas = document.getElementById("score-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.scores.length) { return; }
  function level(value, label, color) {
    return { label: label, data: data.labels.map(function () { return value; }), borderColor: color,
      borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false };
  }
  var pointColors = data.scores.map(function (s) {
    return s >= data.ready_from ? "#1c6b3c" : (s >= data.developing_from ? "#b8860b" : "#9c1c4b");
  });
  var datasets = [{ label: data.label_score, data: data.scores, borderColor: "#0b3d6e", backgroundColor: pointColors,
    pointBackgroundColor: pointColors, pointRadius: 5, tension: 0.2, fill: false }];
  if (data.ready_from !== null) { datasets.push(level(data.ready_from, data.label_ready, "#1c6b3c")); }
  if (data.developing_from !== null) { datasets.push(level(data.developing_from, data.label_developing, "#b8860b")); }
  new Chart(canvas, {
    type: "line", data: { labels: data.labels, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { min: 0, max: 100 } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: { callbacks: { afterLabel: function (ctx) {
          if (ctx.datasetIndex !== 0) { return ""; }
          return data.bands[ctx.dataIndex] + " · " + data.label_version + " " + data.versions[ctx.dataIndex];
        } } } } }
  });
})();
