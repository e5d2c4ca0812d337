// Map of KPM households (Leaflet, served locally; no inline script: the config comes from json_script).
// Zoomed out: one circle per region (pre-aggregated counts at the centroid of its households' points).
// Zoomed in: the households of the desa in view, clustered here on a pixel grid (no plugin needed).
// Without a tile URL the background stays blank (CSS grid), so the map works offline.
(function () {
  "use strict";
  var el = document.getElementById("kpm-map");
  var source = document.getElementById("map-config");
  if (!el || !source || typeof L === "undefined") { return; }
  var cfg = JSON.parse(source.textContent);
  var labels = cfg.labels || {};
  var number = new Intl.NumberFormat("id-ID");
  var COLORS = { status: "#0b3d6e", suspended: "#d97706", hamil: "#c2185b", putus_sekolah: "#7b1fa2",
                 siap_graduasi: "#1c6b3c", other: "#9aa5b1" };
  var criterion = "status";
  var select = document.getElementById("map-criterion");
  var statusEl = document.getElementById("map-status");
  var legendEl = document.getElementById("map-legend");

  var map = L.map(el, { zoomControl: true, attributionControl: !!cfg.tileUrl }).setView(cfg.centre, cfg.zoom);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var regionLayer = L.layerGroup().addTo(map);
  var pointLayer = L.layerGroup().addTo(map);
  var regionCache = {};
  var pointCache = {};
  var points = [];
  var fitted = false;

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== "" && params[k] !== null && params[k] !== undefined) {
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
      }
    });
    return parts.join("&");
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  function levelFor(zoom) {
    var level = zoom <= 9 ? 2 : zoom <= 11 ? 3 : 4;
    return Math.min(4, Math.max(level, cfg.scopeLevel + 1));
  }
  function regions(level) {
    if (!regionCache[level]) {
      regionCache[level] = getJSON(cfg.regionsUrl + "?" + query({ wilayah: cfg.scope, level: level,
                                                                  program: cfg.program }))
        .then(function (data) { return data.regions; });
    }
    return regionCache[level];
  }
  function matches(p) {
    if (criterion === "status") { return true; }
    return !!p[criterion];
  }
  function colorOf(p) {
    if (criterion === "status") { return p.status === "suspended" ? COLORS.suspended : COLORS.status; }
    return p[criterion] ? COLORS[criterion] : COLORS.other;
  }
  function legend() {
    var items = criterion === "status"
      ? [[COLORS.status, labels.active], [COLORS.suspended, labels.suspended]]
      : [[COLORS[criterion], labels[criterion]], [COLORS.other, labels.other]];
    legendEl.textContent = "";
    items.forEach(function (item) {
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = item[0];
      legendEl.appendChild(sw);
      legendEl.appendChild(document.createTextNode(item[1] || ""));
    });
  }

  // --- region circles -------------------------------------------------------------------------
  function drawRegions(list) {
    regionLayer.clearLayers();
    var max = 1;
    list.forEach(function (r) { max = Math.max(max, r.kpm); });
    list.forEach(function (r) {
      var share = criterion === "status" ? (r.kpm - r.suspended) / r.kpm : r[criterion] / r.kpm;
      var color = criterion === "status" ? COLORS.status : (r[criterion] ? COLORS[criterion] : COLORS.other);
      var circle = L.circleMarker([r.lat, r.lon], {
        radius: 8 + 26 * Math.sqrt(r.kpm / max), color: color, weight: 2, fillColor: color,
        fillOpacity: 0.25 + 0.5 * Math.max(0, Math.min(1, share)),
        className: "region-marker region-" + r.code.replace(/\./g, "-")
      });
      var n = criterion === "status" ? r.kpm : r[criterion];
      circle.bindTooltip(r.name + ": " + number.format(n) + (criterion === "status" ? " KPM" : ""),
                         { permanent: r.level <= 3, direction: "center", className: "region-label" });
      circle.on("click", function () { map.setView([r.lat, r.lon], Math.max(map.getZoom() + 2, r.level * 3)); });
      regionLayer.addLayer(circle);
    });
    el.setAttribute("data-regions", list.map(function (r) { return r.code; }).join(","));
    if (!fitted && list.length) {
      fitted = true;
      if (list.length > 1) {
        map.fitBounds(L.latLngBounds(list.map(function (r) { return [r.lat, r.lon]; })).pad(0.15));
      }
    }
  }

  // --- household points, clustered on a pixel grid ----------------------------------------------
  function loadPoints() {
    return regions(4).then(function (desa) {
      var view = map.getBounds().pad(0.3);
      var codes = desa.filter(function (d) { return view.contains([d.lat, d.lon]); })
        .map(function (d) { return d.code; }).slice(0, 60);
      var missing = codes.filter(function (c) { return !pointCache[c]; });
      if (!missing.length) { return { codes: codes, added: false }; }
      return getJSON(cfg.pointsUrl + "?" + query({ desa: missing.join(","), program: cfg.program }))
        .then(function (data) {
          missing.forEach(function (c) { pointCache[c] = []; });
          data.points.forEach(function (p) {
            (pointCache[p.desa_code] = pointCache[p.desa_code] || []).push(p);
          });
          if (data.truncated) { statusEl.textContent = labels.truncated || ""; }
          return { codes: codes, added: true };
        });
    }).then(function (loaded) {
      points = [];
      loaded.codes.forEach(function (c) { points = points.concat(pointCache[c] || []); });
      return loaded.added;
    });
  }
  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = (labels.kk || "No. KK") + " " + p.kk;
    box.appendChild(title);
    var place = document.createElement("div");
    place.className = "small text-body-secondary";
    place.textContent = p.desa + (p.status === "suspended" ? " · " + labels.suspended : "");
    box.appendChild(place);
    ["hamil", "putus_sekolah", "siap_graduasi"].forEach(function (k) {
      if (p[k]) {
        var badge = document.createElement("span");
        badge.className = "badge me-1";
        badge.style.background = COLORS[k];
        badge.textContent = labels[k];
        box.appendChild(badge);
      }
    });
    var link = document.createElement("a");
    link.href = cfg.householdUrl.replace(/\/0\/$/, "/" + p.id + "/");
    link.className = "d-block mt-1 household-link";
    link.textContent = labels.open || "Buka data keluarga";
    box.appendChild(link);
    return box;
  }
  function drawPoints() {
    pointLayer.clearLayers();
    var cells = {};
    var size = 44;
    points.forEach(function (p) {
      var px = map.latLngToLayerPoint([p.lat, p.lon]);
      var key = Math.floor(px.x / size) + ":" + Math.floor(px.y / size);
      (cells[key] = cells[key] || []).push(p);
    });
    var shown = 0;
    Object.keys(cells).forEach(function (key) {
      var group = cells[key];
      shown += group.length;
      if (group.length === 1 || map.getZoom() >= 18) {
        group.forEach(function (p) {
          var marker = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#fff", weight: 1.5, fillColor: colorOf(p),
                                                         fillOpacity: matches(p) ? 0.95 : 0.6,
                                                         className: "household-marker" });
          marker.bindPopup(function () { return popup(p); });
          pointLayer.addLayer(marker);
        });
        return;
      }
      var hits = group.filter(matches).length;
      var lat = 0, lon = 0;
      group.forEach(function (p) { lat += p.lat; lon += p.lon; });
      var color = criterion === "status" ? COLORS.status : (hits ? COLORS[criterion] : COLORS.other);
      var d = 26 + Math.min(24, Math.round(Math.sqrt(group.length) * 3));
      var icon = L.divIcon({ className: "", iconSize: [d, d], html: "" });
      var marker = L.marker([lat / group.length, lon / group.length], { icon: icon, keyboard: false });
      marker.on("add", function () {
        var div = document.createElement("div");
        div.className = "kpm-cluster";
        div.style.width = d + "px";
        div.style.height = d + "px";
        div.style.background = color;
        div.textContent = criterion === "status" ? String(group.length) : hits + "/" + group.length;
        marker.getElement().appendChild(div);
      });
      marker.on("click", function () {
        map.fitBounds(L.latLngBounds(group.map(function (p) { return [p.lat, p.lon]; })).pad(0.3));
      });
      pointLayer.addLayer(marker);
    });
    el.setAttribute("data-points", String(shown));
    statusEl.textContent = number.format(shown) + " " + (labels.shown || "");
  }

  var drawnZoom = null;
  function refresh(force) {
    var zoom = map.getZoom();
    if (zoom >= cfg.detailZoom) {
      regionLayer.clearLayers();
      loadPoints().then(function (added) {
        // A pan (e.g. to show a popup) with nothing new keeps the markers, so an open popup stays open.
        if (force === true || added || zoom !== drawnZoom) { drawnZoom = zoom; drawPoints(); }
      }).catch(function () { statusEl.textContent = labels.error || ""; });
    } else {
      drawnZoom = null;
      pointLayer.clearLayers();
      el.setAttribute("data-points", "0");
      statusEl.textContent = labels.zoomIn || "";
      regions(levelFor(zoom)).then(drawRegions).catch(function () { statusEl.textContent = labels.error || ""; });
    }
  }
  if (select) {
    select.addEventListener("change", function () { criterion = select.value; legend(); refresh(true); });
  }
  map.on("moveend", function () { refresh(false); });
  legend();
  refresh(true);
})();
