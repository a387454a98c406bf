// Billing dates in the visitor's own time zone, as Stripe's hosted pages show them: the page
// writes each date in UTC (what a reader without scripts sees) and this rewrites it locally.
document.querySelectorAll("time[data-local-date]").forEach(function (t) {
  var d = new Date(t.dateTime);
  if (!isNaN(d)) t.textContent = d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
});
