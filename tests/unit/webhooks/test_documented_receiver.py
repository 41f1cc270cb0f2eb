"""The receiver code of docs/webhooks.md, run as written: the spec-only ``verify`` and the
standard-library receiver, served on a free local port and sent requests signed by the
service's own signer (services.webhooks.signing). A signed event is handled once even when
it is delivered twice; a batch's events are each handled; a tampered body gets 401."""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.webhooks.signing import new_secret, signature_headers

DOC = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


def documented_snippets() -> tuple[str, str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    (verify,) = [b for b in blocks if b.lstrip().startswith("import base64")]
    (receiver,) = [b for b in blocks if "class Hooks" in b]
    return verify, receiver


@pytest.fixture
def receiver() -> Iterator[tuple[dict[str, Any], str, str]]:
    verify, code = documented_snippets()
    secret = new_secret()
    scope: dict[str, Any] = {"__name__": "documented_receiver"}
    exec(verify, scope)
    exec(code.replace("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", secret), scope)
    server = scope["ThreadingHTTPServer"](("127.0.0.1", 0), scope["Hooks"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield scope, secret, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, body.encode(), {**headers, "Content-Type": "x"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def event(event_id: str) -> dict[str, Any]:
    return {"type": "email.bounced", "data": {"event_id": event_id, "address": "a@x.org"}}


def test_documented_receiver_verifies_and_handles_each_event_once(
    receiver: tuple[dict[str, Any], str, str],
) -> None:
    scope, secret, url = receiver
    single = json.dumps(event("evt_1"))
    headers = signature_headers("evt_1", datetime.now(UTC), single, [secret])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert post(url, single, headers) == 204
        assert post(url, single, headers) == 204  # a repeat: acknowledged, not handled again
        batch = json.dumps([event("evt_1"), event("evt_2")])
        signed = signature_headers("batch_x", datetime.now(UTC), batch, [secret])
        assert post(url, batch, signed) == 204
        assert post(url, single + " ", headers) == 401
        other = signature_headers("evt_1", datetime.now(UTC), single, [new_secret()])
        assert post(url, single, other) == 401
    assert scope["handled"] == {"evt_1", "evt_2"}
    assert printed.getvalue().splitlines() == [
        "email.bounced evt_1 a@x.org",
        "email.bounced evt_2 a@x.org",
    ]
