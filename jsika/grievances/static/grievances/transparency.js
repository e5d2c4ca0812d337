// /transparansi/: draws the two charts from the JSON the page embeds (json_script); no inline script (CSP).
(function () {
  "use strict";
  var source = document.getElementById("figure-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b3d6e", "#f2b705", "#1c6b3c", "#9c1c4b", "#5b3a99", "#8a5300"];
  var number = new Intl.NumberFormat("id-ID");
  // Per year: the household figures (KPM, graduations) share one scale; per region: the first figure only.
  var households = data.figures.filter(function (f) { return f.kind === "households"; });
  var yearFigures = households.length ? households : data.figures.filter(function (f) { return f.kind !== "rupiah"; });
  var regionFigures = yearFigures.slice(0, 1);

  function datasets(figures, series) {
    return figures.map(function (f, i) {
      return { label: f.label, data: series[f.key], backgroundColor: palette[i % palette.length], borderRadius: 3 };
    });
  }
  function tooltip(ctx) {
    var v = ctx.raw;
    return ctx.dataset.label + ": " + (v === null ? data.hidden_label : number.format(v));
  }
  var common = {
    responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } }, tooltip: { callbacks: { label: tooltip } } },
    scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } } }
  };

  var years = document.getElementById("chart-years");
  if (years) {
    new Chart(years, { type: "bar", data: { labels: data.years, datasets: datasets(yearFigures, data.by_year) }, options: common });
  }
  var regions = document.getElementById("chart-regions");
  if (regions && data.regions.length) {
    var horizontal = JSON.parse(JSON.stringify(common));
    horizontal.indexAxis = "y";
    horizontal.scales = { x: { beginAtZero: true } };
    horizontal.plugins.tooltip.callbacks.label = tooltip;
    new Chart(regions, { type: "bar", data: { labels: data.regions, datasets: datasets(regionFigures, data.by_region) },
      options: horizontal });
  }
})();
