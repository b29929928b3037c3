// The SPARQL editor: CodeMirror when its assets are installed, a plain textarea otherwise.
// No inline script anywhere (strict CSP); the page's data comes from #sparql-config.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var textarea = document.getElementById("query");
  var form = document.getElementById("query-form");
  var statusEl = document.getElementById("status");
  var resultsEl = document.getElementById("results");
  var errorEl = document.getElementById("error");
  var truncatedEl = document.getElementById("truncated");
  var downloadsEl = document.getElementById("downloads");
  var editor = null;

  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query", lineNumbers: true, matchBrackets: true,
      viewportMargin: Infinity, extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
    });
    editor.getInputField().setAttribute("aria-label", "SPARQL query");
  }
  function getQuery() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) { if (editor) { editor.setValue(text); } else { textarea.value = text; } }

  document.getElementById("examples").addEventListener("change", function (ev) {
    var ex = config.examples[ev.target.value];
    if (ex) { setQuery(ex.query); }
  });

  function prefixed(iri) {
    var names = Object.keys(config.prefixes);
    for (var i = 0; i < names.length; i++) {
      var ns = config.prefixes[names[i]];
      if (iri.indexOf(ns) === 0) { return names[i] + ":" + iri.slice(ns.length); }
    }
    return "<" + iri + ">";
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    td.dataset.sort = term.value;
    if (term.type === "uri") {
      if (term.value.indexOf(config.idNamespace) === 0) {
        var a = document.createElement("a");
        a.href = config.entityPath + term.value.slice(config.idNamespace.length)
          .split("/").map(encodeURIComponent).join("/");
        a.textContent = prefixed(term.value);
        a.title = term.value;
        td.appendChild(a);
      } else {
        td.textContent = prefixed(term.value);
        td.title = term.value;
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "literal") {
      td.textContent = term.value;
      var extra = document.createElement("span");
      if (term["xml:lang"]) { extra.className = "lang"; extra.textContent = "@" + term["xml:lang"]; }
      else if (term.datatype) { extra.className = "dt"; extra.textContent = prefixed(term.datatype); }
      if (extra.textContent) { td.appendChild(extra); }
    } else {
      td.textContent = JSON.stringify(term.value);
    }
    return td;
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a.trim() && String(y) === b.trim()) { return x - y; }
    return a.localeCompare(b);
  }

  function sortBy(table, col, th) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = r1.cells[col].dataset.sort || "", b = r2.cells[col].dataset.sort || "";
      return dir === "ascending" ? compare(a, b) : compare(b, a);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function showTable(data) {
    if (typeof data.boolean === "boolean") {
      var p = document.createElement("p");
      p.className = "boolean";
      p.textContent = "ASK result: " + data.boolean;
      resultsEl.appendChild(p);
      statusEl.textContent = "ASK: " + data.boolean;
      return;
    }
    var table = document.createElement("table");
    table.className = "results";
    var head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v, i) {
      var th = document.createElement("th");
      th.textContent = "?" + v;
      th.addEventListener("click", function () { sortBy(table, i, th); });
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.results.bindings.forEach(function (b) {
      var tr = body.insertRow();
      data.head.vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
    });
    resultsEl.appendChild(table);
    statusEl.textContent = data.results.bindings.length + " row(s)";
  }

  function run(ev) {
    if (ev && ev.preventDefault) { ev.preventDefault(); }
    resultsEl.textContent = "";
    errorEl.hidden = true;
    truncatedEl.hidden = true;
    statusEl.textContent = "running…";
    downloadsEl.hidden = true;
    var started = performance.now();
    fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: getQuery() })
    }).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      var cut = resp.headers.get("X-SPARQL-Results-Truncated");
      return (type.indexOf("json") >= 0 ? resp.json() : resp.text()).then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!resp.ok) {
          errorEl.textContent = resp.status + ": " + (body.detail || body);
          errorEl.hidden = false;
          statusEl.textContent = "";
          downloadsEl.hidden = true;
          return;
        }
        var kind = type.indexOf("sparql-results") >= 0 ? "table" : "graph";
        var isAsk = kind === "table" && typeof body.boolean === "boolean";
        downloadsEl.querySelectorAll("button").forEach(function (b) {
          // ASK has no CSV/TSV form; a graph result has no results formats.
          b.hidden = b.dataset.kind !== kind ||
            (isAsk && (b.dataset.format === "csv" || b.dataset.format === "tsv"));
        });
        downloadsEl.hidden = false;
        if (cut) {
          truncatedEl.textContent = "Results truncated at the server's limit of " +
            config.maxRows + " rows; add LIMIT/OFFSET or an aggregate to see the rest.";
          truncatedEl.hidden = false;
        }
        if (type.indexOf("sparql-results+json") >= 0) { showTable(body); }
        else {
          var pre = document.createElement("pre");
          pre.className = "graph";
          pre.textContent = body;
          resultsEl.appendChild(pre);
          statusEl.textContent = "graph result";
        }
        statusEl.textContent += " · " + ms + " ms";
      });
    }).catch(function (err) {
      errorEl.textContent = String(err);
      errorEl.hidden = false;
      statusEl.textContent = "";
      downloadsEl.hidden = true;
    });
  }
  form.addEventListener("submit", run);
  if (config.run) { run(); } /* opened from a shared /sparql?query= link */

  // Downloads: a POSTed form (long queries do not fit in a URL); the server answers with
  // Content-Disposition: attachment, so the page stays as it is.
  downloadsEl.addEventListener("click", function (ev) {
    var fmt = ev.target.dataset && ev.target.dataset.format;
    if (!fmt) { return; }
    var f = document.createElement("form");
    f.method = "post";
    f.action = config.endpoint;
    [["query", getQuery()], ["format", fmt], ["download", "1"]].forEach(function (kv) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = kv[0]; input.value = kv[1];
      f.appendChild(input);
    });
    document.body.appendChild(f);
    f.submit();
    f.remove();
  });
}());
