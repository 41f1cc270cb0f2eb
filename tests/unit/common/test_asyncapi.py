"""docs/asyncapi.yaml is generated from the topics and events.proto, must be up to date, and
is a valid AsyncAPI 3.0.0 document by the official JSON Schema (vendored from the npm package
@asyncapi/specs 6.11.1, tests/data/asyncapi/README.md)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from emailtrack import asyncapi
from emailtrack.common import topics
from emailtrack.protogen import PROTO_ROOT

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "asyncapi" / "asyncapi-3.0.0.schema.json"
SCHEMA_SHA256 = "abe96881dbfaad495ccbb6bd8d3fb43ca18a13b9d7564849ccb66f39d5e5b20f"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    raw = SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the vendored schema was changed"
    schema = json.loads(raw)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(asyncapi.OUTPUT.read_text())
    return loaded


def test_asyncapi_document_is_up_to_date() -> None:
    assert asyncapi.OUTPUT.read_text() == asyncapi.render(), "run `python -m emailtrack.asyncapi`"


def test_asyncapi_document_is_valid_asyncapi_3(
    validator: jsonschema.Draft7Validator, committed: dict[str, Any]
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(committed)]
    assert errors == []


@pytest.mark.parametrize(
    "breakage",
    ["asyncapi", "channel", "operation"],
)
def test_the_schema_refuses_broken_documents(
    validator: jsonschema.Draft7Validator, committed: dict[str, Any], breakage: str
) -> None:
    broken = copy.deepcopy(committed)
    if breakage == "asyncapi":
        broken["asyncapi"] = "2.9.9"
    elif breakage == "channel":
        broken["channels"]["deliveryEvents"]["topic"] = "not a channel field"
    else:
        broken["operations"]["receiveDeliveryEvents"]["action"] = "consume"
    assert not validator.is_valid(broken)


def test_every_public_topic_carries_the_proto_and_the_compatibility_rules(
    committed: dict[str, Any],
) -> None:
    addresses = {c["address"] for c in committed["channels"].values()}
    assert addresses == {topics.DELIVERY_EVENTS, topics.ENGAGEMENT_EVENTS, topics.RECIPIENT_EVENTS}
    assert all(topic.endswith(".v1") for topic in addresses)
    message = committed["components"]["messages"]["EventBatch"]
    assert message["payload"]["schema"] == (PROTO_ROOT / asyncapi.EVENTS_PROTO).read_text()
    rules = committed["info"]["description"]
    assert "Additive only" in rules and "Versioned topic names" in rules
    actions = {op["action"] for op in committed["operations"].values()}
    assert actions == {"receive"}
