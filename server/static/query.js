// Query page: YASGUI on our /sparql, prefixes preset, no online vocabulary lookups,
// competency queries as example tabs, ?query=… opens (and runs) a ready query.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("query-config").textContent);
  var root = document.getElementById("query-editor");
  if (!root || !window.Yasgui) return;

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: "dprk-kg-query",
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: cfg.endpoint }]; }, keys: [] },
    // "property" and "class" would ask the LOV web service; prefixes come from the built-in list.
    yasqe: { value: cfg.defaultQuery, autocompleters: ["prefixes", "variables"], prefixCcApi: null },
  });
  window.yasgui = yasgui;

  function open(name, query, run) {
    var tab = yasgui.addTab(true, { name: name, yasqe: { value: query }, requestConfig: { endpoint: cfg.endpoint } });
    if (run) tab.query();
    return tab;
  }

  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var ex = cfg.examples.find(function (x) { return x.name === link.dataset.example; });
      if (ex) open(ex.name, ex.query, false);
      root.scrollIntoView();
    });
  });

  var params = new URLSearchParams(location.search);
  var query = params.get("query");
  if (query) {
    var prefixLines = Object.keys(cfg.prefixes).filter(function (p) {
      return query.indexOf(p + ":") >= 0 && !new RegExp("PREFIX\\s+" + p + ":", "i").test(query);
    }).map(function (p) { return "PREFIX " + p + ": <" + cfg.prefixes[p] + ">"; });
    open(query.split(/\s+/).slice(0, 2).join(" ").slice(0, 40), prefixLines.concat([query]).join("\n"), true);
    history.replaceState(null, "", location.pathname);
  }
})();
