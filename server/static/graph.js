// Graph view: an arrow links to #flow-<id>; open that flow's evidence and mark the arrow.
(function () {
  "use strict";
  function openTarget() {
    var id = location.hash.slice(1);
    var details = id && document.getElementById(id);
    if (!details || details.tagName !== "DETAILS") return;
    details.open = true;
    document.querySelectorAll("a.flow.current").forEach(function (a) { a.classList.remove("current"); });
    var arrow = document.querySelector('a.flow[data-flow="' + id + '"]');
    if (arrow) arrow.classList.add("current");
    details.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
