/* Entity page: the neighbourhood graph; clicking a node shows its facts. */
(function () {
  "use strict";
  var SKG = window.SKG;
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("graph");
    if (!box) { return; }
    var info = document.getElementById("info");
    SKG.getJSON(box.getAttribute("data-src")).then(function (data) {
      var g = SKG.makeGraph(box, data);
      SKG.note(document.getElementById("graph-note"), data);
      g.network.on("click", function (ev) {
        if (ev.nodes.length) { SKG.showInfo(info, ev.nodes[0]); }
      });
    }).catch(function (err) {
      document.getElementById("graph-note").textContent = "Graph unavailable: " + err.message;
    });
  });
})();
