"""JSON API writes for senders who do not speak gRPC: create and delete a campaign, register
messages, mark them sent, delivered, deferred or failed (bounced). Each is one call to the
gRPC service with the caller's API key, so the service applies the same scopes (``send``;
``admin`` to delete), tenant and validation as over gRPC; the gateway only checks the body's
shape (422 naming the field). With their OpenAPI paths and schemas; mounted under
``/api/v1``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.common.request_fields import MAX_ID_LENGTH
from emailtrack.presentation import campaign_views
from emailtrack.v1 import campaign_pb2, events_pb2, recipient_pb2
from gateway.operator.api import json_body, params
from gateway.operator.api.backend import Backend

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_MESSAGES = 1000
# the recipient service's own bound on recipients per call
MAX_RECIPIENTS = 10_000
MAX_TEXT = 1000
MAX_ADDRESS = params.MAX_EMAIL_LENGTH
MAX_PARTS = 100  # tags, steps, variants of a campaign
MAX_DELAY_HOURS = 24 * 366
MAX_WEIGHT = 1_000_000
ROLES = {
    "to": recipient_pb2.RECIPIENT_ROLE_TO,
    "cc": recipient_pb2.RECIPIENT_ROLE_CC,
    "bcc": recipient_pb2.RECIPIENT_ROLE_BCC,
}
BOUNCE_TYPES = {
    "": events_pb2.BOUNCE_TYPE_UNSPECIFIED,
    "hard": events_pb2.BOUNCE_TYPE_HARD,
    "soft": events_pb2.BOUNCE_TYPE_SOFT,
}
# the body fields of each mark (``emails`` always)
MARK_FIELDS = {
    "sent": ("emails",),
    "delivered": ("emails",),
    "deferred": ("emails", "reason"),
    "failed": ("emails", "reason", "bounce_type"),
}
CAMPAIGN_FIELDS = ("campaign_id", "name", "template_id", "tags", "steps", "variants")
MESSAGE_FIELDS = (
    "message_id",
    "recipients",
    "list_id",
    "sequence_step",
    "variant",
    "mailbox",
    "smtp_message_id",
)


def _campaign_request(tenant_id: str, body: dict[str, Any]) -> campaign_pb2.CreateCampaignRequest:
    json_body.only_fields(body, CAMPAIGN_FIELDS)
    steps = []
    for i, step in enumerate(json_body.objects(body, "steps", MAX_PARTS)):
        where = f"steps[{i}]."
        json_body.only_fields(step, ("step_id", "name", "delay_hours"), where)
        steps.append(
            campaign_pb2.SequenceStep(
                step_id=json_body.string(step, "step_id", MAX_ID_LENGTH, where),
                name=json_body.string(step, "name", MAX_TEXT, where),
                delay_hours=json_body.integer(step, "delay_hours", 0, MAX_DELAY_HOURS, where),
            )
        )
    variants = []
    for i, variant in enumerate(json_body.objects(body, "variants", MAX_PARTS)):
        where = f"variants[{i}]."
        json_body.only_fields(variant, ("variant_id", "name", "weight"), where)
        variants.append(
            campaign_pb2.Variant(
                variant_id=json_body.string(variant, "variant_id", MAX_ID_LENGTH, where),
                name=json_body.string(variant, "name", MAX_TEXT, where),
                weight=json_body.integer(variant, "weight", 0, MAX_WEIGHT, where),
            )
        )
    return campaign_pb2.CreateCampaignRequest(
        tenant_id=tenant_id,
        campaign_id=json_body.string(body, "campaign_id", MAX_ID_LENGTH),
        name=json_body.string(body, "name", MAX_TEXT),
        template_id=json_body.string(body, "template_id", MAX_ID_LENGTH),
        tags=json_body.strings(body, "tags", MAX_PARTS, MAX_ID_LENGTH),
        steps=steps,
        variants=variants,
    )


def _recipient(value: Any, where: str) -> recipient_pb2.MessageRecipient:
    """``"a@x.example"`` (role to) or ``{"email": "a@x.example", "role": "cc"}``."""
    if isinstance(value, str):
        value = {"email": value}
    if not isinstance(value, dict):
        raise params.ParameterError(where, "must be an address or {email, role}")
    json_body.only_fields(value, ("email", "role"), f"{where}.")
    role = json_body.string(value, "role", MAX_TEXT, f"{where}.") or "to"
    if role not in ROLES:
        raise params.ParameterError(f"{where}.role", f"must be one of {', '.join(ROLES)}")
    email = json_body.string(value, "email", MAX_ADDRESS, f"{where}.")
    return recipient_pb2.MessageRecipient(email=email, role=ROLES[role])


def _registrations(
    tenant_id: str, campaign_id: str, body: dict[str, Any]
) -> recipient_pb2.RegisterMessagesRequest:
    json_body.only_fields(body, ("messages",))
    messages = json_body.objects(body, "messages", MAX_MESSAGES)
    if not messages:
        raise params.ParameterError("messages", "must hold at least one message")
    found = []
    total = 0
    for i, message in enumerate(messages):
        where = f"messages[{i}]."
        json_body.only_fields(message, MESSAGE_FIELDS, where)
        recipients = json_body.items(message, "recipients", MAX_RECIPIENTS, where)
        total += len(recipients)
        if total > MAX_RECIPIENTS:
            raise params.ParameterError("messages", f"at most {MAX_RECIPIENTS} recipients in all")
        found.append(
            recipient_pb2.MessageRegistration(
                message_id=json_body.string(message, "message_id", MAX_ID_LENGTH, where),
                campaign_id=campaign_id,
                list_id=json_body.string(message, "list_id", MAX_ID_LENGTH, where),
                recipients=[
                    _recipient(r, f"{where}recipients[{j}]") for j, r in enumerate(recipients)
                ],
                sequence_step=json_body.string(message, "sequence_step", MAX_ID_LENGTH, where),
                variant=json_body.string(message, "variant", MAX_ID_LENGTH, where),
                mailbox=json_body.string(message, "mailbox", MAX_ADDRESS, where),
                smtp_message_id=json_body.string(message, "smtp_message_id", MAX_TEXT, where),
            )
        )
    return recipient_pb2.RegisterMessagesRequest(tenant_id=tenant_id, messages=found)


class WriteApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def create_campaign(self, request: Request, tenant_id: str) -> Response:
        """Creating an existing id again answers the campaign as it is (a retry is safe)."""
        params.only(request.query_params, ())
        body = await json_body.json_object(request, MAX_BODY_BYTES)
        reply = await self.backend.call(
            self.backend.campaigns.CreateCampaign, _campaign_request(tenant_id, body)
        )
        return JSONResponse(campaign_views.campaign(reply.campaign))

    async def delete_campaign(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        campaign_id = params.path_id(request.path_params, "campaign_id")
        reply = await self.backend.call(
            self.backend.campaigns.DeleteCampaign,
            campaign_pb2.DeleteCampaignRequest(tenant_id=tenant_id, campaign_id=campaign_id),
        )
        return JSONResponse(
            {"campaign_id": campaign_id, "messages_deleted": reply.messages_deleted}
        )

    async def register_messages(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        campaign_id = params.path_id(request.path_params, "campaign_id")
        body = await json_body.json_object(request, MAX_BODY_BYTES)
        reply = await self.backend.call(
            self.backend.recipient.RegisterMessages,
            _registrations(tenant_id, campaign_id, body),
        )
        return JSONResponse({"messages": reply.messages, "recipients": reply.recipients})

    def marking(self, state: str) -> TenantHandler:
        """The handler of ``POST /messages/{message_id}/<state>``."""

        async def handler(request: Request, tenant_id: str) -> Response:
            return await self.mark(request, tenant_id, state)

        return handler

    async def mark(self, request: Request, tenant_id: str, state: str) -> Response:
        """One of MARK_FIELDS' states for the given recipients of the message."""
        params.only(request.query_params, ())
        message_id = params.path_id(request.path_params, "message_id")
        body = await json_body.json_object(request, MAX_BODY_BYTES)
        json_body.only_fields(body, MARK_FIELDS[state])
        emails = json_body.strings(body, "emails", MAX_RECIPIENTS, MAX_ADDRESS)
        reason = json_body.string(body, "reason", MAX_TEXT)
        stub = self.backend.recipient
        reply: Any
        if state == "sent":
            sent = recipient_pb2.MarkSentRequest(
                tenant_id=tenant_id, message_id=message_id, emails=emails
            )
            reply = await self.backend.call(stub.MarkSent, sent)
        elif state == "delivered":
            delivered = recipient_pb2.MarkDeliveredRequest(
                tenant_id=tenant_id, message_id=message_id, emails=emails
            )
            reply = await self.backend.call(stub.MarkDelivered, delivered)
        elif state == "deferred":
            deferred = recipient_pb2.MarkDeferredRequest(
                tenant_id=tenant_id, message_id=message_id, emails=emails, reason=reason
            )
            reply = await self.backend.call(stub.MarkDeferred, deferred)
        else:
            bounce = json_body.string(body, "bounce_type", MAX_TEXT)
            if bounce not in BOUNCE_TYPES:
                raise params.ParameterError("bounce_type", "must be hard or soft (or absent)")
            failed = recipient_pb2.MarkFailedRequest(
                tenant_id=tenant_id,
                message_id=message_id,
                emails=emails,
                reason=reason,
                bounce_type=BOUNCE_TYPES[bounce],
            )
            reply = await self.backend.call(stub.MarkFailed, failed)
        return JSONResponse({"message_id": message_id, "status": state, "updated": reply.updated})


def write_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = WriteApi(backend)
    campaign = "/campaigns/{campaign_id}"
    message = "/messages/{message_id}"
    return [
        Route("/campaigns", guarded(api.create_campaign), methods=["POST"]),
        Route(campaign, guarded(api.delete_campaign), methods=["DELETE"]),
        Route(campaign + "/messages", guarded(api.register_messages), methods=["POST"]),
        *(
            Route(f"{message}/{state}", guarded(api.marking(state)), methods=["POST"])
            for state in MARK_FIELDS
        ),
    ]
