// Starts Swagger UI on the API reference page over the OpenAPI document next to it.
"use strict";
window.addEventListener("load", () => {
  const box = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: box.dataset.spec, domNode: box, deepLinking: true });
});
