"""The server interceptor every service runs: each call (health and reflection excepted)
needs ``authorization: Bearer <key>``; the key's scopes must include the RPC's scope (the
one table in ``rpc_scopes``); the request is bound to the key's tenant; calls are limited
per key; text holding NUL is refused (``request_checks``). Missing/bad key → UNAUTHENTICATED,
wrong scope or tenant → PERMISSION_DENIED, over the limit → RESOURCE_EXHAUSTED with
google.rpc.RetryInfo and ``retry-after``."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2

from emailtrack.common.key_verifiers import KeyVerifier, Principal, VerifierUnavailable
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.request_checks import InvalidText, check_request
from emailtrack.common.rpc_scopes import RPC_SCOPES, Scope, is_open
from emailtrack.common.tenant_binding import TenantMismatch, bind_tenant

MAX_CREDENTIAL_LENGTH = 512
Behaviour = Callable[..., Any]


@dataclass(frozen=True)
class ServerAuth:
    """What a server checks credentials with."""

    verifier: KeyVerifier
    limiter: RateLimiter

    def interceptor(self) -> AuthInterceptor:
        return AuthInterceptor(self.verifier, self.limiter)


def bearer(metadata: Mapping[str, str | bytes]) -> str | None:
    raw = metadata.get("authorization")
    if not isinstance(raw, str) or len(raw) > MAX_CREDENTIAL_LENGTH:
        return None
    scheme, _, credential = raw.partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential else None


def _retry_trailers(wait_s: float) -> tuple[tuple[str, str | bytes], ...]:
    delay = duration_pb2.Duration()
    delay.FromMilliseconds(max(1, math.ceil(wait_s * 1000)))
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    status = status_pb2.Status(
        code=code_pb2.RESOURCE_EXHAUSTED, message="rate limit exceeded", details=[detail]
    )
    return (
        ("grpc-status-details-bin", status.SerializeToString()),
        ("retry-after", str(max(1, math.ceil(wait_s)))),
    )


class AuthInterceptor(grpc.ServerInterceptor):
    """Wraps every handler; the checks run in the call's worker thread (a verification
    that asks the key store never blocks the server's polling thread)."""

    def __init__(
        self,
        verifier: KeyVerifier,
        limiter: RateLimiter,
        scopes: Mapping[str, Scope] = RPC_SCOPES,
    ) -> None:
        self.verifier = verifier
        self.limiter = limiter
        self.scopes = scopes

    def admit(self, context: grpc.ServicerContext, method: str) -> Principal:
        """The caller, or the call is aborted (context.abort raises)."""
        metadata = dict(context.invocation_metadata())
        presented = bearer(metadata)
        if presented is None:
            context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "a credential is required: metadata 'authorization: Bearer <api key>'",
            )
        try:
            principal = self.verifier.verify(presented)
        except VerifierUnavailable:
            context.abort(grpc.StatusCode.UNAVAILABLE, "cannot verify the key now; retry")
        if principal is None:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown or revoked API key")
        required = self.scopes.get(method)
        if required is None:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, f"{method} is not open to keys")
        if required not in principal.scopes:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED, f"this key lacks the '{required}' scope"
            )
        if not principal.service:
            wait_s = self.limiter.acquire(principal.name)
            if wait_s > 0:
                context.set_trailing_metadata(_retry_trailers(wait_s))
                context.abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"rate limit exceeded for key {principal.name}; retry in {wait_s:.2f}s",
                )
        return principal

    @staticmethod
    def bind(request: Message, principal: Principal, context: grpc.ServicerContext) -> None:
        """Binds the request to the caller's tenant and applies ``request_checks``."""
        try:
            bind_tenant(request, principal.tenant_id)
            check_request(request)
        except TenantMismatch as exc:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"this key belongs to another tenant than {exc.requested[:64]!r}",
            )
        except InvalidText as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))

    @staticmethod
    def _checked(
        requests: Iterator[Message], principal: Principal, refused: list[Exception]
    ) -> Iterator[Message]:
        """The stream's messages while they pass; the first that does not ends the stream
        (the servicer would turn an abort raised inside its loop into INTERNAL) and is
        reported by the caller once the servicer returns. Messages before it may have been
        processed (idempotent writes make a retry safe)."""
        for request in requests:
            try:
                bind_tenant(request, principal.tenant_id)
                check_request(request)
            except (TenantMismatch, InvalidText) as exc:
                refused.append(exc)
                return
            yield request

    @classmethod
    def _refuse_late(cls, refused: list[Exception], context: grpc.ServicerContext) -> None:
        if refused:
            exc = refused[0]
            if isinstance(exc, TenantMismatch):
                context.abort(
                    grpc.StatusCode.PERMISSION_DENIED,
                    f"this key belongs to another tenant than {exc.requested[:64]!r}",
                )
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))

    def _unary_in(self, inner: Behaviour, method: str) -> Behaviour:
        def behaviour(request: Message, context: grpc.ServicerContext) -> Any:
            self.bind(request, self.admit(context, method), context)
            return inner(request, context)

        return behaviour

    def _unary_in_stream_out(self, inner: Behaviour, method: str) -> Behaviour:
        def behaviour(request: Message, context: grpc.ServicerContext) -> Iterator[Any]:
            self.bind(request, self.admit(context, method), context)
            yield from inner(request, context)

        return behaviour

    def _stream_in(self, inner: Behaviour, method: str) -> Behaviour:
        def behaviour(requests: Iterator[Message], context: grpc.ServicerContext) -> Any:
            principal = self.admit(context, method)
            refused: list[Exception] = []
            reply = inner(self._checked(requests, principal, refused), context)
            self._refuse_late(refused, context)
            return reply

        return behaviour

    def _stream_in_stream_out(self, inner: Behaviour, method: str) -> Behaviour:
        def behaviour(requests: Iterator[Message], context: grpc.ServicerContext) -> Iterator[Any]:
            principal = self.admit(context, method)
            refused: list[Exception] = []
            yield from inner(self._checked(requests, principal, refused), context)
            self._refuse_late(refused, context)

        return behaviour

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or is_open(method):
            return handler
        kinds = (
            (handler.unary_unary, self._unary_in, grpc.unary_unary_rpc_method_handler),
            (
                handler.unary_stream,
                self._unary_in_stream_out,
                grpc.unary_stream_rpc_method_handler,
            ),
            (handler.stream_unary, self._stream_in, grpc.stream_unary_rpc_method_handler),
            (
                handler.stream_stream,
                self._stream_in_stream_out,
                grpc.stream_stream_rpc_method_handler,
            ),
        )
        for inner, wrap, make in kinds:
            if inner:
                return make(
                    wrap(inner, method), handler.request_deserializer, handler.response_serializer
                )
        return None
