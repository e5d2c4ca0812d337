/* e-JSiKa Lapangan: the pendamping's offline field app.
 *
 * Every form saves to IndexedDB first, with a UUID made on the phone (crypto.randomUUID), and shows
 * in the queue. When the phone is online the queue is sent to POST /api/v1/fieldwork/sync (session
 * cookie + CSRF header); the server answers per record, and only records it stored (or already had)
 * leave the queue. Refused records stay visible with the server's reason. No inline scripts (CSP).
 */
(function () {
  "use strict";

  var app = document.getElementById("field-app");
  if (!app) { return; }
  var cfg = app.dataset;
  var USER = cfg.user || "";
  var DB_NAME = "jsika-lapangan";
  var BATCH_RECORDS = 10;
  var PHOTO_MAX_BYTES = 200 * 1024;
  var RETRY_MS = 60 * 1000;

  // --- small helpers ----------------------------------------------------------------------------

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "className") { node.className = attrs[k]; }
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localDate(d) { d = d || new Date(); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function localIso(d) {
    d = d || new Date();
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return localDate(d) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function formatTime(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return d.toLocaleString("id-ID", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  // --- IndexedDB: the queue and a small key-value store ----------------------------------------

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          var d = req.result;
          if (!d.objectStoreNames.contains("queue")) { d.createObjectStore("queue", { keyPath: "client_id" }); }
          if (!d.objectStoreNames.contains("kv")) { d.createObjectStore("kv"); }
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function run(storeName, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(storeName, mode), result;
        var store = t.objectStore(storeName);
        var req = work(store);
        if (req) { req.onsuccess = function () { result = req.result; }; }
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function kvGet(key) { return run("kv", "readonly", function (s) { return s.get(key); }); }
  function kvSet(key, value) { return run("kv", "readwrite", function (s) { s.put(value, key); }); }
  function kvDelete(key) { return run("kv", "readwrite", function (s) { s.delete(key); }); }
  function queueAll() {
    return run("queue", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (i) { return i.user === USER; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0; });
    });
  }
  function queuePut(items) { return run("queue", "readwrite", function (s) { items.forEach(function (i) { s.put(i); }); }); }
  function queueDelete(ids) { return run("queue", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); }); }

  function deviceId() {
    return kvGet("device_id").then(function (id) {
      if (id) { return id; }
      id = "web-" + uuid4();
      return kvSet("device_id", id).then(function () { return id; });
    });
  }

  /** Queue records of one group (a visit; or a session with its attendance) to be sent together. */
  function enqueue(records, label) {
    var now = new Date().toISOString();
    var group = records[0].client_id;
    var items = records.map(function (r, i) {
      return { client_id: r.client_id, user: USER, type: r.type, record: r, label: i === 0 ? label : label + " · " + r.type,
        group: group, status: "pending", reason: "", created_at: now + "#" + pad(i), attempts: 0 };
    });
    return queuePut(items).then(function () { refreshQueueViews(); trySync(); return items; });
  }

  // --- caseload: fetched when online, kept in IndexedDB for offline use -------------------------

  function loadCaseload() {
    var key = "caseload:" + USER;
    return fetch(cfg.caseloadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      // Offline, the service worker answers with its cached copy: fine to use, but not "fresh".
      .then(function (data) { return kvSet(key, data).then(function () { return { data: data, fresh: navigator.onLine }; }); })
      .catch(function () { return kvGet(key).then(function (data) { return { data: data || null, fresh: false }; }); });
  }

  // --- sync -------------------------------------------------------------------------------------

  var syncing = false;
  var lastError = "";

  function setStatus() {
    var box = document.getElementById("net-status");
    if (!box) { return; }
    queueAll().then(function (items) {
      var pending = items.filter(function (i) { return i.status === "pending"; }).length;
      var rejected = items.filter(function (i) { return i.status === "rejected"; }).length;
      var text;
      box.className = "net-status";
      if (syncing) { box.classList.add("is-syncing"); text = box.dataset.syncing; }
      else if (!navigator.onLine) { box.classList.add("is-offline"); text = box.dataset.offline; }
      else if (lastError) { box.classList.add("is-error"); text = lastError; }
      else { text = box.dataset.online; }
      var parts = [text];
      if (pending) { parts.push(box.dataset.pending.replace("%s", pending)); }
      if (rejected) { parts.push(box.dataset.rejected.replace("%s", rejected)); }
      $(".net-text", box).textContent = parts.join(" · ");
      $all("[data-queue-count]").forEach(function (n) {
        n.textContent = String(pending + rejected);
        n.hidden = pending + rejected === 0;
      });
      $all("[data-pending-count]").forEach(function (n) { n.textContent = String(pending); });
    });
  }

  function sendBatch(items, device) {
    return fetch(cfg.syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device_id: device, records: items.map(function (i) { return i.record; }) })
    }).then(function (r) {
      if (r.status === 401 || r.status === 403) { throw new Error(app.dataset.msgLogin); }
      if (!r.ok) { throw new Error(app.dataset.msgServer + " (HTTP " + r.status + ")"); }
      return r.json();
    }).then(function (answers) {
      var byId = {};
      answers.forEach(function (a) { if (a && a.client_id) { byId[a.client_id] = a; } });
      var done = [], changed = [];
      items.forEach(function (item) {
        var a = byId[item.client_id];
        if (!a) { return; }
        if (a.status === "stored" || a.status === "duplicate") { done.push(item.client_id); }
        else if (a.retry) { item.attempts += 1; item.reason = a.reason || ""; changed.push(item); }
        else { item.status = "rejected"; item.reason = a.reason || ""; changed.push(item); }
      });
      return queueDelete(done).then(function () { return queuePut(changed); });
    });
  }

  function groups(items) {
    var order = [], byGroup = {};
    items.forEach(function (i) {
      if (!byGroup[i.group]) { byGroup[i.group] = []; order.push(i.group); }
      byGroup[i.group].push(i);
    });
    return order.map(function (g) { return byGroup[g]; });
  }

  function syncNow() {
    if (syncing || !navigator.onLine) { setStatus(); return Promise.resolve(); }
    syncing = true;
    setStatus();
    return Promise.all([queueAll(), deviceId()]).then(function (res) {
      var pending = res[0].filter(function (i) { return i.status === "pending"; });
      var batches = [], batch = [];
      groups(pending).forEach(function (g) {
        if (batch.length && batch.length + g.length > BATCH_RECORDS) { batches.push(batch); batch = []; }
        batch = batch.concat(g);
      });
      if (batch.length) { batches.push(batch); }
      return batches.reduce(function (p, b) { return p.then(function () { return sendBatch(b, res[1]); }); },
        Promise.resolve());
    }).then(function () {
      lastError = "";
      return kvSet("last_sync:" + USER, new Date().toISOString());
    }).catch(function (err) {
      lastError = (err && err.message && err.message.indexOf("Failed to fetch") === -1) ? err.message : "";
    }).then(function () {
      syncing = false;
      refreshQueueViews();
      document.dispatchEvent(new CustomEvent("jsika:synced"));
    });
  }
  function trySync() { if (navigator.onLine) { syncNow(); } else { setStatus(); } }

  window.addEventListener("online", function () { lastError = ""; syncNow(); });
  window.addEventListener("offline", setStatus);
  window.setInterval(trySync, RETRY_MS);
  $all("[data-sync-now]").forEach(function (b) { b.addEventListener("click", function () { lastError = ""; syncNow(); }); });

  // --- the service worker (app shell and caseload cache) ---------------------------------------

  if ("serviceWorker" in navigator && cfg.swUrl) {
    navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope }).catch(function () { /* pages still work online */ });
  }

  // Logging out: warn about unsent records, and forget this user's cached caseload and pages.
  $all("form[action$='/keluar/']").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.cleared) { return; }
      ev.preventDefault();
      queueAll().then(function (items) {
        var pending = items.filter(function (i) { return i.status === "pending"; }).length;
        if (pending && !window.confirm(app.dataset.msgLogoutPending.replace("%s", pending))) { return; }
        var clearing = [kvDelete("caseload:" + USER)];
        if (window.caches) {
          clearing.push(caches.keys().then(function (keys) {
            return Promise.all(keys.filter(function (k) { return k.indexOf("jsika-lapangan-") === 0; })
              .map(function (k) { return caches.delete(k); }));
          }));
        }
        Promise.all(clearing).catch(function () {}).then(function () { form.dataset.cleared = "1"; form.submit(); });
      });
    });
  });

  // --- photos: compressed on the phone to at most 200 KB ---------------------------------------

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error(app.dataset.msgPhotoBad)); };
      img.src = url;
    });
  }
  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }
  function blobToDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
      r.readAsDataURL(blob);
    });
  }
  function compressPhoto(file) {
    return loadImage(file).then(function (img) {
      var maxSide = 1280, quality = 0.8, attempt = 0;
      var canvas = document.createElement("canvas");
      function tryOnce() {
        var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        return toBlob(canvas, quality).then(function (blob) {
          if (blob && blob.size <= PHOTO_MAX_BYTES) { return blobToDataUrl(blob); }
          attempt += 1;
          if (attempt > 10) { throw new Error(app.dataset.msgPhotoBig); }
          if (quality > 0.45) { quality -= 0.12; } else { maxSide = Math.round(maxSide * 0.75); }
          return tryOnce();
        });
      }
      return tryOnce();
    });
  }
  function wirePhoto(form) {
    var input = $("[data-photo-input]", form), preview = $("[data-photo-preview]", form);
    var info = $("[data-photo-info]", form), clear = $("[data-photo-clear]", form);
    if (!input) { return; }
    input.addEventListener("change", function () {
      form.dataset.photo = "";
      preview.hidden = true;
      if (!input.files || !input.files[0]) { return; }
      info.textContent = app.dataset.msgPhotoWorking;
      compressPhoto(input.files[0]).then(function (dataUrl) {
        form.dataset.photo = dataUrl;
        preview.src = dataUrl;
        preview.hidden = false;
        clear.hidden = false;
        info.textContent = app.dataset.msgPhotoReady.replace("%s", Math.round(dataUrl.length * 0.75 / 1024));
      }).catch(function (err) { input.value = ""; info.textContent = err.message; });
    });
    clear.addEventListener("click", function () {
      input.value = ""; form.dataset.photo = ""; preview.hidden = true; clear.hidden = true; info.textContent = "";
    });
  }

  // --- GPS from the phone ----------------------------------------------------------------------

  function wireGps(form) {
    var button = $("[data-gps]", form);
    if (!button) { return; }
    var lat = $("[name=latitude]", form), lon = $("[name=longitude]", form), info = $("[data-gps-info]", form);
    function locate() {
      if (!navigator.geolocation) { info.textContent = app.dataset.msgGpsNone; return; }
      info.textContent = app.dataset.msgGpsWorking;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        info.textContent = app.dataset.msgGpsReady.replace("%s", Math.round(pos.coords.accuracy));
      }, function () { info.textContent = app.dataset.msgGpsFail; }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }
    button.addEventListener("click", locate);
    form.addEventListener("reset", function () { window.setTimeout(locate, 0); });
    locate();
  }
  function gpsValues(form) {
    var lat = parseFloat(($("[name=latitude]", form) || {}).value), lon = parseFloat(($("[name=longitude]", form) || {}).value);
    return isFinite(lat) && isFinite(lon) ? { latitude: lat, longitude: lon } : { latitude: null, longitude: null };
  }

  function toast(message) {
    var box = el("div", { className: "alert alert-success shadow toast-saved", role: "status", text: message });
    document.body.appendChild(box);
    window.setTimeout(function () { box.remove(); }, 3500);
  }
  function showError(form, message) {
    var box = $("[data-form-error]", form);
    box.textContent = message;
    box.hidden = !message;
    if (message) { box.scrollIntoView({ block: "center" }); }
  }

  // --- visit form -------------------------------------------------------------------------------

  var SCHOOL = { sd: "SD", smp: "SMP", sma: "SMA/SMK", "tidak sekolah lagi": "" };

  function triSelect(name, labels) {
    return el("select", { className: "form-select form-select-sm", name: name }, [
      el("option", { value: "", text: "—" }), el("option", { value: "1", text: labels[0] }),
      el("option", { value: "0", text: labels[1] })]);
  }

  function memberRow(m, control, extra) {
    return el("div", { className: "member-row", "data-person": String(m.id) }, [
      el("div", { className: "d-flex justify-content-between gap-2 align-items-start" }, [
        el("div", {}, [el("div", { className: "name", text: m.name }),
          el("div", { className: "sub", text: m.age + " th" + (extra ? " · " + extra : "") })]),
        control])]);
  }

  function renderCondition(form, household) {
    var box = $("[data-condition]", form), t = form.dataset;
    box.textContent = "";
    if (!household) { return; }
    var school = household.members.filter(function (m) {
      return ["sd", "smp", "sma"].indexOf(m.school_status) >= 0 || (m.school_status === "tidak sekolah lagi" && m.age >= 7 && m.age <= 18);
    });
    var pregnant = household.members.filter(function (m) { return m.pregnant; });
    var toddlers = household.members.filter(function (m) { return m.toddler; });
    if (school.length) {
      box.appendChild(el("h3", { className: "h6 mt-3", text: t.labelSchool }));
      school.forEach(function (m) {
        var control = el("div", { className: "d-flex gap-2 align-items-center" }, [
          el("input", { className: "form-control form-control-sm", type: "number", min: "0", max: "100", step: "1",
            name: "attendance", placeholder: "%", "aria-label": t.labelAttendance + " " + m.name, style: "width:5rem" }),
          el("select", { className: "form-select form-select-sm", name: "in_school", "aria-label": t.labelInSchool }, [
            // A child the registry lists as out of school is asked, never assumed: "—" until the pendamping says.
            el("option", { value: "", text: "—", selected: m.school_status === "tidak sekolah lagi" ? "selected" : null }),
            el("option", { value: "1", text: t.labelStillInSchool, selected: m.school_status !== "tidak sekolah lagi" ? "selected" : null }),
            el("option", { value: "0", text: t.labelDropout })])]);
        box.appendChild(memberRow(m, control, SCHOOL[m.school_status] || t.labelDropout)).dataset.section = "school";
      });
    }
    if (pregnant.length) {
      box.appendChild(el("h3", { className: "h6 mt-3", text: t.labelPregnant }));
      pregnant.forEach(function (m) {
        var row = memberRow(m, triSelect("antenatal", [t.labelYes, t.labelNo]), t.labelAntenatal);
        row.dataset.section = "pregnant";
        box.appendChild(row);
      });
    }
    if (toddlers.length) {
      box.appendChild(el("h3", { className: "h6 mt-3", text: t.labelToddlers }));
      toddlers.forEach(function (m) {
        var control = el("div", { className: "d-flex gap-2 align-items-center" }, [
          triSelect("weighed", [t.labelYes, t.labelNo]),
          el("input", { className: "form-control form-control-sm", type: "number", min: "0.5", max: "40", step: "0.1",
            name: "weight", placeholder: "kg", "aria-label": t.labelWeight + " " + m.name, style: "width:5rem" })]);
        var row = memberRow(m, control, t.labelWeighed);
        row.dataset.section = "toddlers";
        box.appendChild(row);
      });
    }
    if (!school.length && !pregnant.length && !toddlers.length) {
      box.appendChild(el("p", { className: "text-body-secondary small mb-0", text: t.labelNoMembers }));
    }
  }

  function readCondition(form) {
    var condition = {};
    $all("[data-condition] .member-row", form).forEach(function (row) {
      var person = parseInt(row.dataset.person, 10), section = row.dataset.section;
      if (section === "school") {
        var pct = $("[name=attendance]", row).value, answer = $("[name=in_school]", row).value;
        if (answer === "0") {
          (condition.school = condition.school || []).push({ person: person, attendance_percent: null, in_school: false });
        } else if (pct !== "") {
          (condition.school = condition.school || []).push({ person: person, attendance_percent: Number(pct), in_school: true });
        }
      } else if (section === "pregnant") {
        var a = $("[name=antenatal]", row).value;
        if (a === "") { return; }
        (condition.pregnant = condition.pregnant || []).push({ person: person, antenatal_checked: a === "1" });
      } else if (section === "toddlers") {
        var w = $("[name=weighed]", row).value, kg = $("[name=weight]", row).value;
        if (w === "" && kg === "") { return; }
        (condition.toddlers = condition.toddlers || []).push({ person: person, weighed: w === "1" || (w === "" && kg !== ""), weight_kg: kg === "" ? null : Number(kg) });
      }
    });
    var problems = $all("[name=problems]:checked", form).map(function (c) { return c.value; });
    if (problems.length) { condition.problems = problems; }
    return condition;
  }

  function fillHouseholds(select, data, preselect, filterText) {
    var keep = select.value || preselect || "";
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: select.dataset.placeholder }));
    var needle = (filterText || "").toLowerCase();
    var byVillage = {};
    (data.households || []).forEach(function (h) {
      var label = (h.head_name || "KK …" + h.no_kk_tail) + " — " + (h.address || "") + (h.rt ? " RT " + h.rt : "") +
        (h.visited_this_month ? " ✓" : "");
      if (needle && label.toLowerCase().indexOf(needle) === -1 && String(h.id) !== keep) { return; }
      (byVillage[h.region_name] = byVillage[h.region_name] || []).push(el("option", { value: String(h.id), text: label }));
    });
    Object.keys(byVillage).sort().forEach(function (v) {
      select.appendChild(el("optgroup", { label: v }, byVillage[v]));
    });
    if (keep) { select.value = keep; }
  }

  function wireVisitForm(form) {
    var select = $("[name=household]", form), search = $("[data-household-search]", form);
    var date = $("[name=visited_on]", form), state = { data: null };
    date.max = localDate();
    date.value = localDate();
    wirePhoto(form);
    wireGps(form);
    function household() {
      var id = parseInt(select.value, 10);
      return state.data ? (state.data.households || []).filter(function (h) { return h.id === id; })[0] : null;
    }
    function load() {
      return loadCaseload().then(function (res) {
        state.data = res.data;
        var info = $("[data-caseload-info]", form);
        if (!res.data) { info.textContent = form.dataset.msgNoCaseload; return; }
        info.textContent = (res.fresh ? form.dataset.msgCaseloadFresh : form.dataset.msgCaseloadCached)
          .replace("%s", res.data.households.length).replace("%t", formatTime(res.data.generated_at));
        fillHouseholds(select, res.data, form.dataset.preselect, search.value);
        renderCondition(form, household());
        form.dataset.ready = "1";
      });
    }
    select.addEventListener("change", function () { renderCondition(form, household()); });
    search.addEventListener("input", function () { if (state.data) { fillHouseholds(select, state.data, "", search.value); } });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      showError(form, "");
      var h = household();
      if (!h) { showError(form, form.dataset.msgPickHousehold); return; }
      if (!date.value || date.value > localDate()) { showError(form, form.dataset.msgFutureDate); return; }
      var purpose = $("[name=purpose]", form).value;
      var gps = gpsValues(form);
      var record = {
        client_id: uuid4(), type: "visit", household: String(h.id), visited_on: date.value, purpose: purpose,
        notes: $("[name=notes]", form).value.trim(), condition: readCondition(form),
        latitude: gps.latitude, longitude: gps.longitude, photo: form.dataset.photo || null, recorded_at: localIso()
      };
      var label = form.dataset.labelVisit + ": " + (h.head_name || h.no_kk_tail) + " (" + date.value + ")";
      enqueue([record], label).then(function () {
        toast(form.dataset.msgSaved);
        form.reset();
        form.dataset.photo = "";
        $("[data-photo-preview]", form).hidden = true;
        date.value = localDate();
        select.value = "";
        renderCondition(form, null);
        window.scrollTo(0, 0);
      }).catch(function (err) { showError(form, String(err && err.message || err)); });
    });
    $("[data-reload-caseload]", form).addEventListener("click", load);
    load();
  }

  // --- P2K2 session form ------------------------------------------------------------------------

  function wireSessionForm(form) {
    var village = $("[name=region]", form), moduleSel = $("[name=module]", form), number = $("[name=session_number]", form);
    var date = $("[name=held_on]", form), list = $("[data-attendance]", form), state = { data: null };
    var reasons = JSON.parse(form.dataset.reasons || "[]");
    date.max = localDate();
    date.value = localDate();
    wirePhoto(form);
    wireGps(form);
    function fillNumbers() {
      var m = state.data ? state.data.modules.filter(function (x) { return x.code === moduleSel.value; })[0] : null;
      number.textContent = "";
      for (var i = 1; i <= (m ? m.sessions : 1); i++) { number.appendChild(el("option", { value: String(i), text: String(i) })); }
    }
    function renderAttendance() {
      list.textContent = "";
      if (!state.data || !village.value) { return; }
      var households = state.data.households.filter(function (h) { return h.region === village.value; });
      households.forEach(function (h) {
        var id = "hadir-" + h.id;
        var check = el("input", { className: "form-check-input", type: "checkbox", id: id, name: "present", value: String(h.id) });
        var reason = el("select", { className: "form-select", name: "reason-" + h.id, "aria-label": form.dataset.labelReason },
          reasons.map(function (r) { return el("option", { value: r[0], text: r[1] }); }));
        reason.value = "tanpa_keterangan";
        check.addEventListener("change", function () { reason.hidden = check.checked; });
        list.appendChild(el("div", { className: "attendance-row", "data-household": String(h.id) }, [
          check, el("label", { className: "who", for: id }, [el("div", { className: "name", text: h.head_name || "KK …" + h.no_kk_tail }),
            el("div", { className: "small text-body-secondary", text: (h.address || "") + (h.rt ? " RT " + h.rt : "") })]), reason]));
      });
      $("[data-attendance-count]", form).textContent = String(households.length);
    }
    function load() {
      return loadCaseload().then(function (res) {
        state.data = res.data;
        if (!res.data) { $("[data-caseload-info]", form).textContent = form.dataset.msgNoCaseload; return; }
        village.textContent = "";
        village.appendChild(el("option", { value: "", text: village.dataset.placeholder }));
        res.data.villages.forEach(function (v) { village.appendChild(el("option", { value: v.code, text: v.name })); });
        moduleSel.textContent = "";
        res.data.modules.forEach(function (m) { moduleSel.appendChild(el("option", { value: m.code, text: m.number + ". " + m.name })); });
        fillNumbers();
        if (res.data.villages.length === 1) { village.value = res.data.villages[0].code; }
        renderAttendance();
        $("[data-caseload-info]", form).textContent = (res.fresh ? form.dataset.msgCaseloadFresh : form.dataset.msgCaseloadCached)
          .replace("%s", res.data.households.length).replace("%t", formatTime(res.data.generated_at));
        form.dataset.ready = "1";
      });
    }
    village.addEventListener("change", renderAttendance);
    moduleSel.addEventListener("change", fillNumbers);
    $("[data-all-present]", form).addEventListener("click", function () {
      $all("[name=present]", list).forEach(function (c) { c.checked = true; c.dispatchEvent(new Event("change")); });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      showError(form, "");
      if (!village.value) { showError(form, form.dataset.msgPickVillage); return; }
      if (!date.value || date.value > localDate()) { showError(form, form.dataset.msgFutureDate); return; }
      var rows = $all(".attendance-row", list);
      if (!rows.length) { showError(form, form.dataset.msgNoHouseholds); return; }
      var gps = gpsValues(form), now = localIso();
      var session = {
        client_id: uuid4(), type: "session", region: village.value, module: moduleSel.value,
        session_number: parseInt(number.value, 10), held_on: date.value, place: $("[name=place]", form).value.trim(),
        notes: $("[name=notes]", form).value.trim(), latitude: gps.latitude, longitude: gps.longitude,
        photo: form.dataset.photo || null, recorded_at: now
      };
      var records = [session].concat(rows.map(function (row) {
        var present = $("[name=present]", row).checked;
        return { client_id: uuid4(), type: "attendance", session: session.client_id, household: row.dataset.household,
          present: present, absence_reason: present ? "" : $("select", row).value, recorded_at: now };
      }));
      var present = records.filter(function (r) { return r.present; }).length;
      var label = form.dataset.labelSession + ": " + moduleSel.options[moduleSel.selectedIndex].text + " · " +
        village.options[village.selectedIndex].text + " (" + present + "/" + rows.length + ")";
      enqueue(records, label).then(function () {
        toast(form.dataset.msgSaved);
        form.reset();
        form.dataset.photo = "";
        $("[data-photo-preview]", form).hidden = true;
        date.value = localDate();
        fillNumbers();
        renderAttendance();
        window.scrollTo(0, 0);
      }).catch(function (err) { showError(form, String(err && err.message || err)); });
    });
    $("[data-reload-caseload]", form).addEventListener("click", load);
    load();
  }

  // --- the queue page ---------------------------------------------------------------------------

  function renderQueue(box) {
    queueAll().then(function (items) {
      box.textContent = "";
      var shown = items.filter(function (i) { return i.type !== "attendance" || i.status === "rejected"; });
      if (!shown.length) { box.appendChild(el("p", { className: "text-body-secondary text-center py-4 mb-0", text: box.dataset.empty })); }
      shown.forEach(function (i) {
        var rejected = i.status === "rejected";
        var members = items.filter(function (x) { return x.group === i.group && x.type === "attendance"; }).length;
        var actions = el("div", { className: "d-flex gap-2 mt-2" });
        if (rejected) {
          var dl = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", text: box.dataset.download });
          dl.addEventListener("click", function () {
            var blob = new Blob([JSON.stringify(i.record, null, 2)], { type: "application/json" });
            var a = el("a", { href: URL.createObjectURL(blob), download: "catatan-" + i.client_id + ".json" });
            document.body.appendChild(a); a.click(); a.remove();
          });
          var drop = el("button", { type: "button", className: "btn btn-sm btn-outline-danger", text: box.dataset.dismiss });
          drop.addEventListener("click", function () {
            if (window.confirm(box.dataset.dismissConfirm)) { queueDelete([i.client_id]).then(refreshQueueViews); }
          });
          actions.appendChild(dl);
          actions.appendChild(drop);
        }
        box.appendChild(el("div", { className: "list-group-item queue-item" + (rejected ? " is-rejected" : ""), "data-client-id": i.client_id,
          "data-status": i.status }, [
          el("div", { className: "d-flex justify-content-between gap-2" }, [
            el("strong", { text: i.label }),
            el("span", { className: "badge " + (rejected ? "text-bg-danger" : "text-bg-secondary"), text: rejected ? box.dataset.rejected : box.dataset.pending })]),
          el("div", { className: "small text-body-secondary", text: formatTime(i.record.recorded_at) + (members ? " · " + members + " " + box.dataset.households : "") +
            (i.attempts ? " · " + box.dataset.attempts.replace("%s", i.attempts) : "") }),
          i.reason ? el("div", { className: "reason mt-1", text: i.reason }) : null,
          rejected ? actions : null]));
      });
    });
    kvGet("last_sync:" + USER).then(function (when) {
      var n = $("[data-last-sync]");
      if (n) { n.textContent = when ? formatTime(when) : "—"; }
    });
  }

  function refreshQueueViews() {
    setStatus();
    $all("[data-queue-list]").forEach(renderQueue);
  }

  $all("form[data-visit-form]").forEach(wireVisitForm);
  $all("form[data-session-form]").forEach(wireSessionForm);
  refreshQueueViews();
  trySync();
  // Keep a fresh caseload on the phone from any field page, for when the signal goes.
  if (navigator.onLine && !$("form[data-visit-form], form[data-session-form]")) { loadCaseload(); }
}());
