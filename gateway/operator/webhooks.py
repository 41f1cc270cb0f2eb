"""ESP webhook endpoint: POST /webhooks/{provider}/{tenant} forwards the raw request to
BounceService.HandleEspWebhook (in a worker thread, so the event loop never blocks) and maps
its status: OK 200 (``dead_lettered`` counts events set aside alone), UNAUTHENTICATED 401
(forged, stale or replayed), INVALID_ARGUMENT 400, unavailable/unconfigured 503
(ESPs retry). HEAD answers 200 (Mandrill checks the URL exists before saving a webhook)."""

from __future__ import annotations

from typing import cast

import grpc
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.common import metrics
from emailtrack.common.config import GrpcTls
from emailtrack.common.grpc_server import client_channel
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc
from gateway.bodies import bounded_body
from gateway.operator.api.backend import HTTP_STATUS

MAX_BODY_BYTES = 5 * 1024 * 1024
# URL name -> EspProvider, derived from the proto enum (ESP_PROVIDER_SENDGRID -> "sendgrid")
PROVIDERS = {
    name.removeprefix("ESP_PROVIDER_").lower(): cast(bounce_pb2.EspProvider, value)
    for name, value in bounce_pb2.EspProvider.items()
    if value != bounce_pb2.ESP_PROVIDER_UNSPECIFIED
}
# the operator API's table, except that an unconfigured provider is 503: the ESP retries
STATUS = {**HTTP_STATUS, grpc.StatusCode.FAILED_PRECONDITION: 503}


class WebhookForwarder:
    """Holds the BounceService stub; the channel is created lazily, once."""

    def __init__(
        self,
        bounce_address: str,
        public_base_url: str,
        service_key: str = "",
        tls: GrpcTls | None = None,
    ) -> None:
        self.bounce_address = bounce_address
        self.service_key = service_key  # the gateway's credential on the call to bounce
        self.tls = tls
        self.public_base_url = public_base_url.rstrip("/")
        self._stub: bounce_pb2_grpc.BounceServiceStub | None = None

    @property
    def stub(self) -> bounce_pb2_grpc.BounceServiceStub:
        if self._stub is None:
            channel = client_channel(
                self.bounce_address, api_key=self.service_key or None, tls=self.tls
            )
            self._stub = bounce_pb2_grpc.BounceServiceStub(channel)
        return self._stub

    def _public_url(self, request: Request) -> str:
        """The URL the ESP posted to, as configured there (Mandrill signs it)."""
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{self.public_base_url}{request.url.path}{query}"

    async def endpoint(self, request: Request) -> Response:
        provider = PROVIDERS.get(request.path_params["provider"])
        if provider is None:
            return _reply(404, {"error": "unknown webhook provider"})
        if request.method == "HEAD":
            return Response(status_code=200)
        body = await bounded_body(request, MAX_BODY_BYTES)
        if body is None:
            return _reply(413, {"error": f"body larger than {MAX_BODY_BYTES} bytes"})
        call = bounce_pb2.HandleEspWebhookRequest(
            provider=provider,
            tenant_id=request.path_params["tenant"],
            headers=dict(request.headers),
            body=body,
            url=self._public_url(request),
        )
        try:
            reply = await run_in_threadpool(self.stub.HandleEspWebhook, call)
        except grpc.RpcError as exc:
            code = exc.code()
            status = STATUS.get(code, 502)
            # 400 and 401 say why (bad field; forged, stale or replayed): no secret in either.
            message = exc.details() if status in (400, 401) else code.name.lower()
            return _reply(status, {"error": message})
        counts = {"accepted": reply.accepted, "duplicates": reply.duplicates}
        if reply.dead_lettered:
            counts["dead_lettered"] = reply.dead_lettered
        return _reply(200, counts)


def _reply(status: int, payload: dict[str, object]) -> JSONResponse:
    metrics.HTTP_REQUESTS.labels("webhook", str(status)).inc()
    return JSONResponse(payload, status_code=status)


def webhook_routes(forwarder: WebhookForwarder) -> list[Route]:
    """The webhook route, forwarding to the given BounceService client."""
    return [Route("/webhooks/{provider}/{tenant}", forwarder.endpoint, methods=["POST", "HEAD"])]
