"""The one mapping from service errors to gRPC status codes: ``@rpc`` on a servicer method
answers an ``emailtrack.common.errors`` error with its status and message, and anything
unexpected with INTERNAL (logged here, never a traceback to the caller). Streaming methods
(generators) are covered while they yield."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

import grpc

from emailtrack.common import errors

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[errors.ServiceError], grpc.StatusCode], ...] = (
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.Unimplemented, grpc.StatusCode.UNIMPLEMENTED),
)

Method = TypeVar("Method", bound=Callable[..., Any])


def _abort(name: str, exc: Exception, context: grpc.ServicerContext) -> NoReturn:
    if context.code() not in (None, grpc.StatusCode.OK):  # type: ignore[attr-defined]  # in grpcio since 1.38, not in the stubs
        raise exc  # the method called context.abort itself: let grpc finish it
    for error, code in STATUS_OF:
        if isinstance(exc, error):
            context.abort(code, str(exc))
    log.exception("%s failed", name)
    context.abort(grpc.StatusCode.INTERNAL, f"{name} failed unexpectedly")


def rpc(method: Method) -> Method:
    """Maps the errors ``method`` raises to status codes (see ``STATUS_OF``)."""
    name = method.__name__
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def streaming(self: object, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from method(self, request, context)
            except Exception as exc:
                _abort(name, exc, context)

        return streaming  # type: ignore[return-value]  # same signature as ``method``

    @functools.wraps(method)
    def unary(self: object, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as exc:
            _abort(name, exc, context)

    return unary  # type: ignore[return-value]  # same signature as ``method``
