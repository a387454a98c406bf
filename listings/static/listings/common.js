/* Shared helpers for listing pages: CSRF-aware JSON fetch, filters as query strings, cards. */
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrf() } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, ok: r.ok, data: data }; });
    });
  }
  function filtersQuery(form, drop) {
    var params = new URLSearchParams();
    if (!form) return params;
    new FormData(form).forEach(function (v, k) { if (v !== "" && (!drop || drop.indexOf(k) < 0)) params.append(k, v); });
    return params;
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function money(n) { return n == null ? "Price on request" : "$" + Math.round(n).toLocaleString("en-US"); }
  function shortMoney(n) {
    if (n == null) return "–";
    if (n >= 1e6) return "$" + (n / 1e6).toFixed(n >= 1e7 ? 0 : 1).replace(/\.0$/, "") + "M";
    if (n >= 1e3) return "$" + Math.round(n / 1e3) + "K";
    return "$" + Math.round(n);
  }
  var LEASE = "Residential Lease";
  function priceHtml(c) { return money(c.price) + (c.price != null && c.propertyType === LEASE ? '<span class="per-month">/mo</span>' : ""); }
  function cardHtml(c) {
    var photo = c.photo || "/static/img/no-photo.svg";
    return '<article class="card listing-card" data-listing-key="' + esc(c.key) + '">' +
      '<a href="/listings/' + esc(c.slug) + '/" tabindex="-1" aria-hidden="true" class="card-photo"><img src="' + esc(photo) + '" alt="" loading="lazy" width="400" height="300"></a>' +
      '<div class="body"><p class="price">' + priceHtml(c) + '</p>' +
      '<p class="facts">' + (c.beds == null ? "–" : c.beds) + " bd · " + (c.baths == null ? "–" : c.baths) + " ba · " + (c.sqft == null ? "–" : Number(c.sqft).toLocaleString("en-US")) + " sq ft</p>" +
      '<p><a href="/listings/' + esc(c.slug) + '/">' + esc(c.address) + "</a>, " + esc(c.city) + "</p></div></article>";
  }
  // The For sale / For rent switch: a change starts a new search of the other kind (prices of
  // one kind mean nothing for the other, so they are dropped). The map page keeps its view.
  function listingTypeSwitch(onChange) {
    document.querySelectorAll("[data-listing-type] input[name=listingType]").forEach(function (input) {
      input.addEventListener("change", function () {
        var p = new URLSearchParams(input.form && input.form.dataset.keepUrl ? location.search : new FormData(input.form));
        ["minPrice", "maxPrice", "propertyType", "page"].forEach(function (k) { p.delete(k); });
        p.set("listingType", input.value);
        if (onChange) onChange(p); else location.href = (input.form.getAttribute("action") || location.pathname) + "?" + p.toString();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { if (!document.getElementById("map")) listingTypeSwitch(); });
  window.Listings = { api: api, csrf: csrf, filtersQuery: filtersQuery, esc: esc, money: money, shortMoney: shortMoney, cardHtml: cardHtml, priceHtml: priceHtml, listingTypeSwitch: listingTypeSwitch, LEASE: LEASE };
})();
