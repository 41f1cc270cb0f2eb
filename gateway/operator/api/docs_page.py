"""The API reference page ``/api/v1/docs``: Swagger UI over ``/api/v1/openapi.json``, its
assets served from the pinned ``swagger-ui-py`` wheel (no CDN: the page works offline), the
start-up script from this package (the page allows no inline script), and a link back to the
dashboard above it."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

SWAGGER_ASSETS = Path(str(files("swagger_ui") / "static"))
OWN_ASSETS = Path(__file__).parent / "static"
# Swagger UI sets style attributes and draws icons as data: images; scripts only from here.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>emailtrack API reference</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
  <nav style="font: 14px sans-serif; max-width: 1460px; margin: 12px auto 0; padding: 0 20px">
    <a href="/dashboard/">← Back to the dashboard</a>
  </nav>
  <div id="swagger-ui" data-spec="openapi.json"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/own/start.js"></script>
</body>
</html>
"""


async def reference_page(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": POLICY})


def docs_routes(path: str) -> list[BaseRoute]:
    """The page at ``path`` (a sibling of ``openapi.json``) and its assets below it."""
    return [
        Route(path, reference_page),
        Mount(f"{path}/assets", StaticFiles(directory=SWAGGER_ASSETS)),
        Mount(f"{path}/own", StaticFiles(directory=OWN_ASSETS)),
    ]
