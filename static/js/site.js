/* Every page: the header's menu button on narrow screens. The header is drawn folded from the
   first paint (the head's script marks the page "js"; static/css/site.css); without JavaScript
   the menu simply stays open and the button is not shown, so nothing is ever out of reach. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) return;
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }
  button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && header.classList.contains("menu-open")) { set(false); button.focus(); }
  });
})();
