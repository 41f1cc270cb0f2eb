"""emailtrack's Python SDK: typed sync and asyncio clients over the gRPC API (API-key auth,
deadlines, retries on UNAVAILABLE and RESOURCE_EXHAUSTED, batching). Needs only grpcio and
protobuf; see docs/sdk.md."""

from emailtrack.client.async_client import AsyncEmailtrackClient
from emailtrack.client.options import ClientOptions, Endpoints, RetryPolicy
from emailtrack.client.requests import instrument_mime_request, message_to_instrument, registration
from emailtrack.client.sync_client import EmailtrackClient

__all__ = [
    "AsyncEmailtrackClient",
    "ClientOptions",
    "EmailtrackClient",
    "Endpoints",
    "RetryPolicy",
    "instrument_mime_request",
    "message_to_instrument",
    "registration",
]
