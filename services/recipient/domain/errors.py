"""Domain errors, mapped to gRPC status codes by the servicer."""

from __future__ import annotations


class InvalidArgument(ValueError):
    """Bad input from the caller (INVALID_ARGUMENT)."""


class NotFound(LookupError):
    """The named tenant-scoped object does not exist (NOT_FOUND)."""


class InvalidTransition(Exception):
    """A state change that the rules forbid (FAILED_PRECONDITION)."""


class AlreadyExists(Exception):
    """The id is taken for good (ALREADY_EXISTS), e.g. by a deleted campaign."""
