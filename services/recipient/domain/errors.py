"""Domain errors of the recipient service: the shared ones (mapped to gRPC status codes by
``emailtrack.common.rpc``) plus a forbidden state change."""

from __future__ import annotations

from emailtrack.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

__all__ = ["AlreadyExists", "InvalidArgument", "InvalidTransition", "NotFound"]


class InvalidTransition(FailedPrecondition):
    """A state change that the rules forbid (FAILED_PRECONDITION)."""
