/* The onboarding wizard: the address preview, the live home-page preview (layout, colours,
   font, logo, photo, tagline) with the contrast warning, the subdivision autocomplete and the
   provisioning progress. Every step also works as a plain form without JavaScript. */
(function () {
  "use strict";
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }

  // Step 1: the address as it will be on this deployment.
  var siteForm = $("[data-site-step]");
  if (siteForm) {
    var sub = $("#id_subdomain", siteForm), out = $("[data-address-preview]", siteForm);
    var update = function () { out.textContent = (sub.value.trim() || "yourname") + out.dataset.base; };
    sub.addEventListener("input", update); update();
  }

  // Step 2: live preview.
  var brandForm = $("[data-brand-step]");
  var preview = $("[data-site-preview]");
  if (brandForm && preview) {
    var frame = $("[data-preview-frame]");
    var fonts = { inter: "Inter", lora: "Lora", montserrat: "Montserrat" };
    var field = function (name) { return brandForm.elements[name]; };
    var warn = $("[data-contrast-warnings]");
    var render = function () {
      var preset = (brandForm.querySelector("input[name=preset]:checked") || {}).value || "classic";
      preview.className = "site-preview preset-" + preset;
      preview.style.setProperty("--brand", field("primary_color").value);
      if (window.Contrast) preview.style.setProperty("--brand-ink", window.Contrast.readable(field("primary_color").value));
      preview.style.setProperty("--accent", field("accent_color").value);
      preview.style.setProperty("--font", '"' + (fonts[field("font").value] || "Inter") + '", system-ui, sans-serif');
      var tagline = field("tagline").value.trim();
      $("[data-pv-tagline]", preview).textContent = tagline || "Search every listing on the MLS, ask our AI assistant, get a free home valuation.";
      var mark = $("[data-pv-mark]", preview);
      mark.textContent = (field("logo_text").value.trim() || preview.dataset.siteName.slice(0, 2)).toUpperCase();
      if (window.Contrast) {
        warn.innerHTML = window.Contrast.warnings(field("primary_color").value, field("accent_color").value)
          .map(function (w) { return '<p class="message message-warning">' + esc(w) + "</p>"; }).join("");
      }
    };
    var showFile = function (input, img, hideWhenShown) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file || !/^image\/(png|jpeg|webp)$/.test(file.type)) return;
        img.src = URL.createObjectURL(file);
        img.hidden = false;
        if (hideWhenShown) hideWhenShown.hidden = true;
      });
    };
    showFile($("[data-preview-logo]"), $("[data-pv-logo]", preview), $("[data-pv-mark]", preview));
    showFile($("[data-preview-photo]"), $("[data-pv-photo]", preview));
    // Picking a layout proposes its colours and font (the agent can change them after).
    $$("input[name=preset]", brandForm).forEach(function (radio) {
      radio.addEventListener("change", function () {
        field("primary_color").value = radio.dataset.primary;
        field("accent_color").value = radio.dataset.accent;
        field("font").value = radio.dataset.font;
        render();
      });
    });
    brandForm.addEventListener("input", render);
    brandForm.addEventListener("change", render);
    var fit = function () { frame.style.setProperty("--scale", String(Math.min(1, frame.clientWidth / 1100))); };
    window.addEventListener("resize", fit); fit(); render();
  }

  // Step 3: featured subdivisions by autocomplete from the listings store.
  var market = $("[data-market-step]");
  if (market) {
    var hidden = market.querySelector("input[type=hidden][name=featured_subdivisions]");
    var input = $("#subdivision-search", market), list = $("#subdivision-options", market), chips = $("[data-chips]", market);
    var chosen = hidden.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    var active = -1, timer = null;
    var sources = function () { return $$("input[name=mls_sources]:checked", market).map(function (c) { return c.value; }).join(","); };
    var sync = function () {
      hidden.value = chosen.join(", ");
      chips.innerHTML = chosen.map(function (name, i) {
        return '<span class="chip">' + esc(name) + ' <button type="button" data-remove="' + i + '" aria-label="Remove ' + esc(name) + '">×</button></span>';
      }).join("");
    };
    var close = function () { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    var pick = function (name) { if (chosen.indexOf(name) < 0 && chosen.length < 20) chosen.push(name); input.value = ""; close(); sync(); input.focus(); };
    var show = function (rows) {
      list.innerHTML = rows.filter(function (r) { return chosen.indexOf(r.name) < 0; }).map(function (r, i) {
        return '<li role="option" id="sub-opt-' + i + '" data-name="' + esc(r.name) + '">' + esc(r.name) + ' <span class="muted">' + r.count + " for sale</span></li>";
      }).join("") || '<li class="muted" aria-disabled="true">No neighbourhood with listings matches.</li>';
      list.hidden = false; input.setAttribute("aria-expanded", "true"); active = -1;
    };
    var search = function () {
      fetch(market.dataset.suggestUrl + "?q=" + encodeURIComponent(input.value) + "&sources=" + encodeURIComponent(sources()), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (d) { show(d.results || []); }).catch(close);
    };
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });
    input.addEventListener("focus", function () { if (input.value.trim()) search(); });
    input.addEventListener("keydown", function (e) {
      var items = $$("li[data-name]", list);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = Math.max(0, Math.min(items.length - 1, active + (e.key === "ArrowDown" ? 1 : -1)));
        items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
        if (items[active]) input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && !list.hidden && items[active]) {
        e.preventDefault(); pick(items[active].dataset.name);
      } else if (e.key === "Escape") { close(); }
    });
    list.addEventListener("mousedown", function (e) { var li = e.target.closest("li[data-name]"); if (li) { e.preventDefault(); pick(li.dataset.name); } });
    chips.addEventListener("click", function (e) { var b = e.target.closest("[data-remove]"); if (b) { chosen.splice(Number(b.dataset.remove), 1); sync(); } });
    document.addEventListener("click", function (e) { if (!market.contains(e.target)) close(); });
    sync();
  }

  // Launch: progress until the site answers, then open it.
  var progress = $("[data-progress]");
  if (progress) {
    var steps = $("[data-progress-steps]", progress), lead = $("[data-progress-lead]", progress);
    var poll = function () {
      fetch(progress.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); }).then(function (d) {
          (d.steps || []).forEach(function (s) {
            var li = steps.querySelector('[data-step="' + s.key + '"]');
            if (li) li.className = s.done ? "done" : s.current ? "current" : s.failed ? "failed" : "";
          });
          if (d.status === "live" && d.url) {
            $("h1", progress).textContent = "Your site is live";
            lead.textContent = "Opening it now…";
            var open = $("[data-progress-open]", progress); open.hidden = false; open.querySelector("a").href = d.url;
            setTimeout(function () { location.href = d.url; }, 800);
            return;
          }
          if (d.status === "failed") {
            $("h1", progress).textContent = "Your site could not be set up";
            lead.textContent = d.error || "Something went wrong. Nothing was kept.";
            $("[data-progress-retry]", progress).hidden = false;
            return;
          }
          setTimeout(poll, 500);
        }).catch(function () { setTimeout(poll, 1500); });
    };
    poll();
  }
})();
