"""The errors a service's rules raise for a caller's request, one per gRPC status it maps to
(``emailtrack.common.rpc`` holds the mapping). Plain exceptions: domain code raises them
without knowing about gRPC. A service subclasses them for its own names."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors ``@rpc`` answers with their own status and message."""


class InvalidArgument(ServiceError, ValueError):
    """Bad input from the caller (INVALID_ARGUMENT)."""


class NotFound(ServiceError, LookupError):
    """The named tenant-scoped object does not exist (NOT_FOUND)."""


class AlreadyExists(ServiceError):
    """The id is taken for good (ALREADY_EXISTS)."""


class FailedPrecondition(ServiceError):
    """The request is valid but the current state forbids it (FAILED_PRECONDITION)."""


class ResourceExhausted(ServiceError):
    """A per-tenant limit is reached (RESOURCE_EXHAUSTED)."""


class Unauthenticated(ServiceError):
    """The request's credentials or signature do not check out (UNAUTHENTICATED)."""


class Unavailable(ServiceError):
    """A dependency could not answer; the caller may retry (UNAVAILABLE)."""


class Unimplemented(ServiceError):
    """The feature is not enabled in this deployment (UNIMPLEMENTED)."""
