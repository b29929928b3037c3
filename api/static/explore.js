/* Explorer: the whole graph or a focus, filters, expand-on-click (fetched from /api),
   shortest path, and export of the current view (PNG, GEXF, GraphML). */
(function () {
  "use strict";
  var SKG = window.SKG;
  var box, info, note, g = null;
  var COUNTING = { Confirmed: true, Reported: true };

  function $(id) { return document.getElementById(id); }

  function currentFilters() {
    var types = {};
    document.querySelectorAll("#type-filters input[type=checkbox]").forEach(function (c) {
      types[c.value] = c.checked;
    });
    var opt = $("f-tech").selectedOptions[0];
    /* A technology covers itself and the narrower ones the graph carries (SKOS broader). */
    var covers = {};
    ((opt && opt.getAttribute("data-covers")) || "").split(" ").forEach(function (t) {
      if (t) { covers[t] = true; }
    });
    return { types: types, tech: $("f-tech").value, covers: covers, country: $("f-country").value, status: $("f-status").value };
  }

  function carries(e, f) {
    return (e.technology || "").split(" ").some(function (t) { return !!f.covers[t]; });
  }

  function applyFilters() {
    if (!g || box.getAttribute("data-mode") === "overview") { return; }
    var f = currentFilters();
    var techNodes = null;
    if (f.tech) {
      techNodes = {};
      g.edges.forEach(function (e) {
        if (carries(e, f)) { techNodes[e.from] = true; techNodes[e.to] = true; }
      });
      /* The entity in focus stays, whatever it carries: the filter is about its relations. */
      var focusId = box.getAttribute("data-focus-id");
      if (focusId) { techNodes[focusId] = true; }
    }
    var nodeOk = function (n) {
      if (f.types[n.kind] === false) { return false; }
      if (f.country && n.country !== f.country && n.id !== f.country) { return false; }
      if (techNodes && !techNodes[n.id]) { return false; }
      return true;
    };
    var edgeOk = function (e) {
      if (f.tech && e.kind.indexOf("supply") === 0 && !carries(e, f)) { return false; }
      if (f.status && e.status) {
        if (f.status === "counting") { return !!COUNTING[e.status]; }
        return e.status === f.status;
      }
      return true;
    };
    g.setFilters(nodeOk, edgeOk);
    note.textContent = g.nodeView.length + " nodes and " + g.edgeView.length + " relations shown" +
      (g.truncated ? " (graph capped at " + g.nodes.length + " of " + g.total + " nodes: focus on an entity to see the rest)" : "") + ".";
  }

  function expandButton(panel, e) {
    var b = SKG.el("button", { type: "button", "class": "expand", "data-expand": e.id }, "Expand neighbours");
    b.addEventListener("click", function () {
      b.disabled = true;
      SKG.getJSON("/api/view?depth=1&max_nodes=150&focus=" + encodeURIComponent(e.id)).then(function (more) {
        SKG.placeAround(g, e.id, more);
        g.add(more);
        /* A drawing with server positions stays still: the ring is the new nodes' layout. */
        if (!g.fixed) { SKG.relayout(g); }
        applyFilters();
        b.textContent = "Expanded (" + more.nodes.length + " neighbours)";
      }).catch(function (err) { b.textContent = "Could not expand: " + err.message; });
    });
    panel.appendChild(b);
  }

  /* "Loading…" with the seconds waited, for anything slower than half a second. */
  var loadingTimer = null;
  function loading(what) {
    var t0 = Date.now();
    box.setAttribute("data-loading", "1");
    note.textContent = "Loading " + what + "…";
    if (loadingTimer) { clearInterval(loadingTimer); }
    loadingTimer = setInterval(function () {
      note.textContent = "Loading " + what + "… " + Math.round((Date.now() - t0) / 1000) + " s";
    }, 500);
  }
  function loaded() {
    if (loadingTimer) { clearInterval(loadingTimer); loadingTimer = null; }
    box.removeAttribute("data-loading");
  }

  /* The overview: groups with counts at server-computed positions; click one to drill down. */
  function loadOverview() {
    var by = $("group-by").value;
    loading("the overview");
    box.removeAttribute("data-stable");
    return SKG.getJSON("/api/overview?by=" + encodeURIComponent(by)).then(function (o) {
      loaded();
      var max = 1;
      o.groups.forEach(function (gr) { max = Math.max(max, gr.count); });
      var colours = {};
      document.querySelectorAll(".swatch[data-type]").forEach(function (l) {
        colours[l.getAttribute("data-type")] = l.getAttribute("data-color");
      });
      var data = { nodes: o.groups.map(function (gr) {
        return { id: "group:" + gr.id, group_key: gr.id, kind: gr.main_type, count: gr.count,
                 label: gr.label + " (" + gr.count.toLocaleString("en") + ")",
                 fullLabel: gr.label, title: gr.label + ": " + gr.count + " nodes, mostly " + gr.main_type,
                 x: gr.x, y: gr.y, shape: "dot", size: 6 + 24 * Math.sqrt(gr.count / max),
                 color: colours[gr.main_type] || "#5b8fd0" };
      }), edges: [] };
      var pairs = {};
      o.links.forEach(function (l) {
        var k = l.from + "\u0000" + l.to;
        pairs[k] = pairs[k] || { from: "group:" + l.from, to: "group:" + l.to, count: 0, kinds: [] };
        pairs[k].count += l.count; pairs[k].kinds.push(l.kind + " " + l.count);
      });
      /* The 80 strongest links between groups: more is a hairball, not information. */
      var keys = Object.keys(pairs).sort(function (a, b) { return pairs[b].count - pairs[a].count; });
      var drawnLinks = keys.slice(0, 80);
      drawnLinks.forEach(function (k, i) {
        var p = pairs[k];
        data.edges.push({ id: "link" + i, from: p.from, to: p.to, kind: "aggregate",
                          title: p.kinds.join(", "), width: 1 + Math.log(1 + p.count),
                          color: "#9aa7b3", arrows: "to" });
      });
      if (g) { g.network.destroy(); }
      g = SKG.makeGraph(box, data, { fixed: true });
      g.overview = o;
      g.network.on("click", function (ev) {
        if (ev.nodes.length) { drill(g.nodes.get(ev.nodes[0]).group_key); }
      });
      box.setAttribute("data-mode", "overview");
      note.textContent = o.groups.length + " groups of " + o.nodes.toLocaleString("en") + " nodes and " +
        o.edges.toLocaleString("en") + " relations (grouped by " + by + "); the " + drawnLinks.length + " strongest of " +
        keys.length + " links between groups are drawn. Click a group, or use the table, to see its best-connected members.";
      fillTable(o.groups.map(function (gr) {
        return { id: gr.id, label: gr.label, detail: gr.count.toLocaleString("en") + " nodes, mostly " + gr.main_type, group: true };
      }));
    }).catch(function (err) { loaded(); note.textContent = "Could not load the overview: " + err.message; });
  }

  function drill(key) {
    var by = $("group-by").value;
    loading("the group");
    box.removeAttribute("data-stable");
    return SKG.getJSON("/api/overview/members?max_nodes=150&by=" + encodeURIComponent(by) +
                       "&key=" + encodeURIComponent(key)).then(function (data) {
      loaded();
      show(data, { fixed: true });
      box.setAttribute("data-mode", "group");
      box.setAttribute("data-group", key);
      note.textContent = data.nodes.length + " best-connected of " + data.total_nodes.toLocaleString("en") +
        " nodes in this group. Click a node for its facts and to expand it.";
    }).catch(function (err) { loaded(); note.textContent = "Could not load the group: " + err.message; });
  }

  /* Keyboard and screen-reader alternative: the drawn nodes (or groups) as a table. */
  function fillTable(rows) {
    var body = $("node-table-body");
    if (!body) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    rows.slice(0, 300).forEach(function (r) {
      var tr = SKG.el("tr");
      var td = SKG.el("td");
      var b = SKG.el("button", { type: "button", "class": "linkish" }, r.label);
      b.addEventListener("click", function () {
        if (r.group) { drill(r.id); return; }
        if (g) { g.network.selectNodes([r.id]); }
        SKG.showInfo(info, r.id, expandButton);
        info.focus();
      });
      td.appendChild(b); tr.appendChild(td);
      tr.appendChild(SKG.el("td", null, r.detail));
      body.appendChild(tr);
    });
    $("node-table-note").textContent = rows.length > 300 ? "First 300 of " + rows.length + "." : rows.length + " rows.";
  }

  function show(data, opts) {
    if (g) { g.network.destroy(); }
    g = SKG.makeGraph(box, data, opts);
    g.fixed = !!(opts && opts.fixed);
    g.truncated = data.truncated; g.total = data.total_nodes;
    g.network.on("click", function (ev) {
      if (ev.nodes.length) { SKG.showInfo(info, ev.nodes[0], expandButton); }
    });
    applyFilters();
    fillTable(data.nodes.map(function (n) {
      var deg = data.edges.filter(function (e) { return e.from === n.id || e.to === n.id; }).length;
      return { id: n.id, label: n.fullLabel || n.label, detail: n.kind + " · " + deg + " relations drawn" };
    }));
  }

  function load(focus, depth) {
    /* At most 300 nodes: what vis-network lays out without blocking the page for long. */
    var url = "/api/view?max_nodes=300&depth=" + encodeURIComponent(depth || 2) +
      (focus ? "&focus=" + encodeURIComponent(focus) : "");
    loading("the graph");
    box.removeAttribute("data-stable");
    return SKG.getJSON(url).then(function (data) {
      loaded();
      box.setAttribute("data-mode", focus ? "focus" : "all");
      if (data.focus) { box.setAttribute("data-focus-id", data.focus); }
      else { box.removeAttribute("data-focus-id"); }
      show(data);
      if (data.focus) { g.network.selectNodes([data.focus]); } /* a name resolves to an id */
    }).catch(function (err) { loaded(); note.textContent = "Could not load the graph: " + err.message; });
  }

  function findPath() {
    var a = $("path-from").value.trim(), b = $("path-to").value.trim(), out = $("path-result");
    while (out.firstChild) { out.removeChild(out.firstChild); }
    if (!a || !b) { out.appendChild(SKG.el("li", null, "Choose two nodes.")); return; }
    SKG.getJSON("/api/shortest-path?source=" + encodeURIComponent(a) + "&target=" + encodeURIComponent(b) +
                ($("path-location").checked ? "&via_location=true" : ""))
      .then(function (res) {
        if (!res.found) { out.appendChild(SKG.el("li", null, "No path over supply, ownership or participation relations.")); return; }
        g.add(res.view);
        applyFilters();
        res.labels.forEach(function (label, i) {
          var li = SKG.el("li");
          li.appendChild(SKG.el("a", { href: SKG.entityUrl(res.nodes[i]) }, label));
          out.appendChild(li);
        });
        g.network.setSelection({ nodes: res.nodes, edges: res.edges }, { highlightEdges: false });
        g.network.fit({ nodes: res.nodes, animation: false });
      }).catch(function (err) { out.appendChild(SKG.el("li", null, err.message)); });
  }

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = SKG.el("a", { href: url, download: name });
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 2000);
  }

  function exportPng() {
    var canvas = box.querySelector("canvas");
    if (!canvas) { return; }
    var out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    out.toBlob(function (blob) { download(blob, "survkg-graph.png"); }, "image/png");
  }

  /* Gephi formats of exactly what is shown (filters and expansions included). */
  function visible() {
    var ids = {};
    var nodes = g.nodeView.get();
    nodes.forEach(function (n) { ids[n.id] = true; });
    var edges = g.edgeView.get().filter(function (e) { return ids[e.from] && ids[e.to]; });
    return { nodes: nodes, edges: edges };
  }
  var NODE_ATTRS = ["kind", "country"], EDGE_ATTRS = ["kind", "claim", "start", "end", "status", "confidence", "technology"];

  function exportGraphml() {
    var v = visible(), NS = "http://graphml.graphdrawing.org/xmlns";
    var doc = document.implementation.createDocument(NS, "graphml", null);
    var root = doc.documentElement;
    function key(id, forWhat) {
      var k = doc.createElementNS(NS, "key");
      k.setAttribute("id", forWhat + "_" + id); k.setAttribute("for", forWhat);
      k.setAttribute("attr.name", id); k.setAttribute("attr.type", "string");
      root.appendChild(k);
    }
    key("label", "node"); NODE_ATTRS.forEach(function (a) { key(a, "node"); });
    EDGE_ATTRS.forEach(function (a) { key(a, "edge"); });
    var graph = doc.createElementNS(NS, "graph");
    graph.setAttribute("edgedefault", "directed");
    root.appendChild(graph);
    function data(parent, k, value) {
      if (value === undefined || value === null || value === "") { return; }
      var d = doc.createElementNS(NS, "data"); d.setAttribute("key", k); d.textContent = String(value);
      parent.appendChild(d);
    }
    v.nodes.forEach(function (n) {
      var el = doc.createElementNS(NS, "node"); el.setAttribute("id", n.id);
      data(el, "node_label", n.fullLabel || n.label);
      NODE_ATTRS.forEach(function (a) { data(el, "node_" + a, n[a]); });
      graph.appendChild(el);
    });
    v.edges.forEach(function (e) {
      var el = doc.createElementNS(NS, "edge");
      el.setAttribute("id", e.id); el.setAttribute("source", e.from); el.setAttribute("target", e.to);
      EDGE_ATTRS.forEach(function (a) { data(el, "edge_" + a, e[a]); });
      graph.appendChild(el);
    });
    var xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(doc);
    download(new Blob([xml], { type: "application/graphml+xml" }), "survkg-view.graphml");
  }

  function exportGexf() {
    var v = visible(), NS = "http://gexf.net/1.3";
    var doc = document.implementation.createDocument(NS, "gexf", null);
    var root = doc.documentElement; root.setAttribute("version", "1.3");
    var graph = doc.createElementNS(NS, "graph");
    graph.setAttribute("defaultedgetype", "directed"); graph.setAttribute("mode", "static");
    root.appendChild(graph);
    function attrs(cls, names) {
      var a = doc.createElementNS(NS, "attributes"); a.setAttribute("class", cls);
      names.forEach(function (n) {
        var at = doc.createElementNS(NS, "attribute");
        at.setAttribute("id", n); at.setAttribute("title", n); at.setAttribute("type", "string");
        a.appendChild(at);
      });
      graph.appendChild(a);
    }
    attrs("node", NODE_ATTRS); attrs("edge", EDGE_ATTRS);
    function values(el, obj, names) {
      var vs = doc.createElementNS(NS, "attvalues");
      names.forEach(function (n) {
        if (obj[n] === undefined || obj[n] === null || obj[n] === "") { return; }
        var av = doc.createElementNS(NS, "attvalue"); av.setAttribute("for", n); av.setAttribute("value", String(obj[n]));
        vs.appendChild(av);
      });
      el.appendChild(vs);
    }
    var nodes = doc.createElementNS(NS, "nodes"), edges = doc.createElementNS(NS, "edges");
    graph.appendChild(nodes); graph.appendChild(edges);
    var pos = g.network.getPositions();
    v.nodes.forEach(function (n) {
      var el = doc.createElementNS(NS, "node");
      el.setAttribute("id", n.id); el.setAttribute("label", n.fullLabel || n.label);
      values(el, n, NODE_ATTRS);
      var colour = /^#([0-9a-f]{6})$/i.exec(n.color || "");
      if (colour) {
        var c = doc.createElementNS("http://gexf.net/1.3/viz", "viz:color"), x = parseInt(colour[1], 16);
        c.setAttribute("r", (x >> 16) & 255); c.setAttribute("g", (x >> 8) & 255); c.setAttribute("b", x & 255);
        el.appendChild(c);
      }
      if (pos[n.id]) {
        var p = doc.createElementNS("http://gexf.net/1.3/viz", "viz:position");
        p.setAttribute("x", pos[n.id].x); p.setAttribute("y", -pos[n.id].y); p.setAttribute("z", 0);
        el.appendChild(p);
      }
      nodes.appendChild(el);
    });
    v.edges.forEach(function (e) {
      var el = doc.createElementNS(NS, "edge");
      el.setAttribute("id", e.id); el.setAttribute("source", e.from); el.setAttribute("target", e.to);
      el.setAttribute("label", e.kind);
      values(el, e, EDGE_ATTRS);
      edges.appendChild(el);
    });
    var xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(doc);
    download(new Blob([xml], { type: "application/gexf+xml" }), "survkg-view.gexf");
  }

  document.addEventListener("DOMContentLoaded", function () {
    box = $("graph"); info = $("info"); note = $("graph-note");
    $("controls").addEventListener("submit", function (ev) {
      ev.preventDefault();
      load($("focus").value.trim(), $("depth").value);
    });
    $("load-all").addEventListener("click", function () {
      $("focus").value = "";
      if (box.getAttribute("data-overview") === "1") { loadOverview(); } else { load("", 1); }
    });
    $("group-by").addEventListener("change", loadOverview);
    $("show-overview").addEventListener("click", loadOverview);
    document.querySelectorAll("#type-filters input, #f-tech, #f-country, #f-status").forEach(function (c) {
      c.addEventListener("change", applyFilters);
    });
    $("find-path").addEventListener("click", findPath);
    $("export-png").addEventListener("click", exportPng);
    $("export-gexf").addEventListener("click", exportGexf);
    $("export-graphml").addEventListener("click", exportGraphml);
    if (!box.getAttribute("data-focus") && box.getAttribute("data-overview") === "1") { loadOverview(); }
    else { load(box.getAttribute("data-focus"), box.getAttribute("data-depth")); }
  });
})();
