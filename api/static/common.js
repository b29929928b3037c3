/* survkg: behaviour shared by every page. No data is ever parsed as HTML: text goes
   through textContent, attributes through setAttribute, links only to our own paths or
   http(s) URLs. */
(function () {
  "use strict";

  var SKG = window.SKG = window.SKG || {};

  SKG.el = function (tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, String(attrs[k])); }
      });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  };

  SKG.safeUrl = function (url) {
    if (typeof url !== "string") { return null; }
    var u = url.trim();
    return /^https?:\/\/[^\s"'<>]+$/i.test(u) ? u : null;
  };

  SKG.entityUrl = function (id) {
    return "/entity/" + String(id).split("/").map(encodeURIComponent).join("/");
  };
  SKG.exposureUrl = function (id) {
    return "/exposure/" + String(id).split("/").map(encodeURIComponent).join("/");
  };
  SKG.apiEntity = function (id) {
    return "/api/entities/" + String(id).split("/").map(encodeURIComponent).join("/");
  };

  SKG.getJSON = function (url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { var e = new Error((body && body.detail) || r.statusText); e.body = body; throw e; }
          return body;
        });
      });
  };

  /* Colour swatches of legends: colours come from data attributes (CSSOM, not markup). */
  SKG.paintSwatches = function (root) {
    (root || document).querySelectorAll("[data-color]").forEach(function (s) {
      var c = s.getAttribute("data-color");
      if (/^#[0-9a-fA-F]{3,8}$/.test(c)) {
        if (s.classList.contains("line")) { s.style.borderTopColor = c; } else { s.style.backgroundColor = c; }
      }
    });
  };

  /* Search suggestions for every input with data-suggest: /api/search fills a datalist. */
  function wireSuggest(input) {
    var list = document.getElementById(input.getAttribute("data-suggest"));
    if (!list) { return; }
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (q.length < 2 || q === last) { return; }
      timer = setTimeout(function () {
        last = q;
        SKG.getJSON("/api/search?limit=8&q=" + encodeURIComponent(q)).then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          (data.results || []).forEach(function (r) {
            var opt = document.createElement("option");
            var byId = input.getAttribute("data-suggest-value") === "id";
            opt.value = byId ? r.id : r.label;
            opt.textContent = (byId ? r.label : r.id) + " · " + (r.types || []).join(", ");
            list.appendChild(opt);
          });
        }).catch(function () { /* suggestions are optional */ });
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest]").forEach(wireSuggest);
    SKG.paintSwatches(document);
  });
})();
