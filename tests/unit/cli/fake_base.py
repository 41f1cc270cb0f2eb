"""What every fake service shares: the one tenant they know and its guard."""

from __future__ import annotations

import grpc

TENANT = "acme"


def refuse_other_tenants(request: object, context: grpc.ServicerContext) -> None:
    tenant = getattr(request, "tenant_id", "")
    if not tenant:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "tenant_id required")
    if tenant != TENANT:
        context.abort(grpc.StatusCode.NOT_FOUND, f"nothing for tenant {tenant}")
