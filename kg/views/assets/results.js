/* results.html: clicking a forest-plot mark, a dosing bar or a table row shows its evidence.
 * Text from the graph goes into the page only through textContent; links only for http(s). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var panel = document.getElementById("kg-evidence");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null && text !== "") { node.textContent = String(text); }
    return node;
  }
  function link(href, text) {
    var a = el("a", "", text);
    a.href = href;
    return a;
  }

  var selected = null;
  function show(id, source) {
    var item = data[id];
    if (!item) { return; }
    if (selected) { selected.classList.remove("kg-selected"); }
    selected = source || null;
    if (selected) { selected.classList.add("kg-selected"); }
    panel.replaceChildren(el("div", "kg-card-title", item.title));
    item.lines.forEach(function (line) { panel.appendChild(el("div", "kg-field", line)); });
    item.evidence.forEach(function (ev, i) {
      var box = el("div", "kg-evidence-item");
      box.appendChild(el("div", "kg-card-title", "Evidence " + (i + 1)));
      var src = el("div", "kg-field");
      if (/^https?:\/\//i.test(ev.source_link)) {
        var a = link(ev.source_link, ev.source_short || ev.source);
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        src.appendChild(a);
      } else { src.textContent = ev.source_short || ev.source; }
      src.appendChild(document.createTextNode(" (" + ev.source + ")" + (ev.source_name ? " " + ev.source_name : "")));
      box.appendChild(src);
      if (ev.source_unverified) {
        box.appendChild(el("div", "kg-field kg-unverified",
          "Unverified source record: some citation details are not confirmed (curation-report.md lists them)"));
      }
      if (ev.eco) { box.appendChild(el("div", "kg-field", ev.eco + (ev.eco_label ? " " + ev.eco_label : ""))); }
      if (ev.quote) { box.appendChild(el("blockquote", "kg-quote", ev.quote)); }
      if (ev.locator) { box.appendChild(el("div", "kg-field", "Locator: " + ev.locator)); }
      panel.appendChild(box);
    });
    if (item.page) {
      var more = el("div", "kg-field");
      more.appendChild(link(item.page + (item.anchor ? "#" + item.anchor : ""), "Open the trial page"));
      panel.appendChild(more);
    }
    panel.setAttribute("data-shown", id);
  }

  document.querySelectorAll("[data-node]").forEach(function (node) {
    function choose() { show(node.getAttribute("data-node"), node); }
    node.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) { return; }
      choose();
    });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); }
    });
  });

  /* results.html#node=<id> (from an evidence card in a graph view) opens on that result */
  var match = /^#node=(.+)$/.exec(window.location.hash);
  if (match) {
    var id = decodeURIComponent(match[1]);
    var target = null;
    document.querySelectorAll("[data-node]").forEach(function (n) {
      if (!target && n.getAttribute("data-node") === id) { target = n; }
    });
    show(id, target);
    if (target && target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }
  window.kgResultsReadyMs = performance.now();
  window.kgResultsReady = true;
  document.body.setAttribute("data-ready", "true");
})();
