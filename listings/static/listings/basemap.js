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
  // The TopoJSON is turned into GeoJSON layers (the counties take ~2 s of a slow phone's main
  // thread) in a worker of its own when the page names topojson-client's URL; on the main
  // thread otherwise, a layer per task.
  function convert(topo, world, us) {
    return {
      land: topo.feature(world, world.objects.land),
      nation: topo.feature(us, us.objects.nation),
      states: topo.mesh(us, us.objects.states, function (a, b) { return a !== b; }),
      coast: topo.mesh(us, us.objects.nation, function (a, b) { return a === b; }),
      counties: topo.mesh(us, us.objects.counties, function (a, b) {
        return a !== b && Math.floor(Number(a.id) / 1000) === Math.floor(Number(b.id) / 1000);
      }),
    };
  }
  function workerMain() {
    self.onmessage = function (e) {
      var d = e.data;
      importScripts(d.topojson);
      Promise.all([d.world, d.us].map(function (u) {
        return fetch(u).then(function (r) { if (!r.ok) throw new Error(u + ": " + r.status); return r.json(); });
      })).then(function (rs) {
        var convert = new Function("return " + d.convert)();
        self.postMessage({ layers: convert(self.topojson, rs[0], rs[1]) });
      }).catch(function (err) { self.postMessage({ error: String(err) }); });
    };
  }
  function inWorker(urls) {
    return new Promise(function (resolve, reject) {
      var blob = new Blob(["(" + workerMain.toString() + ")()"], { type: "text/javascript" });
      var src = URL.createObjectURL(blob), worker = new Worker(src);
      worker.onmessage = function (e) {
        worker.terminate(); URL.revokeObjectURL(src);
        if (e.data.error) reject(new Error(e.data.error)); else resolve(e.data.layers);
      };
      worker.onerror = function (e) { worker.terminate(); URL.revokeObjectURL(src); reject(new Error(e.message || "worker failed")); };
      worker.postMessage({ topojson: urls.topojson, world: urls.world, us: urls.us, convert: convert.toString() });
    });
  }
  function onMainThread(urls) {
    return Promise.all([getJson(urls.world), getJson(urls.us)]).then(function (rs) {
      if (!window.topojson) throw new Error("topojson-client missing");
      return convert(window.topojson, rs[0], rs[1]);
    });
  }
  function later(fn) { return new Promise(function (resolve) { setTimeout(function () { resolve(fn()); }, 0); }); }
  function addLayers(map, g) {
    var below = beforeId(map);
    function layer(id, data, spec) {
      map.addSource(id, { type: "geojson", data: data });
      spec.id = id; spec.source = id;
      map.addLayer(spec, below);
    }
    return later(function () { layer("basemap-land", g.land, { type: "fill", paint: { "fill-color": LAND } }); })
      .then(function () { return later(function () { layer("basemap-us", g.nation, { type: "fill", paint: { "fill-color": US_LAND } }); }); })
      .then(function () { return later(function () { layer("basemap-states", g.states, { type: "line", paint: { "line-color": "#8f8676", "line-width": 1.6 } }); }); })
      .then(function () { return later(function () { layer("basemap-coast", g.coast, { type: "line", paint: { "line-color": "#7fa7c9", "line-width": 1.4 } }); }); })
      .then(function () { return later(function () {
        // Under the state lines and coast, as before.
        map.addSource("basemap-counties", { type: "geojson", data: g.counties });
        map.addLayer({ id: "basemap-counties", type: "line", source: "basemap-counties", minzoom: 6,
          paint: { "line-color": "#b9b2a3", "line-width": 1, "line-dasharray": [3, 2] } }, "basemap-states");
      }); });
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
    var absolute = function (u) { return new URL(u, location.href).href; };
    var urls = {
      world: absolute(staticUrl(map, "basemapWorld", "world-atlas/land-50m.json")),
      us: absolute(staticUrl(map, "basemapUs", "us-atlas/counties-10m.json")),
      topojson: map.getContainer().dataset.topojson ? absolute(map.getContainer().dataset.topojson) : "",
    };
    var data = urls.topojson && window.Worker && window.Blob
      ? inWorker(urls).catch(function () { return onMainThread(urls); })
      : onMainThread(urls);
    return Promise.all([ready, data]).then(function (rs) {
      var labels = placeLabels(map, places);
      return addLayers(map, rs[1]).then(function () {
        map.getContainer().dataset.basemap = "offline";
        return labels;
      });
    }).catch(function (err) {
      map.getContainer().dataset.basemap = "unavailable";
      if (window.console) console.warn("offline basemap:", err);
    });
  };
})();
