// govhall report: inlined into the page. Opens a score explanation when a bar links to it,
// and every explanation before printing. Nothing is fetched.
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var node = id && document.getElementById(id);
    if (node && node.tagName === "DETAILS") { node.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  openTarget();
})();
