// Article view: clicking a highlight (or arriving on #span-<start>-<end>) shows the claims and
// entities of every span covering it and marks the chosen span's segments as current.
(function () {
  "use strict";
  var text = document.getElementById("text");
  var panel = document.getElementById("panel");
  if (!text || !panel) return;
  var hint = panel.querySelector(".hint");

  function length(key) {
    var p = key.split("-");
    return Number(p[1]) - Number(p[0]);
  }

  function show(keys, focus) {
    text.querySelectorAll("mark.current").forEach(function (m) { m.classList.remove("current"); });
    panel.querySelectorAll(".span-info").forEach(function (s) {
      s.hidden = keys.indexOf(s.dataset.span) < 0;
      s.classList.toggle("focus", s.dataset.span === focus);
    });
    text.querySelectorAll("mark").forEach(function (m) {
      if (m.dataset.spans.split(" ").indexOf(focus) >= 0) m.classList.add("current");
    });
    if (hint) hint.hidden = keys.length > 0;
  }

  function choose(mark) {
    var keys = mark.dataset.spans.split(" ");
    var focus = keys.slice().sort(function (a, b) { return length(a) - length(b); })[0];
    history.replaceState(null, "", "#span-" + focus);
    show(keys, focus);
  }

  text.addEventListener("click", function (e) {
    var mark = e.target.closest("mark");
    if (mark) choose(mark);
  });
  text.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.matches("mark")) {
      e.preventDefault();
      choose(e.target);
    }
  });

  function fromHash() {
    var m = /^#span-(\d+-\d+)$/.exec(location.hash);
    if (!m) return;
    show([m[1]], m[1]);
    var first = text.querySelector("mark.current");
    // after the browser's own jump to the (empty) anchor
    if (first) setTimeout(function () { first.scrollIntoView({ block: "center" }); }, 0);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
