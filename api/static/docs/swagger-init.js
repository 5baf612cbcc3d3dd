// Starts Swagger UI on /docs. A file, not an inline script, so the page's CSP can forbid
// inline scripts; the assets come from the application itself (/docs-static/vendor).
"use strict";
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
