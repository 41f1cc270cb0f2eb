"""``GET /api/v1/recipients``: the search and filters reach ListRecipients as given (the
search itself is tested on a real database in tests/integration/test_campaign_messages.py);
bad values are 422 naming the parameter."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emailtrack.v1 import recipient_pb2
from tests.unit.cli.fake_services import FakeStack


def test_search_reaches_the_service(api: TestClient, stack: FakeStack) -> None:
    reply = api.get(
        "/api/v1/recipients",
        params={"prefix": " Ada", "contains": "example", "status": "active", "page_size": 20},
    )
    assert reply.status_code == 200, reply.text
    assert [r["email"] for r in reply.json()["recipients"]] == ["ada@example.com"]
    assert reply.json()["next_page_token"] is None
    asked = stack.requests_of(recipient_pb2.ListRecipientsRequest)[-1]
    assert (asked.email_prefix, asked.email_contains, asked.page_size) == ("Ada", "example", 20)
    assert asked.status == recipient_pb2.RECIPIENT_STATUS_ACTIVE
    assert asked.tenant_id == "acme"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"status": "gone"}, "status"),
        ({"prefix": "a" * 257}, "prefix"),
        ({"contains": "a\x01"}, "contains"),
        ({"page_size": "0"}, "page_size"),
        ({"email": "ada"}, "email"),
    ],
)
def test_bad_values_are_422(api: TestClient, query: dict[str, str], parameter: str) -> None:
    reply = api.get("/api/v1/recipients", params=query)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["parameter"] == parameter
