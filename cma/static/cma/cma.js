/* CMA report: an interactive map of the subject and its numbered comps (the SVG schematic
   stays when the map library or WebGL is unavailable). */
(function () {
  "use strict";
  var el = document.getElementById("cma-map");
  var data = document.getElementById("cma-comps");
  if (!el || !data || !window.maplibregl) return;
  try {
    var subject = JSON.parse(el.dataset.subject);
    var comps = JSON.parse(data.textContent);
    var style = el.dataset.style || (window.Listings && window.Listings.offlineStyle());
    var holder = document.createElement("div");
    holder.className = "cma-map-canvas";
    var map = new maplibregl.Map({ container: holder, style: style, center: [subject.lon, subject.lat], zoom: 13, attributionControl: { compact: true } });
    el.replaceChildren(holder);
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    var bounds = new maplibregl.LngLatBounds([subject.lon, subject.lat], [subject.lon, subject.lat]);
    new maplibregl.Marker({ color: getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1d4ed8" })
      .setLngLat([subject.lon, subject.lat]).setPopup(new maplibregl.Popup().setText("This home")).addTo(map);
    comps.forEach(function (c, i) {
      var dot = document.createElement("div");
      dot.className = "cma-pin";
      dot.textContent = String(i + 1);
      dot.setAttribute("aria-label", "Comp " + (i + 1) + ": " + c.address);
      new maplibregl.Marker({ element: dot }).setLngLat([c.lon, c.lat])
        .setPopup(new maplibregl.Popup().setText((i + 1) + ". " + c.address + " – sold " + c.close_date)).addTo(map);
      bounds.extend([c.lon, c.lat]);
    });
    map.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
  } catch (err) { /* keep the schematic map */ }
})();
