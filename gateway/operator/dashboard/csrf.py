"""CSRF tokens for the dashboard's forms (login, logout): a random token kept in the signed
session and echoed by every form as ``csrf_token``; a POST whose token does not match the
session's is refused (403). The login form gets one too, so a login cannot be forged."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's token (made on first use)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def csrf_valid(request: Request, submitted: str) -> bool:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
