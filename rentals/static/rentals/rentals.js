/* Rentals search map: markers for every match, refreshed when the map moves ("search this
   area"). Uses the same MapLibre and offline style as the listings map. */
(function () {
  "use strict";
  var el = document.getElementById("rentals-map");
  if (!el || !window.maplibregl) return;
  var form = document.querySelector("[data-rentals-search]");
  var status = document.querySelector("[data-map-status]");
  var offline = { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#e8eef4" } }] };
  var map = new maplibregl.Map({ container: el, style: el.dataset.style || offline, center: [-116.45, 33.76], zoom: 9.5, attributionControl: { compact: true } });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  var markers = [];
  function money(c) { return "$" + Math.round(c / 100).toLocaleString("en-US"); }
  function query(withBox) {
    var params = new URLSearchParams(new FormData(form));
    params.delete("bbox");
    if (withBox) {
      var b = map.getBounds();
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    }
    return params;
  }
  function load(withBox) {
    fetch("/api/rentals/search?" + query(withBox).toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        markers.forEach(function (m) { m.remove(); });
        markers = [];
        if (!data.markers) { if (status) status.textContent = data.message || "Search failed."; return; }
        var bounds = new maplibregl.LngLatBounds();
        data.markers.forEach(function (m) {
          var a = document.createElement("a");
          a.className = "rental-pin";
          a.href = "/rentals/" + m.slug + "/" + (window.location.search || "");
          a.textContent = money(m.nightly_cents);
          a.setAttribute("aria-label", a.textContent + " a night, " + m.title);  // starts with what it shows
          markers.push(new maplibregl.Marker({ element: a }).setLngLat([m.lng, m.lat]).addTo(map));
          bounds.extend([m.lng, m.lat]);
        });
        if (!withBox && data.markers.length) map.fitBounds(bounds, { padding: 40, maxZoom: 13, duration: 0 });
        if (status) status.textContent = data.total + " home" + (data.total === 1 ? "" : "s") + (withBox ? " in this area" : "");
      });
  }
  map.on("load", function () { load(false); });
  var again = document.querySelector("[data-search-area]");
  if (again) again.addEventListener("click", function () { load(true); });
})();
