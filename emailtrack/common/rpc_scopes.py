"""The one table of which scope each RPC needs. Every RPC of every service is listed (a test
walks the generated descriptors); an RPC missing here is refused, so a new RPC cannot be
left open by forgetting it. Health and reflection are the only open services."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """``send``: instrument, register, report delivery; ``read``: analytics, campaign and
    recipient reads, exports; ``admin``: suppress, erase, keys, settings; ``internal``: calls
    only the services themselves make (held by service keys, never by API keys)."""

    SEND = "send"
    READ = "read"
    ADMIN = "admin"
    INTERNAL = "internal"


OPEN_SERVICES = (
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)

_BY_SERVICE: dict[str, dict[str, Scope]] = {
    "emailtrack.v1.TrackingEdgeService": {
        "InstrumentMessage": Scope.SEND,
        "InstrumentMessages": Scope.SEND,
        "InstrumentMessageStream": Scope.SEND,
        "InstrumentMime": Scope.SEND,
        "InstrumentMimeStream": Scope.SEND,
        "InstrumentMimeBatch": Scope.SEND,
        "VerifyToken": Scope.READ,
        "RegisterTrackingDomain": Scope.ADMIN,
        "VerifyTrackingDomain": Scope.ADMIN,
        "ListTrackingDomains": Scope.READ,
        "RemoveTrackingDomain": Scope.ADMIN,
        "LookupTrackingDomain": Scope.INTERNAL,
    },
    "emailtrack.v1.RecipientService": {
        "UpsertRecipients": Scope.SEND,
        "GetRecipient": Scope.READ,
        "ListRecipients": Scope.READ,
        "CreateList": Scope.SEND,
        "ListLists": Scope.READ,
        "AddListMembers": Scope.SEND,
        "RemoveListMembers": Scope.SEND,
        "ListListMembers": Scope.READ,
        "RegisterMessages": Scope.SEND,
        "RegisterMessageStream": Scope.SEND,
        "MarkSent": Scope.SEND,
        "MarkSentBatch": Scope.SEND,
        "MarkDelivered": Scope.SEND,
        "MarkDeferred": Scope.SEND,
        "MarkFailed": Scope.SEND,
        "CheckSendable": Scope.SEND,
        "Suppress": Scope.ADMIN,
        "Unsuppress": Scope.ADMIN,
        "ListSuppressionAudit": Scope.READ,
        "Unsubscribe": Scope.ADMIN,
        "SetTrackingOptOut": Scope.ADMIN,
        "ExportRecipientData": Scope.READ,
        "EraseRecipient": Scope.ADMIN,
        "GetEngagementSummary": Scope.READ,
        "LookupMessages": Scope.INTERNAL,
        "ListCampaignMessages": Scope.READ,
    },
    "emailtrack.v1.CampaignService": {
        "CreateCampaign": Scope.SEND,
        "GetCampaign": Scope.READ,
        "FindCampaigns": Scope.READ,
        "UpdateCampaignStatus": Scope.SEND,
        "DeleteCampaign": Scope.ADMIN,
        "RegisterMailbox": Scope.ADMIN,
        "ListMailboxes": Scope.READ,
        "RecordWarmupInteractions": Scope.SEND,
        "GetUsage": Scope.READ,
    },
    "emailtrack.v1.AnalyticsService": {
        "GetCampaignStats": Scope.READ,
        "GetTimeline": Scope.READ,
        "GetTopLinks": Scope.READ,
        "GetBreakdown": Scope.READ,
        "GetRecipientEngagement": Scope.READ,
        "ListCampaigns": Scope.READ,
        "WatchCampaign": Scope.READ,
        "WatchCampaignList": Scope.READ,
        "ExportRecipientEvents": Scope.READ,
        "GetSegmentStats": Scope.READ,
        "GetVariantComparison": Scope.READ,
        "ListMailboxStats": Scope.READ,
        "GetWarmupStats": Scope.READ,
        "GetTrackedUsage": Scope.READ,
        "GetFilterSettings": Scope.READ,
        "UpdateFilterSettings": Scope.ADMIN,
        "GetMessageEngagement": Scope.READ,
        "GetTenantSummary": Scope.READ,
    },
    "emailtrack.v1.BounceService": {
        "ClassifySmtpReply": Scope.SEND,
        "ParseBounceMessage": Scope.SEND,
        "IngestInboundMessages": Scope.SEND,
        "HandleEspWebhook": Scope.INTERNAL,
    },
    "emailtrack.v1.WebhookService": {
        "CreateEndpoint": Scope.ADMIN,
        "ListEndpoints": Scope.READ,
        "UpdateEndpoint": Scope.ADMIN,
        "DeleteEndpoint": Scope.ADMIN,
        "RotateEndpointSecret": Scope.ADMIN,
        "ListDeliveries": Scope.READ,
        "ReplayDeliveries": Scope.ADMIN,
    },
    "emailtrack.v1.ApiKeyService": {
        "CreateApiKey": Scope.ADMIN,
        "ListApiKeys": Scope.ADMIN,
        "RevokeApiKey": Scope.ADMIN,
        "RotateApiKey": Scope.ADMIN,
        "VerifyApiKey": Scope.INTERNAL,
    },
}

RPC_SCOPES: dict[str, Scope] = {
    f"/{service}/{method}": scope
    for service, methods in _BY_SERVICE.items()
    for method, scope in methods.items()
}


def is_open(method: str) -> bool:
    """Health checks and reflection need no credential."""
    return any(method.startswith(f"/{service}/") for service in OPEN_SERVICES)
