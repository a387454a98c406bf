/* The offline basemap, used when no tile service is configured (no MAPTILER_API_KEY): water,
   land and coastlines, state and county lines drawn from packaged data (npm us-atlas and
   world-atlas, served by the app), and the names of the cities the site has listings in.
   With a tile service the map uses its style instead and this file draws nothing. */
(function () {
  "use strict";
  var L = window.Listings = window.Listings || {};
  var VENDOR = "/static/vendor/";
  var WATER = "#cfe2f3", LAND = "#f4f1ea", US_LAND = "#f7f5ef";

  L.offlineStyle = function () {
    return { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": WATER } }] };
  };

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function staticUrl(map, name, path) {
    // The page names the (hashed, long-cached) static files; the plain names otherwise.
    return map.getContainer().dataset[name] || VENDOR + path;
  }
  function beforeId(map) {
    var layers = map.getStyle().layers || [];
    return layers.length > 1 ? layers[1].id : undefined;  // under anything the page drew
  }
  function addLayers(map, world, us) {
    var topo = window.topojson;
    var land = topo.feature(world, world.objects.land);
    var nation = topo.feature(us, us.objects.nation);
    var states = topo.mesh(us, us.objects.states, function (a, b) { return a !== b; });
    var counties = topo.mesh(us, us.objects.counties, function (a, b) {
      return a !== b && Math.floor(Number(a.id) / 1000) === Math.floor(Number(b.id) / 1000);
    });
    var coast = topo.mesh(us, us.objects.nation, function (a, b) { return a === b; });
    var below = beforeId(map);
    map.addSource("basemap-land", { type: "geojson", data: land });
    map.addSource("basemap-us", { type: "geojson", data: nation });
    map.addSource("basemap-states", { type: "geojson", data: states });
    map.addSource("basemap-counties", { type: "geojson", data: counties });
    map.addSource("basemap-coast", { type: "geojson", data: coast });
    map.addLayer({ id: "basemap-land", type: "fill", source: "basemap-land", paint: { "fill-color": LAND } }, below);
    map.addLayer({ id: "basemap-us", type: "fill", source: "basemap-us", paint: { "fill-color": US_LAND } }, below);
    map.addLayer({ id: "basemap-counties", type: "line", source: "basemap-counties", minzoom: 6,
      paint: { "line-color": "#b9b2a3", "line-width": 1, "line-dasharray": [3, 2] } }, below);
    map.addLayer({ id: "basemap-states", type: "line", source: "basemap-states",
      paint: { "line-color": "#8f8676", "line-width": 1.6 } }, below);
    map.addLayer({ id: "basemap-coast", type: "line", source: "basemap-coast",
      paint: { "line-color": "#7fa7c9", "line-width": 1.4 } }, below);
  }

  // City names as small HTML labels (an offline style has no glyph server for map text).
  // Larger places show first; the rest appear as the map zooms in.
  function placeLabels(map, places) {
    var labels = (places || []).map(function (p, i) {
      var el = document.createElement("div");
      el.className = "map-place";
      el.textContent = p.name;
      el.setAttribute("aria-hidden", "true");
      var marker = new maplibregl.Marker({ element: el, anchor: "top", offset: [0, 6] }).setLngLat([p.lng, p.lat]).addTo(map);
      return { el: el, marker: marker, rank: i, count: p.count };
    });
    function update() {
      var z = map.getZoom();
      var shown = z >= 11 ? Infinity : z >= 9 ? 40 : z >= 7 ? 12 : 5;
      labels.forEach(function (l) { l.el.hidden = l.rank >= shown; });
    }
    map.on("zoomend", update);
    update();
    return labels;
  }

  L.offlineBasemap = function (map, places) {
    var ready = new Promise(function (resolve) {
      if (map.isStyleLoaded()) resolve(); else map.once("load", resolve);
    });
    var data = Promise.all([getJson(staticUrl(map, "basemapWorld", "world-atlas/land-50m.json")), getJson(staticUrl(map, "basemapUs", "us-atlas/counties-10m.json"))]);
    return Promise.all([ready, data]).then(function (rs) {
      if (!window.topojson) throw new Error("topojson-client missing");
      addLayers(map, rs[1][0], rs[1][1]);
      map.getContainer().dataset.basemap = "offline";
      return placeLabels(map, places);
    }).catch(function (err) {
      map.getContainer().dataset.basemap = "unavailable";
      if (window.console) console.warn("offline basemap:", err);
    });
  };
})();
