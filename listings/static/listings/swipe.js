/* Swipe discovery: a card stack driven by pointer (touch and mouse), keyboard arrows and
   buttons; the queue comes from /api/swipes/queue and never repeats a card. */
(function () {
  "use strict";
  var L = window.Listings;
  var stack = document.querySelector("[data-swipe-stack]");
  if (!stack) return;
  var empty = document.querySelector("[data-swipe-empty]");
  var loading = document.querySelector("[data-swipe-loading]");
  var status = document.querySelector("[data-swipe-status]");
  var form = document.querySelector("[data-filters]");
  var queue = [], seen = {}, fetching = false, exhausted = false, busy = false;

  function filterQs() { return L.filtersQuery(form, ["sort"]).toString(); }
  function fetchMore() {
    if (fetching || exhausted) return Promise.resolve();
    fetching = true;
    var q = filterQs();
    return L.api("GET", "/api/swipes/queue?limit=10" + (q ? "&" + q : "")).then(function (r) {
      fetching = false;
      if (!r.ok) { status.textContent = r.data.message || "Could not load homes."; exhausted = true; return; }
      var fresh = r.data.results.filter(function (c) { return !seen[c.key]; });
      if (!fresh.length) exhausted = true;
      fresh.forEach(function (c) { seen[c.key] = true; queue.push(c); });
    }).catch(function () { fetching = false; status.textContent = "Could not load homes."; });
  }
  function cardEl(c) {
    var a = document.createElement("article");
    a.className = "swipe-card";
    a.dataset.key = c.key;
    a.setAttribute("aria-label", L.money(c.price) + ", " + c.address + ", " + c.city);
    a.innerHTML = '<img src="' + L.esc(c.photo || "/static/img/no-photo.svg") + '" alt="" draggable="false">' +
      '<div class="swipe-body"><p class="price">' + L.money(c.price) + "</p>" +
      '<p class="facts">' + (c.beds == null ? "–" : c.beds) + " bd · " + (c.baths == null ? "–" : c.baths) + " ba · " + (c.sqft == null ? "–" : Number(c.sqft).toLocaleString("en-US")) + " sq ft</p>" +
      '<p><a href="/listings/' + L.esc(c.slug) + '/">' + L.esc(c.address) + "</a>, " + L.esc(c.city) + "</p></div>" +
      '<span class="swipe-stamp like" aria-hidden="true">LIKE</span><span class="swipe-stamp pass" aria-hidden="true">PASS</span>';
    return a;
  }
  function render() {
    var cards = stack.querySelectorAll(".swipe-card");
    while (stack.querySelectorAll(".swipe-card").length < 3 && queue.length) {
      var el = cardEl(queue.shift());
      stack.insertBefore(el, stack.querySelector(".swipe-card")); // newer cards go underneath
    }
    cards = stack.querySelectorAll(".swipe-card");
    loading.hidden = true;
    empty.hidden = cards.length > 0 || !exhausted;
    var top = cards[cards.length - 1];
    if (top) { top.classList.add("top"); attach(top); }
    if (queue.length < 5 && !exhausted) fetchMore().then(function () { if (!stack.querySelector(".swipe-card")) render(); else fill(); });
  }
  function fill() {
    while (stack.querySelectorAll(".swipe-card").length < 3 && queue.length) {
      stack.insertBefore(cardEl(queue.shift()), stack.querySelector(".swipe-card"));
    }
    empty.hidden = stack.querySelectorAll(".swipe-card").length > 0 || !exhausted;
  }
  function top() { var c = stack.querySelectorAll(".swipe-card"); return c[c.length - 1]; }
  function decide(direction) {
    var card = top();
    if (!card || busy) return;
    busy = true;
    card.classList.add(direction === "like" ? "fly-right" : "fly-left");
    var key = card.dataset.key;
    L.api("POST", "/api/swipes", { listingKey: key, direction: direction }).then(function (r) {
      status.textContent = r.ok ? (direction === "like" ? (r.data.favorite ? "Liked and saved to favourites." : "Liked.") : "Passed.") : "Could not record that swipe.";
    });
    setTimeout(function () {
      card.remove(); busy = false;
      var t = top(); if (t) { t.classList.add("top"); attach(t); }
      render();
    }, 220);
  }
  function attach(card) {
    if (card.dataset.bound) return;
    card.dataset.bound = "1";
    var startX = 0, dx = 0, dragging = false;
    card.addEventListener("pointerdown", function (e) {
      if (e.target.closest("a")) return;
      dragging = true; startX = e.clientX; dx = 0; card.setPointerCapture(e.pointerId); card.classList.add("dragging");
    });
    card.addEventListener("pointermove", function (e) {
      if (!dragging) return;
      dx = e.clientX - startX;
      card.style.transform = "translateX(" + dx + "px) rotate(" + dx / 20 + "deg)";
      card.classList.toggle("show-like", dx > 40); card.classList.toggle("show-pass", dx < -40);
    });
    function end() {
      if (!dragging) return;
      dragging = false; card.classList.remove("dragging", "show-like", "show-pass");
      if (Math.abs(dx) > 100) { card.style.transform = ""; decide(dx > 0 ? "like" : "dislike"); }
      else card.style.transform = "";
    }
    card.addEventListener("pointerup", end);
    card.addEventListener("pointercancel", end);
  }
  document.querySelector("[data-swipe-like]").addEventListener("click", function () { decide("like"); });
  document.querySelector("[data-swipe-pass]").addEventListener("click", function () { decide("dislike"); });
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("input, select, textarea")) return;
    if (e.key === "ArrowRight") { e.preventDefault(); decide("like"); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); decide("dislike"); }
  });
  fetchMore().then(render);
})();
