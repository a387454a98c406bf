/* Map page: server-side clusters and price pins, a result list that follows the viewport,
   filters, polygon drawing, and a URL that restores the view. */
(function () {
  "use strict";
  var L = window.Listings;
  var el = document.getElementById("map");
  if (!el) return;
  var form = document.querySelector("[data-filters]");
  var list = document.querySelector("[data-map-list]");
  var count = document.querySelector("[data-map-count]");
  var status = document.querySelector("[data-map-status]");
  var drawBtn = document.querySelector("[data-draw]");
  var clearBtn = document.querySelector("[data-draw-clear]");
  var saveBtn = document.querySelector("[data-save-search]");
  var url = new URLSearchParams(location.search);
  var polygon = url.get("polygon") ? url.get("polygon").split(";").map(function (p) { return p.split(",").map(Number); }) : null;
  var drawing = false, drawPoints = [];
  var markers = [];
  var seq = 0;

  var map = null, rentals = false, loaded = false, waiting = [];

  function say(msg) { if (status) status.textContent = msg; }
  // The page arrives with its first homes listed and the map's first view drawn (server-side:
  // listings/map_preview.py); MapLibre (1 MB, ~2 s of a phone's main thread to parse and set up
  // WebGL) and its stylesheet are fetched when the visitor reaches for the map: a mouse over it,
  // a touch, the wheel, the keyboard (its start button) or a map button. Scrolling the list or
  // opening a listing never waits for it.
  function asset(src, css) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(css ? "link" : "script");
      if (css) { node.rel = "stylesheet"; node.href = src; } else { node.src = src; node.async = false; }
      node.onload = resolve;
      node.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(node);
    });
  }
  var booted = false;
  function boot() {
    if (booted) return;
    booted = true;
    var parts = [asset(el.dataset.maplibreCss, true), asset(el.dataset.maplibreJs)];
    if (el.dataset.topojson) parts.push(asset(el.dataset.topojson));
    if (el.dataset.basemapJs) parts.push(asset(el.dataset.basemapJs));  // the offline basemap, with the map
    Promise.all(parts).then(start, function () { say("The map could not be loaded."); previewGone(); });
  }
  // Runs fn once the map has loaded (starting it if need be): a button pressed early is not lost.
  function ready(fn) { if (loaded) fn(); else { waiting.push(fn); boot(); } }
  ["pointerover", "pointerdown", "keydown", "wheel", "touchstart", "focusin"].forEach(function (type) { el.addEventListener(type, boot, { passive: true }); });
  var preview = el.querySelector("[data-map-preview]");
  if (preview) {
    // A marker of the preview does what the live one would, once the map runs.
    preview.addEventListener("click", function (e) {
      var m = e.target.closest("[data-at]");
      if (m && m.dataset.slug) { location.href = "/listings/" + m.dataset.slug + "/"; return; }
      var keyboard = e.target === e.currentTarget.querySelector("[data-map-start]");
      ready(function () {
        if (m) map.easeTo({ center: m.dataset.at.split(",").map(Number), zoom: Math.min(map.getZoom() + 2, 20), duration: 400 });
        if (keyboard) map.getCanvas().focus();
      });
    });
  }
  // The live markers are drawn (or the map failed): the preview goes (the live markers sit
  // where its markers were). From the map's load on, it lets pointers through to the map.
  var basemapDrawn = Promise.resolve();
  function previewDone() {
    // With the offline basemap, once its land is drawn too (else the sea would show meanwhile).
    basemapDrawn.then(previewGone, previewGone);
  }
  function previewGone() {
    if (!preview) return;
    var start = preview.querySelector("[data-map-start]");
    if (document.activeElement === start && map) map.getCanvas().focus();
    preview.remove();
    preview = null;
  }

  function start() {
    if (!window.maplibregl) { say("The map could not be loaded."); previewGone(); return; }
    var fit = el.dataset.bounds && url.get("lat") === null ? el.dataset.bounds.split(",").map(Number) : null;
    try {
      map = new maplibregl.Map({
        container: el,
        style: el.dataset.style || L.offlineStyle(),
        center: [parseFloat(url.get("lng")) || -116.45, parseFloat(url.get("lat")) || 33.78],
        zoom: url.get("z") !== null && !isNaN(parseFloat(url.get("z"))) ? parseFloat(url.get("z")) : 9,
        bounds: fit ? [[fit[0], fit[1]], [fit[2], fit[3]]] : undefined,
        fitBoundsOptions: { padding: 40, maxZoom: 15 },
        attributionControl: { compact: true },
        dragRotate: false,
      });
    } catch (err) {
      previewGone();
      el.classList.add("map-unavailable");
      el.textContent = "The map needs WebGL, which this browser does not offer. Use the search page instead.";
      return;
    }
    mapStart();
  }
  function mapStart() {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    window.listingsMap = map; // for tests and debugging
    if (!el.dataset.style) {
      var placesEl = document.getElementById("map-places");
      basemapDrawn = L.offlineBasemap(map, placesEl ? JSON.parse(placesEl.textContent) : []);
    }
    rentals = (new FormData(form || undefined)).get("listingType") === "rent";
    map.on("load", function () {
      map.addSource("draw", { type: "geojson", data: drawSource() });
      map.addLayer({ id: "draw-fill", type: "fill", source: "draw", filter: ["==", "$type", "Polygon"], paint: { "fill-color": "#1d4ed8", "fill-opacity": 0.12 } });
      map.addLayer({ id: "draw-line", type: "line", source: "draw", paint: { "line-color": "#1d4ed8", "line-width": 2 } });
      redraw();
      load();
      loaded = true;
      if (preview) preview.classList.add("map-preview-done");
      waiting.splice(0).forEach(function (fn) { fn(); });
    });
    map.on("moveend", schedule);
    map.on("click", function (e) {
      if (!drawing) return;
      drawPoints.push([e.lngLat.lng, e.lngLat.lat]);
      redraw();
      say(drawPoints.length + " corner" + (drawPoints.length === 1 ? "" : "s") + (drawPoints.length >= 3 ? ". Press “Finish area” when done." : ". " + tapWord + " the map to add corners."));
    });
  }
  L.listingTypeSwitch(function (p) {
    if (map) {
      var c = map.getCenter();
      p.set("lat", c.lat.toFixed(5)); p.set("lng", c.lng.toFixed(5)); p.set("z", map.getZoom().toFixed(2));
    }
    if (polygon) p.set("polygon", filters().get("polygon"));
    location.href = "/map/?" + p.toString();
  });

  function filters() {
    var p = L.filtersQuery(form, ["sort"]);
    if (polygon) p.set("polygon", polygon.map(function (pt) { return pt[0].toFixed(6) + "," + pt[1].toFixed(6); }).join(";"));
    return p;
  }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function bbox() {
    var b = map.getBounds();
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }
  function writeUrl() {
    var p = filters();
    var c = map.getCenter();
    p.set("lat", c.lat.toFixed(5)); p.set("lng", c.lng.toFixed(5)); p.set("z", map.getZoom().toFixed(2));
    history.replaceState(null, "", "/map/?" + p.toString());
  }
  function clearMarkers() { markers.forEach(function (m) { m.remove(); }); markers = []; }
  function addMarker(node, coords) {
    var m = new maplibregl.Marker({ element: node, anchor: "center" }).setLngLat(coords).addTo(map);
    markers.push(m);
  }
  // Price pins are ~70x26 px: points closer than that on screen (a condo building, a street at
  // the last cluster zoom) would cover each other, so they are drawn as one stack pin that
  // zooms in, or lists its homes once zooming cannot separate them.
  var PIN_W = 70, PIN_H = 26, MAX_ZOOM = 20;
  function pinGroups(points) {
    var groups = [];
    points.slice().sort(function (a, b) { return (b.properties.price || 0) - (a.properties.price || 0); })
      .forEach(function (f) {
        var at = map.project(f.geometry.coordinates);
        var hit = groups.find(function (g) { return Math.abs(g.x - at.x) < PIN_W && Math.abs(g.y - at.y) < PIN_H; });
        if (hit) hit.members.push(f);
        else groups.push({ x: at.x, y: at.y, members: [f] });
      });
    return groups;
  }
  function clusterButton(f) {
    var p = f.properties, b = document.createElement("button");
    b.type = "button";
    b.className = "cluster-marker";
    b.dataset.clusterId = p.cluster_id;
    var size = Math.min(64, 30 + Math.log2(p.point_count) * 4);
    b.style.width = b.style.height = size + "px";
    b.textContent = p.point_count_abbreviated;
    // Named by what it shows ("1.2k"), so voice users can say it; the exact count follows.
    b.setAttribute("aria-label", p.point_count_abbreviated + " homes" + (String(p.point_count) === String(p.point_count_abbreviated) ? "" : " (" + p.point_count + ")") +
      (p.min_price ? ", " + L.shortMoney(p.min_price) + " to " + L.shortMoney(p.max_price) : "") + ". Zoom in");
    b.addEventListener("click", function (e) { e.stopPropagation(); expand(p.cluster_id, f.geometry.coordinates); });
    return b;
  }
  function pinButton(f) {
    var p = f.properties, b = document.createElement("button");
    b.type = "button";
    b.className = "price-pin";
    b.dataset.slug = p.slug;
    b.textContent = L.shortMoney(p.price) + (rentals && p.price != null ? "/mo" : "");
    b.setAttribute("aria-label", b.textContent + (p.beds == null ? "" : ", " + p.beds + " bd") + ", open listing");
    b.addEventListener("click", function (e) { e.stopPropagation(); location.href = "/listings/" + p.slug + "/"; });
    return b;
  }
  function stackButton(members) {
    var prices = members.map(function (f) { return f.properties.price; }).filter(function (v) { return v != null; });
    var low = prices.length ? Math.min.apply(null, prices) : null;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "pin-stack";
    b.dataset.count = String(members.length);
    b.textContent = members.length + " homes" + (low == null ? "" : " · " + L.shortMoney(low) + "+");
    b.setAttribute("aria-label", b.textContent + ". Show them");
    b.setAttribute("aria-haspopup", "dialog");
    b.addEventListener("click", function (e) {
      e.stopPropagation();
      var center = centroid(members);
      if (map.getZoom() < MAX_ZOOM - 1 && spread(members) > 0) {
        map.easeTo({ center: center, zoom: Math.min(map.getZoom() + 2, MAX_ZOOM), duration: 400 });
      } else {
        showStack(members, center);
      }
    });
    return b;
  }
  function centroid(members) {
    var x = 0, y = 0;
    members.forEach(function (f) { x += f.geometry.coordinates[0]; y += f.geometry.coordinates[1]; });
    return [x / members.length, y / members.length];
  }
  function spread(members) {  // degrees between the farthest members: 0 when they share a point
    var xs = members.map(function (f) { return f.geometry.coordinates[0]; });
    var ys = members.map(function (f) { return f.geometry.coordinates[1]; });
    return Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs), Math.max.apply(null, ys) - Math.min.apply(null, ys));
  }
  var stackPopup = null;
  function showStack(members, center) {
    if (stackPopup) stackPopup.remove();
    var items = members.map(function (f) {
      var p = f.properties;
      var facts = [p.beds == null ? null : p.beds + " bd", p.baths == null ? null : p.baths + " ba"].filter(Boolean).join(" · ");
      return '<li><a class="price-pin-link" data-slug="' + L.esc(p.slug) + '" href="/listings/' + L.esc(p.slug) + '/">' +
        L.esc(L.money(p.price)) + (facts ? ' <span class="muted">' + L.esc(facts) + "</span>" : "") + "</a></li>";
    }).join("");
    stackPopup = new maplibregl.Popup({ closeButton: true, maxWidth: "260px", className: "pin-stack-popup" })
      .setLngLat(center)
      .setHTML('<p class="small"><strong>' + members.length + ' homes here</strong></p><ul class="pin-stack-list">' + items + "</ul>")
      .addTo(map);
    var first = stackPopup.getElement().querySelector("a");
    if (first) first.focus();
  }
  // A marker pressed but not yet released must not be replaced under the pointer (its click
  // would be lost): a refresh that arrives meanwhile waits for the release.
  var pressed = false, pendingRender = null;
  el.addEventListener("pointerdown", function () { pressed = true; }, true);
  window.addEventListener("pointerup", function () {
    pressed = false;
    if (pendingRender) { var fc = pendingRender; pendingRender = null; setTimeout(function () { renderClusters(fc); }, 0); }
  });
  function renderClusters(fc) {
    if (pressed) { pendingRender = fc; return; }
    clearMarkers();
    if (stackPopup) { stackPopup.remove(); stackPopup = null; }
    var points = [];
    fc.features.forEach(function (f) {
      if (f.properties.cluster) addMarker(clusterButton(f), f.geometry.coordinates);
      else points.push(f);
    });
    pinGroups(points).forEach(function (g) {
      if (g.members.length === 1) addMarker(pinButton(g.members[0]), g.members[0].geometry.coordinates);
      else addMarker(stackButton(g.members), centroid(g.members));
    });
    el.dataset.features = String(fc.features.length);
    el.dataset.clusters = String(fc.features.filter(function (f) { return f.properties.cluster; }).length);
  }
  // A click on a cluster zooms in at once: to the zoom where it splits when the server says so
  // within a quarter second, else two levels (a slow answer never makes the click look lost).
  function expand(id, coords) {
    var done = false, from = map.getZoom();
    function go(z) { if (done) return; done = true; map.easeTo({ center: coords, zoom: Math.min(Math.max(z, from + 1), 20), duration: 400 }); }
    setTimeout(function () { go(from + 2); }, 250);
    L.api("GET", "/api/map/clusters/" + id + "?" + filters().toString() + "&limit=1").then(function (r) {
      go(r.ok ? r.data.expansionZoom : from + 2);
    }).catch(function () { go(from + 2); });
  }
  function load() {
    var mine = ++seq;
    var f = filters();
    var q = f.toString();
    el.setAttribute("aria-busy", "true");
    var clusters = L.api("GET", "/api/map/clusters?" + q + (q ? "&" : "") + "bbox=" + bbox() + "&zoom=" + map.getZoom().toFixed(2));
    var results = L.api("GET", "/api/listings?" + q + (q ? "&" : "") + "bbox=" + bbox() + "&pageSize=24&sort=newest");
    Promise.all([clusters, results]).then(function (rs) {
      if (mine !== seq) return;
      el.setAttribute("aria-busy", "false");
      var c = rs[0], r = rs[1];
      if (!c.ok || !r.ok) {
        var bad = (r.ok ? c.data : r.data) || {};
        if (bad.error === "upgrade_required") {  // an advanced filter without the plan: say so where the results go
          clearMarkers();
          var prompt = L.esc(bad.message) + ' <a href="' + L.esc(bad.upgrade_url || "/billing/pricing/") + '">See plans</a>';
          list.innerHTML = '<div class="message message-upgrade" role="alert" data-upgrade-prompt><p>' + prompt + "</p></div>";
          if (count) count.textContent = "Homes";
          say("");
          el.dataset.ready = "true";
          previewDone();
          return;
        }
        say("Some filters are invalid: " + Object.keys(bad.fields || {}).join(", "));
        return;
      }
      renderClusters(c.data);
      var n = r.data.total;
      if (count) count.textContent = n.toLocaleString("en-US") + " home" + (n === 1 ? "" : "s");
      list.innerHTML = r.data.results.map(L.cardHtml).join("") ||
        '<p class="muted">No homes in this area. Zoom out or change the filters.</p>';
      if (n > r.data.results.length) list.insertAdjacentHTML("beforeend", '<p class="small"><a href="/search/?' + L.esc(q + (q ? "&" : "") + "bbox=" + bbox()) + '">See all ' + n.toLocaleString("en-US") + " in a list</a></p>");
      say("");
      el.dataset.ready = "true";
      previewDone();
    }).catch(function () { if (mine === seq) say("Could not load listings. Check your connection."); });
    writeUrl();
  }
  var timer = null;
  function schedule() { clearTimeout(timer); timer = setTimeout(load, 150); }

  // Drawn area
  function drawSource() {
    var ring = drawing ? drawPoints : (polygon || []);
    var closed = ring.length >= 3 ? ring.concat([ring[0]]) : ring;
    return { type: "FeatureCollection", features: ring.length >= 2 ? [{ type: "Feature", properties: {}, geometry: { type: ring.length >= 3 ? "Polygon" : "LineString", coordinates: ring.length >= 3 ? [closed] : closed } }] : [] };
  }
  function redraw() { var s = map && map.getSource("draw"); if (s) s.setData(drawSource()); if (clearBtn) clearBtn.hidden = !polygon; }
  var drawHelp = document.querySelector("[data-draw-help]");
  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  var tapWord = touch ? "Tap" : "Click";
  if (drawHelp) drawHelp.querySelector("[data-touch-word]").textContent = tapWord;
  function drawMode(on) {
    drawing = on;
    el.classList.toggle("drawing", on);
    if (drawHelp) drawHelp.hidden = !on;
    drawBtn.setAttribute("aria-pressed", on ? "true" : "false");
    drawBtn.textContent = on ? "Finish area" : "Draw an area";
    map.getCanvas().style.cursor = on ? "crosshair" : "";
  }
  if (drawBtn) drawBtn.addEventListener("click", function () { ready(toggleDrawing); });
  function toggleDrawing() {
    if (!drawing) {
      drawPoints = [];
      drawMode(true);
      say(tapWord + " the map to add the corners of your area.");
    } else {
      drawMode(false);
      if (drawPoints.length >= 3) polygon = drawPoints.slice(0, 200);
      else if (drawPoints.length) say("An area needs at least 3 corners; nothing was drawn.");
      redraw(); load();
    }
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && drawing) { drawPoints = []; drawMode(false); redraw(); say("Drawing cancelled."); }
  });
  var toolbar = document.querySelector(".map-toolbar"), filtersToggle = document.querySelector("[data-filters-toggle]");
  if (filtersToggle && toolbar) {
    filtersToggle.hidden = false;
    filtersToggle.addEventListener("click", function () {
      var open = !toolbar.classList.contains("filters-open");
      toolbar.classList.toggle("filters-open", open);
      filtersToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (clearBtn) clearBtn.addEventListener("click", function () { ready(function () { polygon = null; redraw(); load(); }); });
  // Before the map runs, the form submits as a plain GET (the server lists the homes).
  if (form) form.addEventListener("submit", function (e) { if (map) { e.preventDefault(); load(); } });

  if (saveBtn) saveBtn.addEventListener("click", function () { ready(saveSearch); });
  function saveSearch() {
    var p = filters();
    if (!polygon) p.set("bbox", bbox());
    L.api("POST", "/api/saved-searches", { query: p.toString(), frequency: "daily" }).then(function (r) {
      if (r.ok) say("Saved “" + r.data.name + "”. We'll email you new matches and price drops.");
      else if (r.data.upgrade) { status.innerHTML = L.esc(r.data.message) + ' <a href="/billing/">Upgrade</a>'; }
      else say(r.data.message || "Could not save this search.");
    });
  }
})();
