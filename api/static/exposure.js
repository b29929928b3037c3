/* Exposure view: draws the engine result the page was rendered from (data-result),
   highlights its paths one by one, shows each path's evidence, and replays the graph over
   time with the as-of slider. Moving the slider puts as_of in the URL (back and forward
   work, the link can be shared, "Apply" keeps it) and asks /api/exposure with exactly the
   page's filters, so the page, the API and the CLI show one result. */
(function () {
  "use strict";
  var SKG = window.SKG;
  var g, box, result = null, current = 0, timer = null, asOf = null, asOfText = "";

  function $(id) { return document.getElementById(id); }
  function year(v) { var m = /^(\d{4})/.exec(String(v || "")); return m ? parseInt(m[1], 10) : null; }

  /* Is the relation valid at the slider's year? (started by then, not ended before it) */
  function validAt(e) {
    if (asOf === null) { return true; }
    var s = year(e.start), en = year(e.end);
    if (s !== null && s > asOf) { return false; }
    if (en !== null && en < asOf) { return false; }
    return true;
  }

  function hopEdges(hop) {
    var found = g.edges.get({ filter: function (e) {
      return e.from === hop.from && e.to === hop.to && e.claim === hop.relation.id;
    } });
    if (!found.length) {
      found = g.edges.get({ filter: function (e) {
        return (e.from === hop.from && e.to === hop.to) || (e.from === hop.to && e.to === hop.from);
      } });
    }
    return found.map(function (e) { return e.id; });
  }

  function highlight(i) {
    if (!result || !result.paths.length) {
      g.network.unselectAll(); $("path-pos").textContent = "no path"; return;
    }
    current = (i + result.paths.length) % result.paths.length;
    var path = result.paths[current];
    var nodes = path.nodes.map(function (n) { return n.id; });
    var edges = [];
    path.hops.forEach(function (h) { edges = edges.concat(hopEdges(h)); });
    /* Paths beyond the drawing (it is capped) select what is drawn of them. */
    g.network.setSelection({ nodes: nodes.filter(function (n) { return !!g.nodes.get(n); }), edges: edges },
                           { unselectAll: true, highlightEdges: false });
    box.setAttribute("data-highlighted-path", String(current));
    box.setAttribute("data-highlighted-edges", edges.join(" "));
    box.setAttribute("data-highlighted-nodes", nodes.join(" "));
    $("path-pos").textContent = "path " + (current + 1) + " of " + result.paths.length;
    document.querySelectorAll("#paths > li").forEach(function (li, k) {
      li.classList.toggle("current", k === current);
      li.setAttribute("aria-current", k === current ? "true" : "false");
    });
    renderEvidence(path);
  }

  function controlText(c) {
    if (!c) { return "—"; }
    return c.status + (c.regulation_label ? " under " + c.regulation_label : "");
  }

  function cell(tr, text, cls) { var td = SKG.el("td", cls ? { "class": cls } : null, text); tr.appendChild(td); return td; }

  function renderEvidence(path) {
    var panel = $("evidence");
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.appendChild(SKG.el("h3", null, "Evidence for path " + (current + 1) + ": " +
      path.nodes.map(function (n) { return n.label; }).join(" → ")));
    panel.appendChild(SKG.el("p", { "class": "note" }, "Target " + path.target.label + " (severity " +
      path.target.severity + "); path score " + path.score + (path.counts ? "" : " · includes claims that do not count by default")));
    panel.appendChild(SKG.el("p", { "class": "note control-status" }, "Export control today: " +
      controlText(path.control_status) + "; at the supply's date: " +
      controlText(path.control_status_at_time) +
      (path.control_status_at_time && path.control_status_at_time.note ? " (" + path.control_status_at_time.note + ")" : "")));
    (path.warnings || []).forEach(function (w) {
      panel.appendChild(SKG.el("p", { "class": "warning low-reliability" }, "⚠ " + w));
    });
    var table = SKG.el("table", { "class": "evidence-table" });
    var head = SKG.el("tr");
    ["From", "To", "Relation", "Product / technology", "Dates", "Status", "Confidence", "Sources", "Responses"].forEach(function (h) {
      head.appendChild(SKG.el("th", { scope: "col" }, h));
    });
    var thead = SKG.el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = SKG.el("tbody");
    var labels = {}; path.nodes.forEach(function (n) { labels[n.id] = n.label; });
    path.hops.forEach(function (h) {
      var tr = SKG.el("tr", h.counts ? null : { "class": "weak" });
      cell(tr, labels[h.from] || h.from); cell(tr, labels[h.to] || h.to);
      var rel = cell(tr, "");
      rel.appendChild(SKG.el("a", { href: SKG.entityUrl(h.relation.id) }, h.relation.label || h.relation.id));
      rel.appendChild(SKG.el("div", { "class": "note" }, h.role +
        (h.link && h.link.kind !== "supply" && h.link.kind !== h.role ? " · " + h.link.label + " (weight " + h.link.weight + ")" : "")));
      if (h.reliability && h.reliability.warning) {
        rel.appendChild(SKG.el("div", { "class": "warning low-reliability" }, "⚠ " + h.reliability.warning));
      }
      var what = h.alternatives ? h.alternatives.text + " (one or more of these)" : (h.product && h.product.label);
      cell(tr, [what].concat((h.technology || []).map(function (t) { return t.label; }))
        .filter(Boolean).join("; "));
      var d = h.date || {};
      cell(tr, d.date || [d.start || "", d.end || ""].filter(Boolean).join(" – ") || "—");
      cell(tr, h.status || "—");
      cell(tr, h.confidence ? h.confidence.label + " (" + h.confidence.weight + ")" : "—");
      var src = cell(tr, ""); var ul = SKG.el("ul");
      (h.evidence || []).forEach(function (s) { ul.appendChild(SKG.sourceLine(s)); });
      src.appendChild(ul);
      var resp = cell(tr, "");
      (h.responses || []).forEach(function (r) {
        resp.appendChild(SKG.el("p", { "class": "response" }, (r.respondent ? r.respondent + ": " : "") + r.statement));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    panel.appendChild(table);
  }

  function renderPaths() {
    var list = $("paths");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    $("score").textContent = result.score.toFixed(3);
    $("path-count").textContent = "(" + result.total_paths + (result.truncated ? ", first " + result.paths.length + " listed" : "") + ")";
    var terms = $("score-terms");
    while (terms.firstChild) { terms.removeChild(terms.firstChild); }
    result.score_terms.targets.forEach(function (t) {
      var tr = SKG.el("tr");
      var td = SKG.el("td"); td.appendChild(SKG.el("a", { href: SKG.entityUrl(t.target.id) }, t.target.label)); tr.appendChild(td);
      [t.severity, t.best_path, t.contribution, t.paths].forEach(function (v) { tr.appendChild(SKG.el("td", null, v)); });
      terms.appendChild(tr);
    });
    result.paths.forEach(function (p, k) {
      var li = SKG.el("li", { "data-path": k });
      var b = SKG.el("button", { type: "button", "class": "pathbtn" },
        p.nodes.map(function (n) { return n.label; }).join(" → ") + "  (score " + p.score + (p.counts ? "" : ", unverified") + ")");
      b.addEventListener("click", function () { stop(); highlight(k); });
      li.appendChild(b);
      list.appendChild(li);
    });
    if (!result.paths.length) { list.appendChild(SKG.el("li", null, "No exposure path under these filters.")); }
    highlight(0);
  }

  /* The page's filters with the current as-of, as URL parameters (defaults left out). */
  function query() {
    var params = JSON.parse(box.getAttribute("data-params"));
    var q = new URLSearchParams();
    if (String(params.max_hops) !== "4") { q.set("max_hops", params.max_hops); }
    if (params.min_confidence) { q.set("min_confidence", params.min_confidence); }
    if (params.technology) { q.set("technology", params.technology); }
    if (params.include_unverified) { q.set("include_unverified", "true"); }
    if (asOfText) { q.set("as_of", asOfText); }
    return q;
  }

  function fetchExposure() {
    var q = query();
    q.set("limit", box.getAttribute("data-limit") || "200");
    var api = box.getAttribute("data-api").split("/").map(function (p, i) { return i < 3 ? p : encodeURIComponent(p); }).join("/");
    box.setAttribute("data-loading", "1");
    return SKG.getJSON(api + "?" + q.toString()).then(function (r) {
      result = r; renderPaths(); box.removeAttribute("data-loading");
    });
  }

  /* Put the current filters in the address bar (a new history entry unless `replace`). */
  function remember(replace) {
    var q = query().toString();
    var url = location.pathname + (q ? "?" + q : "");
    if (url === location.pathname + location.search) { return; }
    if (replace) { history.replaceState(null, "", url); } else { history.pushState(null, "", url); }
  }

  function setAsOf(value, max, text) {
    asOf = value > max - 1 ? null : value;
    asOfText = asOf === null ? "" : (text || String(asOf));
    $("as-of-value").textContent = asOf === null ? "now (no date filter)" : asOfText;
    $("as-of-param").value = asOfText;
    g.setFilters(null, validAt);
    box.setAttribute("data-as-of", asOfText);
    $("graph-note").textContent = g.edgeView.length + " of " + g.edges.length + " relations valid" +
      (asOf === null ? "." : " in " + asOf + ".");
  }

  function stop() { if (timer) { clearInterval(timer); timer = null; $("play-paths").textContent = "play"; } }

  document.addEventListener("DOMContentLoaded", function () {
    box = $("graph");
    if (!box) { return; }
    var data = JSON.parse(box.getAttribute("data-graph"));
    g = SKG.makeGraph(box, data, { edgeFilter: validAt });
    g.network.on("click", function (ev) {
      if (ev.nodes.length) { SKG.showInfo($("evidence"), ev.nodes[0]); }
    });
    var slider = $("as-of"), max = parseInt(slider.max, 10);
    var debounce = null;
    slider.addEventListener("input", function () {
      setAsOf(parseInt(slider.value, 10), max);
      if (debounce) { clearTimeout(debounce); }
      debounce = setTimeout(function () { remember(false); fetchExposure(); }, 200);
    });
    window.addEventListener("popstate", function () {
      var text = new URLSearchParams(location.search).get("as_of") || "";
      var y = year(text);
      slider.value = String(y === null ? max : y);
      setAsOf(parseInt(slider.value, 10), max, text);
      fetchExposure();
    });
    $("xcontrols").addEventListener("submit", function () {
      var hidden = $("as-of-param");
      if (!hidden.value) { hidden.disabled = true; } /* no empty as_of= in the URL */
    });
    setAsOf(parseInt(slider.value, 10), max, box.getAttribute("data-as-of"));
    $("prev-path").addEventListener("click", function () { stop(); highlight(current - 1); });
    $("next-path").addEventListener("click", function () { stop(); highlight(current + 1); });
    $("play-paths").addEventListener("click", function () {
      if (timer) { stop(); return; }
      $("play-paths").textContent = "stop";
      timer = setInterval(function () { highlight(current + 1); }, 1800);
    });
    result = JSON.parse(box.getAttribute("data-result"));
    renderPaths();
  });
})();
