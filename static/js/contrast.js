/* WCAG 2.1 contrast, as themes/contrast.py computes it (the wizard's live warning). */
(function () {
  "use strict";
  function channel(v) { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  }
  function ratio(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function warnings(primary, accent) {
    var out = [], r = ratio(primary, "#ffffff");
    if (r < 4.5) out.push("White text on your primary colour has a contrast of " + r.toFixed(1) + ":1, below the 4.5:1 that WCAG AA asks for: buttons and headings will be hard to read. Pick a darker primary colour.");
    r = ratio(accent, "#ffffff");
    if (r < 3) out.push("Your accent colour has a contrast of " + r.toFixed(1) + ":1 against white, below WCAG AA's 3:1 for focus outlines and badges. Pick a stronger accent colour.");
    return out;
  }
  // The colour darkened (mixed with black in 2 % steps) until white text on it reaches 4.5:1:
  // themes.contrast.readable_shade, for the live preview.
  function readable(hex) {
    var n = parseInt(hex.slice(1), 16), rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    for (var step = 0; step <= 50; step++) {
      var keep = 1 - step / 50;
      var shade = "#" + rgb.map(function (c) { return ("0" + Math.round(c * keep).toString(16)).slice(-2); }).join("");
      if (ratio(shade, "#ffffff") >= 4.5) return shade;
    }
    return "#000000";
  }
  window.Contrast = { ratio: ratio, warnings: warnings, readable: readable };
})();
