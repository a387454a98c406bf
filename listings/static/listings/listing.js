/* Listing page: photo gallery, save button without a reload, small map. */
(function () {
  "use strict";
  var L = window.Listings;
  // Gallery
  var main = document.querySelector("[data-gallery-main]");
  var thumbs = Array.prototype.slice.call(document.querySelectorAll("[data-gallery-thumb]"));
  var caption = document.querySelector("[data-gallery-caption]");
  var current = 0;
  function show(i) {
    if (!main || !thumbs.length) return;
    current = (i + thumbs.length) % thumbs.length;
    var t = thumbs[current];
    if (t.dataset.srcset) main.setAttribute("srcset", t.dataset.srcset); else main.removeAttribute("srcset");
    main.src = t.dataset.src;
    main.alt = t.dataset.alt || "";
    thumbs.forEach(function (b, j) { if (j === current) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current"); });
    if (caption) caption.textContent = "Photo " + (current + 1) + " of " + thumbs.length;
  }
  thumbs.forEach(function (b, i) { b.addEventListener("click", function () { show(i); }); });
  var prev = document.querySelector("[data-gallery-prev]"), next = document.querySelector("[data-gallery-next]");
  if (prev) prev.addEventListener("click", function () { show(current - 1); });
  if (next) next.addEventListener("click", function () { show(current + 1); });
  var gallery = document.querySelector("[data-gallery]");
  if (gallery) gallery.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { show(current - 1); } else if (e.key === "ArrowRight") { show(current + 1); }
  });
  // Save (favourite) without reloading; the form still works without JS.
  var form = document.querySelector("[data-favorite-form]");
  if (form) form.addEventListener("submit", function (e) {
    e.preventDefault();
    var btn = form.querySelector("[data-favorite-button]");
    var saved = btn.getAttribute("aria-pressed") === "true";
    L.api(saved ? "DELETE" : "POST", "/api/favorites/" + encodeURIComponent(btn.dataset.key)).then(function (r) {
      if (r.status === 401) { window.location = (r.data.signup || "/accounts/signup/") + "?next=" + encodeURIComponent(location.pathname); return; }
      if (!r.ok) return;
      var now = !!r.data.favorite;
      btn.setAttribute("aria-pressed", now ? "true" : "false");
      btn.classList.toggle("btn-saved", now);
      btn.querySelector("[aria-hidden]").textContent = now ? "♥" : "♡";
      btn.querySelector("[data-label]").textContent = now ? "Saved" : "Save";
    });
  });
  // Small map
  var el = document.getElementById("listing-map");
  if (el && window.maplibregl) {
    try {
      var lng = parseFloat(el.dataset.lon), lat = parseFloat(el.dataset.lat);
      var map = new maplibregl.Map({ container: el, style: el.dataset.style || L.offlineStyle(), center: [lng, lat], zoom: 14, attributionControl: { compact: true } });
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
      new maplibregl.Marker({ color: "#1d4ed8" }).setLngLat([lng, lat]).addTo(map);
      if (!el.dataset.style) L.offlineBasemap(map, []);
    } catch (err) { el.classList.add("map-unavailable"); el.textContent = "The map could not be shown in this browser."; }
  }
})();
