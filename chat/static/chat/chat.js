/* The assistant's chat panel: posts to /api/chat/stream and renders the Server-Sent Events as
   they arrive (text, listing cards, stats, links), the usage counter and the sign-up or
   upgrade prompt at the limit. Works with the keyboard alone; the log is an aria-live region,
   and each finished answer is also announced in the status line. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function money(v) {
    if (v === null || v === undefined) return "";
    return v >= 1e6 ? "$" + (v / 1e6).toFixed(2).replace(/\.00$/, "") + "M" : "$" + Number(v).toLocaleString("en-US");
  }
  function card(c) {
    var a = el("a", { href: c.url, class: "chat-card" });
    var img = el("img", { src: c.photo || "/static/img/no-photo.svg", alt: "", loading: "lazy" });
    a.appendChild(img);
    var body = el("div", { class: "chat-card-body" });
    body.appendChild(el("div", { class: "chat-card-price" }, money(c.price)));
    body.appendChild(el("div", {}, [c.beds != null ? c.beds + " bd" : "", c.baths != null ? c.baths + " ba" : "",
      c.sqft ? Number(c.sqft).toLocaleString("en-US") + " sq ft" : ""].filter(Boolean).join(" · ")));
    body.appendChild(el("div", { class: "small" }, c.address + ", " + c.city));
    a.appendChild(body);
    a.setAttribute("aria-label", money(c.price) + ", " + c.address + ", " + c.city);
    return a;
  }

  function Panel(root) {
    this.root = root;
    this.log = root.querySelector("[data-chat-log]");
    this.form = root.querySelector("[data-chat-form]");
    this.input = root.querySelector("[data-chat-input]");
    this.send = root.querySelector("[data-chat-send]");
    this.status = root.querySelector("[data-chat-status]");
    this.usage = root.querySelector("[data-chat-usage]");
    this.listingKey = root.dataset.listingKey || null;
    this.conversationId = root.dataset.conversationId ? Number(root.dataset.conversationId) : null;
    var self = this;
    this.form.addEventListener("submit", function (e) { e.preventDefault(); self.ask(self.input.value); });
    var ask = new URLSearchParams(location.search).get("ask");
    if (ask && !this.listingKey && root === document.querySelector("[data-chat-panel]")) this.input.value = ask;
    fetch("/api/chat/conversations", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) self.showUsage(data.usage); })
      .catch(function () {});
  }

  Panel.prototype.showUsage = function (u) {
    if (!u || !this.usage) return;
    this.usage.textContent = u.limit === null ? "Unlimited messages on your plan"
      : u.used + "/" + u.limit + " messages used" + (u.signedIn ? " this month" : "");
  };
  Panel.prototype.bubble = function (role, text) {
    var b = el("div", { class: "chat-msg chat-msg-" + role }, text);
    this.log.appendChild(b);
    this.log.scrollTop = this.log.scrollHeight;
    return b;
  };
  Panel.prototype.prompt = function (data) {
    var p = el("div", { class: "chat-prompt", role: "alert" });
    p.appendChild(el("p", {}, data.message));
    var href = data.signup_url ? data.signup_url + "?next=" + encodeURIComponent(location.pathname) : data.upgrade_url;
    if (href) p.appendChild(el("a", { href: href, class: "btn btn-primary" }, data.signup_url ? "Sign up free" : "See plans"));
    this.log.appendChild(p);
    this.showUsage(data.usage);
  };
  Panel.prototype.result = function (data) {
    if (!data.ok) {  // a plan refusal (advanced filters, CMA) links to the plans; the answer says why
      if (data.error === "upgrade_required" && data.fields && data.fields.upgrade) {
        this.log.appendChild(el("a", { href: data.fields.upgrade, class: "btn btn-primary" }, "See plans"));
      }
      return;
    }
    if (data.cards && data.cards.length) {
      var grid = el("div", { class: "chat-cards", role: "list", "aria-label": "Listings" });
      data.cards.forEach(function (c) { var item = el("div", { role: "listitem" }); item.appendChild(card(c)); grid.appendChild(item); });
      this.log.appendChild(grid);
    }
    if (data.mapUrl) this.log.appendChild(el("a", { href: data.mapUrl, class: "btn" }, "Show these on the map"));
    if (data.kind === "link" && data.url) this.log.appendChild(el("a", { href: data.url, class: "btn" }, data.label || "Open"));
    if (data.kind === "cma" && data.url) this.log.appendChild(el("a", { href: data.url, class: "btn" }, "Open the CMA report"));
    if (data.kind === "saved_search" && data.url) this.log.appendChild(el("a", { href: data.url, class: "btn" }, "Your saved searches"));
    if (data.kind === "provider_request" && data.url) this.log.appendChild(el("a", { href: data.url, class: "btn" }, "Your request and its answers"));
    if (data.kind === "trends" && data.headline) {
      var h = data.headline, tl = el("dl", { class: "chat-stats" });
      [["Homes sold (12 months)", h.sales_12m], ["Median sale price", money(h.median_price_12m)],
       ["Median $/sq ft", money(h.median_ppsf_12m)], ["Days on market", h.median_dom_12m == null ? "–" : h.median_dom_12m],
       ["For sale now", h.inventory]]
        .forEach(function (row) { var d = el("div"); d.appendChild(el("dt", {}, row[0])); d.appendChild(el("dd", {}, String(row[1]))); tl.appendChild(d); });
      this.log.appendChild(tl);
      if (data.url) this.log.appendChild(el("a", { href: data.url, class: "btn" }, "Market trends for " + data.place));
    }
    if (data.kind === "stats" && data.stats) {
      var dl = el("dl", { class: "chat-stats" });
      [["Active listings", data.stats.activeListings], ["Median price", money(data.stats.medianPrice)],
       ["Median $/sq ft", money(data.stats.medianPricePerSqft)], ["Days on market", data.stats.medianDaysOnMarket]]
        .forEach(function (row) { var d = el("div"); d.appendChild(el("dt", {}, row[0])); d.appendChild(el("dd", {}, row[1])); dl.appendChild(d); });
      this.log.appendChild(dl);
    }
    this.log.scrollTop = this.log.scrollHeight;
  };

  Panel.prototype.ask = function (text) {
    text = (text || "").trim();
    if (!text || this.busy) return;
    var self = this;
    this.busy = true;
    this.send.disabled = true;
    this.input.value = "";
    this.bubble("user", text);
    this.status.textContent = "The assistant is answering…";
    var answer = null;
    var body = { message: text };
    if (this.conversationId) body.conversationId = this.conversationId;
    if (this.listingKey) body.context = { listingKey: this.listingKey };
    fetch("/api/chat/stream", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok || !response.body) {
        return response.json().then(function (data) { self.prompt(data); });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function handle(name, data) {
        if (name === "token") {
          if (!answer) answer = self.bubble("assistant", "");
          answer.textContent += data.text;
          self.log.scrollTop = self.log.scrollHeight;
        } else if (name === "tool_result") {
          self.result(data);
          answer = null;  // later text goes below the cards
        } else if (name === "done") {
          self.conversationId = data.conversationId;
          self.root.dataset.conversationId = data.conversationId;
          self.showUsage(data.usage);
          document.dispatchEvent(new CustomEvent("chat:done", { detail: data }));
        } else if (name === "error") {
          self.bubble("assistant", data.message);
        }
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) return;
          buffer += decoder.decode(r.value, { stream: true });
          var parts = buffer.split("\n\n");
          buffer = parts.pop();
          parts.forEach(function (block) {
            var name = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) name = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (data) handle(name, JSON.parse(data));
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      self.bubble("assistant", "The connection was lost. Please try again.");
    }).then(function () {
      self.busy = false;
      self.send.disabled = false;
      var last = self.log.querySelector(".chat-msg-assistant:last-of-type");
      self.status.textContent = last ? "Answer: " + last.textContent.slice(0, 300) : "";
      self.input.focus();
    });
  };

  document.querySelectorAll("[data-chat-panel]").forEach(function (root) { root.chatPanel = new Panel(root); });
})();
