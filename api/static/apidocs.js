// Starts Swagger UI on /docs (kept out of the page: the CSP forbids inline script).
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (typeof window.SwaggerUIBundle !== "function") {
    document.getElementById("apidocs-missing").hidden = false;
    return;
  }
  window.SwaggerUIBundle({
    url: el.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: false,
    // No validator badge: it would call validator.swagger.io.
    validatorUrl: null,
  });
})();
