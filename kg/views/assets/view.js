/* The interactive part of a kg HTML view (kg/views/render.py inlines this file).
 *
 * Safety rule: text that comes from the graph is only ever put into the page with
 * textContent (never innerHTML), links only get http(s) IRIs, and vis-network never gets a
 * `title`, so nothing in the data can become markup or script. */
(function () {
  "use strict";

  performance.mark("kg-start");
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg-parsed");
  var meta = data.meta;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null && text !== "") { node.textContent = String(text); }
    return node;
  }

  function httpLink(iri, text) {
    if (!/^https?:\/\//i.test(iri)) { return el("span", "kg-iri", iri); }
    var a = el("a", "kg-iri", text || iri);
    a.href = iri;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function field(parent, key, value) {
    if (value === undefined || value === null || value === "" ||
        (Array.isArray(value) && value.length === 0)) { return; }
    var line = el("div", "kg-field");
    line.appendChild(el("span", "kg-key-name", key + ": "));
    if (value instanceof Node) { line.appendChild(value); } else {
      line.appendChild(el("span", "kg-value", Array.isArray(value) ? value.join("; ") : value));
    }
    parent.appendChild(line);
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var hiddenCategories = {};
  var nodeView = new vis.DataView(nodes, {
    filter: function (n) { return !hiddenCategories[n.category]; }
  });
  performance.mark("kg-datasets");

  function nodeName(id) {
    var n = nodes.get(id);
    return n ? n.info.name : id;
  }

  function nodeCard(n, full) {
    var info = n.info;
    var card = el("div", "kg-card");
    card.appendChild(el("div", "kg-card-title", info.name));
    card.appendChild(el("div", "kg-card-sub", info.id + " \u00B7 " + info.category));
    if (info.definition) { card.appendChild(el("p", "kg-definition", info.definition)); }
    field(card, "Synonyms", info.synonyms);
    if (info.label && info.label !== info.name) { field(card, "Label", info.label); }
    if (full) {
      field(card, "Cross-references", info.xrefs);
      info.properties.forEach(function (kv) { field(card, kv[0].replace(/_/g, " "), kv[1]); });
    }
    evidenceBoxes(card, info.evidence || []);
    if (meta.results_page && (n.category === "StudyResult" || n.category === "ClinicalTrial")) {
      var a = el("a", "kg-results-link", "See it on the results page");
      a.href = meta.results_page + "#node=" + encodeURIComponent(info.id);
      field(card, "Results", a);
    }
    field(card, "Term page", httpLink(info.iri));
    return card;
  }

  function evidenceBoxes(card, evidence) {
    evidence.forEach(function (ev, i) {
      var box = el("div", "kg-evidence");
      box.appendChild(el("div", "kg-evidence-title", "Evidence " + (i + 1)));
      field(box, "Source", ev.source_name ? ev.source_name + " (" + ev.source + ")" : ev.source);
      field(box, "ECO", ev.eco);
      if (ev.quote) { box.appendChild(el("blockquote", "kg-quote", ev.quote)); }
      field(box, "Locator", ev.locator);
      var result = meta.result_sources[ev.source];
      if (meta.results_page && result) {
        var a = el("a", "kg-results-link", "Results from this source");
        a.href = meta.results_page + "#node=" + encodeURIComponent(result);
        field(box, "Numbers", a);
      }
      card.appendChild(box);
    });
  }

  function edgeCard(e, full) {
    var info = e.info;
    var card = el("div", "kg-card" + (info.negated ? " kg-card-negated" : ""));
    card.appendChild(el("div", "kg-card-title", e.text));
    card.appendChild(el("div", "kg-card-sub",
      nodeName(e.from) + " \u2192 " + nodeName(e.to)));
    field(card, "Predicate", info.predicate);
    if (info.negated) {
      card.appendChild(el("p", "kg-negated-note", "Negated finding: this relation was NOT observed."));
    }
    field(card, "Status", info.status);
    info.qualifiers.forEach(function (kv) { field(card, kv[0], kv[1]); });
    evidenceBoxes(card, info.evidence);
    if (full) {
      field(card, "Note", info.note);
      field(card, "Statement", info.statement);
    }
    return card;
  }

  var container = document.getElementById("kg-graph");
  var network = new vis.Network(container, { nodes: nodeView, edges: edges }, data.options);
  performance.mark("kg-network");

  /* --- group headings of the overview layout, drawn as canvas text (never markup) --- */
  if (meta.annotations.length) {
    network.on("beforeDrawing", function (ctx) {
      ctx.save();
      ctx.font = "600 26px system-ui, sans-serif";
      ctx.fillStyle = "#6b6b6b";
      ctx.textAlign = "center";
      meta.annotations.forEach(function (a) { ctx.fillText(a.text, a.x, a.y); });
      ctx.restore();
    });
  }
  /* fit the nodes *with their labels* (vis-network's fit uses node positions, so labels at
     the edge were clipped: "targeted thera"), with a margin of FIT_PADDING px */
  var FIT_PADDING = 24;
  var SMALL_FIT = 0.7;
  function fitAll() {
    network.fit({ animation: false });
    var box = null;
    nodeView.getIds().forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) { return; }
      box = box ? { left: Math.min(box.left, b.left), right: Math.max(box.right, b.right),
                    top: Math.min(box.top, b.top), bottom: Math.max(box.bottom, b.bottom) }
                : { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    });
    if (!box) { return; }
    var w = Math.max(container.clientWidth - 2 * FIT_PADDING, 1);
    var h = Math.max(container.clientHeight - 2 * FIT_PADDING, 1);
    var scale = Math.min(w / Math.max(box.right - box.left, 1), h / Math.max(box.bottom - box.top, 1));
    network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 },
                     scale: Math.min(scale, network.getScale()), animation: false });
  }
  /* open zoomed in far enough to read the labels (the Fit button shows everything) */
  var zoomedToRead = false;
  function readable() {
    fitAll();
    /* a small page whose whole drawing fits with labels of at least 0.7 x the readable size
       (about 8 px) opens on all of it; a larger one, and the overview and ontology pages
       (which have a focus node), zoom in to readable labels */
    zoomedToRead = network.getScale() < (meta.focus_node ? 1 : SMALL_FIT) * meta.readable_scale;
    if (!zoomedToRead) { return; }
    if (network.getScale() < meta.readable_scale && meta.focus_node) {
      network.focus(meta.focus_node, { scale: meta.readable_scale, animation: false });
    } else if (network.getScale() < meta.readable_scale) {
      var focus = meta.focus ? { x: meta.focus[0], y: meta.focus[1] } : network.getViewPosition();
      network.moveTo({ position: focus, scale: meta.readable_scale, animation: false });
    }
  }

  /* --- hover tooltip: a preview that never takes the pointer (the click panel has links) --- */
  var tip = document.getElementById("kg-tip");
  function showTip(card, pointer) {
    tip.replaceChildren(card);
    tip.hidden = false;
    var box = container.getBoundingClientRect();
    var x = pointer.x + 16, y = pointer.y + 16;
    if (x + tip.offsetWidth > box.width) { x = pointer.x - tip.offsetWidth - 16; }
    if (y + tip.offsetHeight > box.height) { y = pointer.y - tip.offsetHeight - 16; }
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  }
  function hideTip() { tip.hidden = true; }
  /* --- the overview: each trial with its parts drawn as one node until clicked --- */
  var clusterOf = {}, clusterById = {};
  meta.clusters.forEach(function (c) {
    c.members.forEach(function (m) { clusterOf[m] = c; });
    clusterOf[c.trial] = c;
    clusterById["cluster:" + c.trial] = c;
  });
  var isCollapsed = {};  /* network.isCluster logs an error for an id it does not know */
  function clusterId(c) { return "cluster:" + c.trial; }
  function collapse(c) {
    if (isCollapsed[c.trial] || !nodeView.get(c.trial)) { return; }
    isCollapsed[c.trial] = true;
    var pos = network.getPositions([c.trial])[c.trial];
    network.cluster({
      joinCondition: function (n) { return clusterOf[n.id] === c; },
      clusterNodeProperties: {
        id: clusterId(c), label: c.label, group: "ClinicalTrial", borderWidth: 3,
        x: pos.x, y: pos.y, font: { size: 22 }
      },
      clusterEdgeProperties: { color: { color: "#c4c4c4" } }
    });
  }
  function expand(c) {
    if (!isCollapsed[c.trial]) { return; }
    isCollapsed[c.trial] = false;
    network.openCluster(clusterId(c));
  }
  var collapseBox = document.getElementById("kg-collapse");
  if (meta.clusters.length) {
    collapseBox.checked = true;
    collapseBox.addEventListener("change", function () {
      meta.clusters.forEach(collapseBox.checked ? collapse : expand);
    });
    meta.clusters.forEach(collapse);
  } else {
    collapseBox.parentNode.hidden = true;
  }
  function expandAll() {
    meta.clusters.forEach(expand);
    collapseBox.checked = false;
  }
  function clusterCard(c) {
    var card = el("div", "kg-card");
    card.appendChild(el("div", "kg-card-title", nodeName(c.trial)));
    card.appendChild(el("div", "kg-card-sub", c.members.length +
      " parts (arms, doses, endpoints, results, adverse events) drawn as one node; click to open"));
    return card;
  }
  function cardFor(id, full) {
    var n = nodes.get(id);
    if (n) { return nodeCard(n, full); }
    return clusterById[id] ? clusterCard(clusterById[id]) : null;
  }

  network.on("hoverNode", function (p) {
    var card = cardFor(p.node, false);
    if (card) { showTip(card, p.pointer.DOM); }
  });
  network.on("hoverEdge", function (p) {
    var e = edges.get(p.edge);
    if (e) { showTip(edgeCard(e, false), p.pointer.DOM); }
  });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  /* --- details panel --- */
  var details = document.getElementById("kg-details");
  function showDetails(card, neighbours) {
    details.replaceChildren(card);
    if (neighbours && neighbours.length) {
      details.appendChild(el("h3", "", "Connected (" + neighbours.length + ")"));
      var list = el("ul", "kg-neighbours");
      neighbours.slice(0, 200).forEach(function (id) {
        var item = el("li");
        var button = el("button", "kg-link", nodeName(id));
        button.type = "button";
        button.addEventListener("click", function () { selectNode(id); });
        item.appendChild(button);
        list.appendChild(item);
      });
      details.appendChild(list);
    }
  }
  network.on("click", function (p) {
    if (p.nodes.length && clusterById[p.nodes[0]]) {
      var c = clusterById[p.nodes[0]];
      expand(c);
      hideTip();
      selectNode(c.trial);
    } else if (p.nodes.length) {
      showDetails(nodeCard(nodes.get(p.nodes[0]), true), network.getConnectedNodes(p.nodes[0]));
    } else if (p.edges.length && edges.get(p.edges[0])) {
      showDetails(edgeCard(edges.get(p.edges[0]), true), null);
    }
  });

  function selectNode(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    if (clusterOf[id]) { expand(clusterOf[id]); }
    if (hiddenCategories[n.category]) {
      expandAll();
      hiddenCategories[n.category] = false;
      var box = document.querySelector('input[data-category="' + CSS.escape(n.category) + '"]');
      if (box) { box.checked = true; }
      nodeView.refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    showDetails(nodeCard(n, true), network.getConnectedNodes(id));
  }

  /* --- search --- */
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var index = nodes.get().map(function (n) {
    var words = [n.info.name, n.id].concat(n.info.synonyms).join("\u0000").toLowerCase();
    return { id: n.id, name: n.info.name, lower: n.info.name.toLowerCase(), words: words };
  });
  /* best first: exact name or id, then names starting with the query, then names containing
   * it, then ids and synonyms containing it; shorter names first within a rank */
  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var ranked = [];
    index.forEach(function (entry) {
      var rank = entry.lower === q || entry.id.toLowerCase() === q ? 0
        : entry.lower.indexOf(q) === 0 ? 1
        : entry.lower.indexOf(q) > 0 ? 2
        : entry.words.indexOf(q) >= 0 ? 3 : -1;
      if (rank >= 0) { ranked.push({ rank: rank, entry: entry }); }
    });
    ranked.sort(function (a, b) {
      return a.rank - b.rank || a.entry.name.length - b.entry.name.length ||
        (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
    });
    return ranked.slice(0, 15).map(function (r) { return r.entry; });
  }
  search.addEventListener("input", function () {
    results.replaceChildren();
    matches(search.value).forEach(function (entry) {
      var item = el("li");
      var button = el("button", "kg-link", entry.name);
      button.type = "button";
      button.title = entry.id;
      button.addEventListener("click", function () { selectNode(entry.id); });
      item.appendChild(button);
      results.appendChild(item);
    });
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = matches(search.value);
      if (found.length) { selectNode(found[0].id); }
    } else if (event.key === "Escape") {
      search.value = "";
      results.replaceChildren();
    }
  });

  /* --- legend and category filter --- */
  var legend = document.getElementById("kg-legend");
  meta.legend.forEach(function (entry) {
    var item = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-category", entry.category);
    box.addEventListener("change", function () {
      expandAll();
      hiddenCategories[entry.category] = !box.checked;
      nodeView.refresh();
    });
    var slot = el("span", "kg-slot");
    var swatch = el("span", "kg-swatch kg-shape-" + entry.shape);
    swatch.style.backgroundColor = entry.colour;
    slot.appendChild(swatch);
    label.appendChild(box);
    label.appendChild(slot);
    label.appendChild(el("span", "", entry.category + " (" + entry.count + ")"));
    item.appendChild(label);
    legend.appendChild(item);
  });
  function setAll(visible) {
    expandAll();
    legend.querySelectorAll("input[data-category]").forEach(function (box) {
      box.checked = visible;
      hiddenCategories[box.getAttribute("data-category")] = !visible;
    });
    nodeView.refresh();
  }
  var edgeLegend = document.getElementById("kg-edge-legend");
  meta.edge_legend.forEach(function (entry) {
    var item = el("li");
    item.appendChild(el("span", "kg-line kg-" + entry.style));
    item.appendChild(document.createTextNode(" " + entry.text));
    edgeLegend.appendChild(item);
  });
  document.getElementById("kg-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("kg-none").addEventListener("click", function () { setAll(false); });

  /* --- toggles --- */
  var edgeLabels = document.getElementById("kg-edge-labels");
  edgeLabels.checked = false;
  var initialLabels = {};
  data.edges.forEach(function (e) { initialLabels[e.id] = e.label || ""; });
  edgeLabels.addEventListener("change", function () {
    edges.update(edges.get().map(function (e) {
      return { id: e.id, label: edgeLabels.checked ? e.text : initialLabels[e.id] };
    }));
  });
  var physics = document.getElementById("kg-physics");
  physics.addEventListener("change", function () {
    network.setOptions({ physics: { enabled: physics.checked } });
  });
  document.getElementById("kg-fit").addEventListener("click", fitAll);

  readable();
  network.once("afterDrawing", function () {
    /* label sizes are measured on the first drawing: fit again with them */
    if (!zoomedToRead) { readable(); }
    performance.mark("kg-ready");
    window.kgReadyMs = performance.now();
    window.kgReady = true;
    document.body.setAttribute("data-ready", "true");
  });
  function showEdge(id) {
    var e = edges.get(id);
    if (!e) { return; }
    network.setSelection({ nodes: [], edges: [id] });
    showDetails(edgeCard(e, true), null);
  }
  /* --- results table beside the graph (trial pages): a row selects its result --- */
  var selectedRow = null;
  document.querySelectorAll("tr.kg-row[data-node]").forEach(function (row) {
    function choose() {
      if (selectedRow) { selectedRow.classList.remove("kg-selected"); }
      selectedRow = row;
      row.classList.add("kg-selected");
      selectNode(row.getAttribute("data-node"));
    }
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      choose();
    });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); }
    });
  });

  window.kgView = {
    network: network, nodes: nodes, edges: edges, meta: meta, select: selectNode, showEdge: showEdge,
    expandAll: expandAll
  };
})();
