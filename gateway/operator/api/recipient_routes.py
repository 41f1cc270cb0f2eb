"""JSON API operation listing and searching the tenant's recipients (``GET /recipients``):
by address prefix or substring (case-insensitive), status and list, paged; answered by the
recipient service's ListRecipients. With its OpenAPI path and schema; mounted under
``/api/v1``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.common.request_fields import MAX_ID_LENGTH
from emailtrack.presentation import views
from emailtrack.v1 import recipient_pb2
from gateway.operator.api import params
from gateway.operator.api.backend import Backend

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# the service's limit on a search text (its id rule)
MAX_SEARCH_LENGTH = MAX_ID_LENGTH
STATUSES = {"": recipient_pb2.RECIPIENT_STATUS_UNSPECIFIED} | {
    name: status for status, name in views.RECIPIENT_STATUSES.items()
}
QUERY = ("prefix", "contains", "status", "list_id", "page_size", "page_token")


def search_text(query: Any, name: str) -> str:
    """The stripped search text in query parameter ``name`` ("" when absent), refused past the
    recipient service's bound."""
    value = params.text(name, query.get(name, "").strip())
    if len(value) > MAX_SEARCH_LENGTH:
        raise params.ParameterError(name, f"must be at most {MAX_SEARCH_LENGTH} characters")
    return value


class RecipientListApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def recipients(self, request: Request, tenant_id: str) -> Response:
        query = request.query_params
        params.only(query, QUERY)
        list_id = query.get("list_id", "")
        reply = await self.backend.call(
            self.backend.recipient.ListRecipients,
            recipient_pb2.ListRecipientsRequest(
                tenant_id=tenant_id,
                email_prefix=search_text(query, "prefix"),
                email_contains=search_text(query, "contains"),
                status=params.choice(query, "status", STATUSES, ""),
                list_id=params.identifier("list_id", list_id) if list_id else "",
                page_size=params.integer(query, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
                page_token=params.token(query, "page_token"),
            ),
        )
        return JSONResponse(
            {
                "recipients": [views.recipient(r) for r in reply.recipients],
                "next_page_token": reply.next_page_token or None,
            }
        )


def recipient_list_routes(backend: Backend, guarded: Guard) -> list[Route]:
    return [Route("/recipients", guarded(RecipientListApi(backend).recipients))]


def schemas() -> dict[str, Any]:
    recipient = {"$ref": "#/components/schemas/Recipient"}
    return {
        "RecipientList": {
            "type": "object",
            "properties": {
                "recipients": {"type": "array", "items": recipient},
                "next_page_token": {"type": ["string", "null"]},
            },
            "required": ["recipients", "next_page_token"],
        }
    }


def paths(operation: Any, reply: Any, query: Any) -> dict[str, Any]:
    """The path, built with ``gateway.operator.api.openapi``'s helpers."""
    text = {"type": "string", "maxLength": MAX_SEARCH_LENGTH, "pattern": "^[^\\x00-\\x1f\\x7f]*$"}
    list_id = {**text, "minLength": 0}
    return {
        "/recipients": {
            "get": operation(
                "Recipients of the tenant (ordered by recipient id), searched by address and "
                "filtered by status or list; paged",
                reply("RecipientList"),
                [
                    query("prefix", text, "Addresses starting with this (case-insensitive)"),
                    query("contains", text, "Addresses containing this (case-insensitive)"),
                    query("status", {"enum": list(STATUSES)}, "Only this status"),
                    query("list_id", list_id, "Only members of this list"),
                    query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        f"Page size ({DEFAULT_PAGE_SIZE})",
                    ),
                    query("page_token", {"type": "string"}, "next_page_token of the last page"),
                ],
            )
        }
    }
