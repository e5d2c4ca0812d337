// Dashboard charts: drawn from the JSON the page embeds (json_script), no inline script (CSP).
// Every bar or point is a link to the list behind it (spec.links per label, or dataset.links).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var specs = JSON.parse(source.textContent).charts || [];
  var number = new Intl.NumberFormat("id-ID");

  function format(unit, v) {
    if (v === null || v === undefined) { return "–"; }
    if (unit === "rupiah") { return "Rp" + number.format(v); }
    if (unit === "percent") { return number.format(v) + "%"; }
    return number.format(v);
  }
  function short(unit, v) {
    if (unit === "rupiah") {
      if (Math.abs(v) >= 1e9) { return "Rp" + number.format(Math.round(v / 1e8) / 10) + " M"; }
      if (Math.abs(v) >= 1e6) { return "Rp" + number.format(Math.round(v / 1e5) / 10) + " jt"; }
    }
    return format(unit, v);
  }

  specs.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) { return; }
    if (!spec.labels.length || !spec.datasets.length) {
      var empty = document.createElement("p");
      empty.className = "text-body-secondary small mb-0 chart-empty";
      empty.textContent = canvas.getAttribute("data-empty") || "Belum ada data.";
      canvas.parentNode.replaceWith(empty);
      return;
    }
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (d) {
      return {
        label: d.label, data: d.data, stack: d.stack, borderColor: d.color,
        backgroundColor: line ? d.color : d.color + (spec.stacked ? "" : "dd"),
        borderWidth: line ? 2 : 0, borderRadius: line ? 0 : 3, tension: 0, pointRadius: line ? 4 : 0,
        links: d.links
      };
    });
    var valueAxis = {
      beginAtZero: true, stacked: spec.stacked,
      ticks: { callback: function (v) { return short(spec.unit, v); } }
    };
    if (spec.unit === "percent") { valueAxis.max = 100; }
    var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true } };
    var chart = new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + format(spec.unit, ctx.raw);
          } } }
        },
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        onHover: function (event, items) {
          event.native.target.style.cursor = items.length ? "pointer" : "default";
        },
        onClick: function (event, items) {
          if (!items.length) { return; }
          var item = items[0];
          var ds = chart.data.datasets[item.datasetIndex];
          var href = (ds.links && ds.links[item.index]) || spec.links[item.index];
          if (href) { window.location.href = href; }
        }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  });
})();
