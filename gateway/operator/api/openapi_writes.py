"""The OpenAPI schemas and paths of ``gateway.operator.api.write_routes`` (create and delete a
campaign, register messages, mark them sent / delivered / deferred / failed), merged into the
API document by ``gateway.operator.api.openapi``."""

from __future__ import annotations

from typing import Any

from emailtrack.common.request_fields import MAX_ID_LENGTH
from gateway.operator.api.write_routes import (
    BOUNCE_TYPES,
    MARK_FIELDS,
    MAX_ADDRESS,
    MAX_DELAY_HOURS,
    MAX_MESSAGES,
    MAX_PARTS,
    MAX_RECIPIENTS,
    MAX_TEXT,
    MAX_WEIGHT,
    ROLES,
)

PRINTABLE = "^[^\\x00-\\x1f\\x7f]*$"
ID = {"type": "string", "maxLength": MAX_ID_LENGTH, "pattern": PRINTABLE}
REQUIRED_ID = {**ID, "minLength": 1}
TEXT = {"type": "string", "maxLength": MAX_TEXT, "pattern": PRINTABLE}
ADDRESS = {"type": "string", "format": "email", "maxLength": MAX_ADDRESS}
COUNT = {"type": "integer", "minimum": 0}


def _closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these fields (others are refused with 422)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _array(items: dict[str, Any], maximum: int) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": maximum}


def schemas() -> dict[str, Any]:
    step = _closed(
        {
            "step_id": REQUIRED_ID,
            "name": TEXT,
            "delay_hours": {"type": "integer", "minimum": 0, "maximum": MAX_DELAY_HOURS},
        },
        ("step_id",),
    )
    variant = _closed(
        {
            "variant_id": REQUIRED_ID,
            "name": TEXT,
            "weight": {"type": "integer", "minimum": 0, "maximum": MAX_WEIGHT},
        },
        ("variant_id",),
    )
    recipient = {
        "oneOf": [
            ADDRESS,
            _closed({"email": ADDRESS, "role": {"enum": list(ROLES)}}, ("email",)),
        ]
    }
    message = _closed(
        {
            "message_id": REQUIRED_ID,
            "recipients": {**_array(recipient, MAX_RECIPIENTS), "minItems": 1},
            "list_id": ID,
            "sequence_step": ID,
            "variant": ID,
            "mailbox": {"type": "string", "maxLength": MAX_ADDRESS},
            "smtp_message_id": TEXT,
        },
        ("message_id", "recipients"),
    )
    return {
        "NewCampaign": _closed(
            {
                "campaign_id": REQUIRED_ID,
                "name": TEXT,
                "template_id": ID,
                "tags": _array(REQUIRED_ID, MAX_PARTS),
                "steps": _array(step, MAX_PARTS),
                "variants": _array(variant, MAX_PARTS),
            },
            ("campaign_id",),
        ),
        "DeletedCampaign": _closed(
            {"campaign_id": {"type": "string"}, "messages_deleted": COUNT},
            ("campaign_id", "messages_deleted"),
        ),
        "NewMessages": _closed(
            {"messages": {**_array(message, MAX_MESSAGES), "minItems": 1}}, ("messages",)
        ),
        "RegisteredMessages": _closed(
            {"messages": COUNT, "recipients": COUNT}, ("messages", "recipients")
        ),
        "MarkedMessage": _closed(
            {
                "message_id": {"type": "string"},
                "status": {"enum": list(MARK_FIELDS)},
                "updated": COUNT,
            },
            ("message_id", "status", "updated"),
        ),
    }


def _body(schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _mark_body(state: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"emails": {**_array(ADDRESS, MAX_RECIPIENTS), "minItems": 1}}
    if "reason" in MARK_FIELDS[state]:
        fields["reason"] = TEXT
    if "bounce_type" in MARK_FIELDS[state]:
        fields["bounce_type"] = {"enum": [name for name in BOUNCE_TYPES if name]}
    schema = _closed(fields, ("emails",))
    return {"required": True, "content": {"application/json": {"schema": schema}}}


MARK_SUMMARIES = {
    "sent": "Mark recipients of a message sent",
    "delivered": "Mark recipients of a message delivered (accepted by their server)",
    "deferred": "Mark recipients of a message deferred (temporary failure; it may be retried)",
    "failed": "Mark recipients of a message failed: bounced (hard suppresses them at once, "
    "soft counts towards the soft-bounce threshold)",
}


def paths(operation: Any, reply: Any) -> dict[str, Any]:
    """The write operations, built with ``gateway.operator.api.openapi``'s helpers; each path
    item is merged with the same path's reads by the caller."""
    campaign = [{"name": "campaign_id", "in": "path", "required": True, "schema": REQUIRED_ID}]
    message = [{"name": "message_id", "in": "path", "required": True, "schema": REQUIRED_ID}]
    found = {
        "/campaigns": {
            "post": operation(
                "Create a campaign (status draft; the same id again answers it as it is), "
                "scope send",
                reply("CampaignDefinition"),
                [],
                requestBody=_body("NewCampaign"),
            )
        },
        "/campaigns/{campaign_id}": {
            "delete": operation(
                "Delete a campaign everywhere, its statistics included (the id is never "
                "reused), scope admin",
                reply("DeletedCampaign"),
                campaign,
            )
        },
        "/campaigns/{campaign_id}/messages": {
            "post": operation(
                "Register messages of the campaign and their recipients (pending until "
                "marked sent; registering again is a no-op), scope send",
                reply("RegisteredMessages"),
                campaign,
                requestBody=_body("NewMessages"),
            )
        },
    }
    for state in MARK_FIELDS:
        found[f"/messages/{{message_id}}/{state}"] = {
            "post": operation(
                f"{MARK_SUMMARIES[state]}, scope send (409 when the message's state forbids it)",
                reply("MarkedMessage"),
                message,
                requestBody=_mark_body(state),
            )
        }
    return found
