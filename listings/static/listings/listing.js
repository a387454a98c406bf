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
  // Small map: MapLibre and its stylesheet are fetched only when the map comes near the
  // viewport or its button is pressed (the page's first paint never waits for them).
  var el = document.querySelector("[data-lazy-map]");
  function load(src, css) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(css ? "link" : "script");
      if (css) { node.rel = "stylesheet"; node.href = src; } else { node.src = src; node.async = false; }
      node.onload = resolve;
      node.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(node);
    });
  }
  function showMap(focus) {
    if (!el || el.dataset.mapState) return;
    el.dataset.mapState = "loading";
    var parts = [load(el.dataset.maplibreCss, true), load(el.dataset.maplibreJs)];
    if (el.dataset.topojson) parts.push(load(el.dataset.topojson));
    Promise.all(parts).then(function () {
      var lng = parseFloat(el.dataset.lon), lat = parseFloat(el.dataset.lat);
      el.textContent = "";
      el.dataset.mapState = "ready";
      var map = new maplibregl.Map({ container: el, style: el.dataset.style || L.offlineStyle(), center: [lng, lat], zoom: 14, attributionControl: { compact: true } });
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
      new maplibregl.Marker({ color: "#1d4ed8" }).setLngLat([lng, lat]).addTo(map);
      if (!el.dataset.style) L.offlineBasemap(map, []);
      if (focus) map.getCanvas().focus();
    }).catch(function () {
      el.dataset.mapState = "failed";
      el.classList.add("map-unavailable");
      el.textContent = "The map could not be shown in this browser.";
    });
  }
  if (el) {
    var button = el.querySelector("[data-map-load]");
    if (button) button.addEventListener("click", function () { showMap(true); });
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); showMap(false); }
      }, { rootMargin: "200px" });
      seen.observe(el);
    }
  }
})();
