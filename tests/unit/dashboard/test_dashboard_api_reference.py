"""The API reference page: Swagger UI from the wheel's assets (no CDN), over the OpenAPI
document, linked from every dashboard page and linking back to the dashboard; no inline script."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from starlette.testclient import TestClient

from tests.unit.dashboard.test_dashboard_pages import log_in


def test_reference_page_loads_every_asset_from_this_server(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and not [s for s in sources if "//" in s]  # nothing from another host
    assert "<script>" not in page.text  # no inline script
    for source in sources:
        asset = client.get(urljoin("http://testserver/api/v1/docs", source))
        assert asset.status_code == 200, source
    spec = re.search(r'data-spec="([^"]+)"', page.text)
    assert spec is not None
    document = client.get(urljoin("http://testserver/api/v1/docs", spec.group(1)))
    assert document.json()["openapi"].startswith("3.")


def test_every_dashboard_page_links_the_reference_and_back(client: TestClient) -> None:
    log_in(client)
    assert 'href="/api/v1/docs">API reference<' in client.get("/dashboard/").text
    back = re.search(
        r'<a href="([^"]+)">← Back to the dashboard</a>', client.get("/api/v1/docs").text
    )
    assert back is not None
    dashboard = client.get(urljoin("http://testserver/api/v1/docs", back.group(1)))
    assert dashboard.status_code == 200 and 'href="/api/v1/docs"' in dashboard.text


def test_the_openapi_document_lists_the_time_zones_once(client: TestClient) -> None:
    raw = client.get("/api/v1/openapi.json").text
    assert raw.count('"Europe/Paris"') == 1
    document = client.get("/api/v1/openapi.json").json()
    zone = document["components"]["parameters"]["TimeZone"]
    assert zone["name"] == "time_zone" and "UTC" in zone["schema"]["enum"]
    users = [
        path
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if {"$ref": "#/components/parameters/TimeZone"} in operation.get("parameters", [])
    ]
    assert sorted(users) == [
        "/campaigns/{campaign_id}/export.csv",
        "/campaigns/{campaign_id}/timeline",
    ]
