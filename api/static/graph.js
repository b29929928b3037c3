/* survkg: vis-network graphs built from /api/view (pyvis node and edge options).
   Layout is stabilised once, then physics stops so large graphs stay smooth. Node titles
   are turned into DOM text nodes before vis sees them; nothing is parsed as HTML. */
(function () {
  "use strict";
  var SKG = window.SKG = window.SKG || {};

  function titleElement(text) {
    var div = document.createElement("div");
    div.className = "vis-tip";
    div.textContent = String(text || "");
    return div;
  }

  function prepNode(n) {
    var copy = Object.assign({}, n);
    copy.title = titleElement(n.title || n.fullLabel || n.label);
    copy.label = String(n.label || "");
    return copy;
  }
  function prepEdge(e) {
    var copy = Object.assign({}, e);
    copy.title = titleElement(e.title || e.kind || "");
    copy.color = { color: e.color, highlight: "#111111" };
    return copy;
  }

  SKG.options = function (count) {
    var big = count > 800;
    return {
      autoResize: true,
      nodes: { font: { size: 13, face: "system-ui, sans-serif" }, borderWidth: 1 },
      edges: { smooth: big ? false : { type: "continuous" }, width: 1.5, selectionWidth: 3,
               arrows: { to: { enabled: true, scaleFactor: 0.5 } } },
      interaction: { hover: true, tooltipDelay: 150, keyboard: { enabled: true, bindToWindow: false },
                     navigationButtons: false, hideEdgesOnDrag: big },
      /* improvedLayout (Kamada-Kawai) blocks the page for seconds beyond a few dozen nodes */
      layout: { improvedLayout: count <= 60, randomSeed: 7 },
      physics: { enabled: true, solver: "barnesHut",
                 barnesHut: { gravitationalConstant: -4000, springLength: 120, avoidOverlap: 0.1 },
                 stabilization: { enabled: true, iterations: big ? 150 : 300, updateInterval: 10 } }
    };
  };

  /* A graph on `container` from a /api/view payload. Returns {network, nodes, edges, view}. */
  SKG.makeGraph = function (container, data, opts) {
    opts = opts || {};
    var nodes = new vis.DataSet(data.nodes.map(prepNode));
    var edges = new vis.DataSet(data.edges.map(prepEdge));
    var nodeFilter = opts.nodeFilter || function () { return true; };
    var edgeFilter = opts.edgeFilter || function () { return true; };
    var nodeView = new vis.DataView(nodes, { filter: function (n) { return nodeFilter(n); } });
    /* An edge is shown only with both its ends: counts after filtering are what is drawn. */
    var edgeView = new vis.DataView(edges, { filter: function (e) {
      if (!edgeFilter(e)) { return false; }
      var a = nodes.get(e.from), b = nodes.get(e.to);
      return !!a && !!b && nodeFilter(a) && nodeFilter(b);
    } });
    var options = SKG.options(data.nodes.length);
    if (opts.fixed) { /* positions computed on the server: no layout on the main thread */
      options.physics = { enabled: false };
      options.layout = { improvedLayout: false };
      options.edges.smooth = false;
    }
    var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
    var g = { network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
              stable: false,
              setFilters: function (nf, ef) {
                if (nf) { nodeFilter = nf; } if (ef) { edgeFilter = ef; }
                nodeView.refresh(); edgeView.refresh();
              },
              add: function (more) {
                nodes.update(more.nodes.filter(function (n) { return !nodes.get(n.id); }).map(prepNode));
                edges.update(more.edges.filter(function (e) { return !edges.get(e.id); }).map(prepEdge));
              } };
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      g.stable = true;
      container.setAttribute("data-stable", "1");
    });
    if (opts.fixed) {
      network.fit();
      g.stable = true;
      container.setAttribute("data-stable", "1");
    }
    window.survkgGraph = g; /* for tests and the console */
    return g;
  };

  /* New nodes start on a ring around `centre` (not piled at the origin), then settle. */
  SKG.placeAround = function (g, centre, more) {
    var p = g.network.getPositions([centre])[centre];
    if (!p) { return; }
    var fresh = more.nodes.filter(function (n) { return !g.nodes.get(n.id); });
    var r = 120 + 6 * fresh.length;
    fresh.forEach(function (n, i) {
      var a = 2 * Math.PI * i / Math.max(1, fresh.length);
      n.x = p.x + r * Math.cos(a); n.y = p.y + r * Math.sin(a);
    });
  };

  /* After adding nodes: let physics settle the new ones briefly, then stop again. */
  SKG.relayout = function (g) {
    g.network.setOptions({ physics: { enabled: true } });
    g.network.stabilize(120);
    g.network.once("stabilizationIterationsDone", function () {
      g.network.setOptions({ physics: { enabled: false } });
    });
  };

  SKG.note = function (el, data) {
    if (!el) { return; }
    el.textContent = data.nodes.length + " nodes, " + data.edges.length + " relations" +
      (data.truncated ? " — capped: showing the " + data.nodes.length + " best-connected of " +
       data.total_nodes + " nodes; focus on an entity to see the rest." : ".");
  };

  function sourceLine(s) {
    var li = SKG.el("li");
    var url = SKG.safeUrl(s.url);
    if (url) {
      li.appendChild(SKG.el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank" }, s.title));
    } else {
      li.appendChild(SKG.el("span", null, s.title));
    }
    var bits = [s.publisher, s.date].filter(Boolean).join(", ");
    if (bits) { li.appendChild(document.createTextNode(" — " + bits)); }
    if (s.low_reliability) { li.appendChild(SKG.el("span", { "class": "badge warn" }, "low reliability")); }
    return li;
  }
  SKG.sourceLine = sourceLine;

  /* The facts panel for one entity (from /api/entities/{id}). */
  SKG.showInfo = function (panel, id, extra) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.appendChild(SKG.el("p", { "class": "note" }, "Loading " + id + "…"));
    return SKG.getJSON(SKG.apiEntity(id) + "?limit=50").then(function (e) {
      while (panel.firstChild) { panel.removeChild(panel.firstChild); }
      var h = SKG.el("h3"); h.appendChild(SKG.el("a", { href: SKG.entityUrl(e.id) }, e.label));
      panel.appendChild(h);
      panel.appendChild(SKG.el("p", { "class": "types" },
        e.types.map(function (t) { return t.label; }).join(", ") + " · " + e.id));
      if (e.chinese_names.length) {
        panel.appendChild(SKG.el("p", { lang: "zh" }, e.chinese_names.map(function (t) { return t.value; }).join(" / ")));
      }
      if (e.aliases.length) {
        panel.appendChild(SKG.el("p", { "class": "note" }, "Also: " + e.aliases.map(function (t) { return t.value; }).join("; ")));
      }
      if (extra) { extra(panel, e); }
      var list = SKG.el("ul", { "class": "claims" });
      e.claims.forEach(function (c) {
        var li = SKG.el("li", { "class": "claim-mini", "data-claim": c.id });
        var head = SKG.el("div");
        head.appendChild(SKG.el("strong", null, c.kind_label));
        var others = c.parties.filter(function (p) { return p.entity.id !== e.id; })
          .map(function (p) { return p.role_name + ": " + p.entity.label; });
        head.appendChild(document.createTextNode(" " + others.join("; ")));
        li.appendChild(head);
        var meta = [c.status && c.status.label, c.confidence && c.confidence.label,
                    [c.start, c.end].filter(Boolean).join("–") || c.date].filter(Boolean).join(" · ");
        if (meta) { li.appendChild(SKG.el("div", { "class": "meta" }, meta)); }
        var srcs = SKG.el("ul", { "class": "evidence" });
        c.sources.forEach(function (s) { srcs.appendChild(sourceLine(s)); });
        li.appendChild(srcs);
        c.responses.forEach(function (r) {
          li.appendChild(SKG.el("div", { "class": "response" },
            "Response" + (r.respondents.length ? " of " + r.respondents.map(function (x) { return x.label; }).join(", ") : "") +
            ": " + r.statement));
        });
        list.appendChild(li);
      });
      if (e.claims_total > e.claims.length) {
        panel.appendChild(SKG.el("p", { "class": "note" }, "Showing " + e.claims.length + " of " + e.claims_total + " claims."));
      }
      panel.appendChild(list);
      return e;
    }).catch(function (err) {
      while (panel.firstChild) { panel.removeChild(panel.firstChild); }
      panel.appendChild(SKG.el("p", { "class": "note" }, "No description for " + id + ": " + err.message));
    });
  };

  /* DOM position of a node (tests click there). */
  SKG.nodeDomPosition = function (g, id) {
    var p = g.network.getPositions([id])[id];
    return p ? g.network.canvasToDOM(p) : null;
  };
})();
