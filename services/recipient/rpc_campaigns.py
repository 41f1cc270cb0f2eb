"""CampaignService servicer (served by the recipient process): campaigns, sending
mailboxes, warmup interactions and usage metering."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from emailtrack.common.rpc import rpc
from emailtrack.v1 import campaign_pb2, campaign_pb2_grpc
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.domain import paging
from services.recipient.domain.addresses import Address, normalise
from services.recipient.domain.campaigns import (
    CampaignStatus,
    Definition,
    Step,
    Variant,
    period_bounds,
    validate,
)
from services.recipient.domain.errors import InvalidArgument
from services.recipient.rpc_support import MAX_BATCH, require_id, tenant_of, timestamp
from services.recipient.store.campaigns import CampaignRow, CampaignStore
from services.recipient.store.mailboxes import Interaction, MailboxRow, MailboxStore
from services.recipient.store.usage import UsageStore

pb = campaign_pb2


def campaign_proto(row: CampaignRow) -> pb.Campaign:
    d = row.definition
    return pb.Campaign(
        tenant_id=row.tenant_id,
        campaign_id=d.campaign_id,
        name=d.name,
        template_id=d.template_id,
        tags=list(d.tags),
        steps=[pb.SequenceStep(**s.__dict__) for s in d.steps],
        variants=[pb.Variant(**v.__dict__) for v in d.variants],
        status=int(row.status),  # type: ignore[arg-type]  # an enum value stored as int
        created_at=timestamp(row.created_at),
        updated_at=timestamp(row.updated_at),
    )


def mailbox_proto(tenant_id: str, row: MailboxRow) -> pb.Mailbox:
    mailbox = pb.Mailbox(
        tenant_id=tenant_id,
        address=row.address,
        domain=row.domain,
        daily_limit=row.daily_limit,
        warmup_enabled=row.warmup_enabled,
        health_score=row.health_score,
        health_band=row.health_band,
        registered_at=timestamp(row.registered_at),
    )
    if row.health_updated_at is not None:
        mailbox.health_updated_at.CopyFrom(timestamp(row.health_updated_at))
    return mailbox


def mailbox_address(tenant_id: str, raw: str) -> Address:
    """Sending mailboxes are ours: compared lower-cased (as registrations name them)."""
    address = normalise(tenant_id, raw)
    return Address(address.email.lower(), address.recipient_id)


def _status(value: int, field: str = "status") -> CampaignStatus:
    try:
        return CampaignStatus(value)
    except ValueError as exc:
        raise InvalidArgument(f"{field} {value} is unknown") from exc


class CampaignServicer(campaign_pb2_grpc.CampaignServiceServicer):
    def __init__(
        self,
        campaigns: CampaignStore,
        mailboxes: MailboxStore,
        usage: UsageStore,
        analytics: AnalyticsClient,
    ) -> None:
        self.campaigns = campaigns
        self.mailboxes = mailboxes
        self.usage = usage
        self.analytics = analytics

    @rpc
    def CreateCampaign(
        self, request: pb.CreateCampaignRequest, context: grpc.ServicerContext
    ) -> pb.CreateCampaignResponse:
        tenant = tenant_of(request)
        definition = validate(
            Definition(
                require_id(request.campaign_id, "campaign_id"),
                request.name,
                request.template_id,
                tuple(request.tags),
                tuple(Step(s.step_id, s.name, s.delay_hours) for s in request.steps),
                tuple(Variant(v.variant_id, v.name, v.weight) for v in request.variants),
            )
        )
        row = self.campaigns.create(tenant, definition)
        return pb.CreateCampaignResponse(campaign=campaign_proto(row))

    @rpc
    def GetCampaign(
        self, request: pb.GetCampaignRequest, context: grpc.ServicerContext
    ) -> pb.GetCampaignResponse:
        tenant = tenant_of(request)
        row = self.campaigns.get(tenant, require_id(request.campaign_id, "campaign_id"))
        return pb.GetCampaignResponse(campaign=campaign_proto(row))

    @rpc
    def FindCampaigns(
        self, request: pb.FindCampaignsRequest, context: grpc.ServicerContext
    ) -> pb.FindCampaignsResponse:
        tenant = tenant_of(request)
        status = _status(request.status) if request.status else None
        size = paging.page_size(request.page_size)
        after = paging.decode_token(request.page_token)
        rows = self.campaigns.find(tenant, status, request.tag, after, size + 1)
        token = (
            paging.encode_token(rows[size - 1].definition.campaign_id) if len(rows) > size else ""
        )
        return pb.FindCampaignsResponse(
            campaigns=[campaign_proto(r) for r in rows[:size]], next_page_token=token
        )

    @rpc
    def UpdateCampaignStatus(
        self, request: pb.UpdateCampaignStatusRequest, context: grpc.ServicerContext
    ) -> pb.UpdateCampaignStatusResponse:
        tenant = tenant_of(request)
        if not request.status:
            raise InvalidArgument("status is required")
        row = self.campaigns.set_status(
            tenant, require_id(request.campaign_id, "campaign_id"), _status(request.status)
        )
        return pb.UpdateCampaignStatusResponse(campaign=campaign_proto(row))

    @rpc
    def DeleteCampaign(
        self, request: pb.DeleteCampaignRequest, context: grpc.ServicerContext
    ) -> pb.DeleteCampaignResponse:
        tenant = tenant_of(request)
        deleted = self.campaigns.delete(tenant, require_id(request.campaign_id, "campaign_id"))
        return pb.DeleteCampaignResponse(messages_deleted=deleted)

    @rpc
    def RegisterMailbox(
        self, request: pb.RegisterMailboxRequest, context: grpc.ServicerContext
    ) -> pb.RegisterMailboxResponse:
        tenant = tenant_of(request)
        if request.daily_limit < 0:
            raise InvalidArgument("daily_limit must not be negative")
        try:
            address = mailbox_address(tenant, request.address)
        except InvalidArgument as exc:
            raise InvalidArgument(f"address: {exc}") from exc
        row = self.mailboxes.register(tenant, address, request.daily_limit, request.warmup_enabled)
        return pb.RegisterMailboxResponse(mailbox=mailbox_proto(tenant, row))

    @rpc
    def ListMailboxes(
        self, request: pb.ListMailboxesRequest, context: grpc.ServicerContext
    ) -> pb.ListMailboxesResponse:
        tenant = tenant_of(request)
        rows = self.mailboxes.list(tenant, request.domain)
        return pb.ListMailboxesResponse(mailboxes=[mailbox_proto(tenant, r) for r in rows])

    @rpc
    def RecordWarmupInteractions(
        self, request: pb.RecordWarmupInteractionsRequest, context: grpc.ServicerContext
    ) -> pb.RecordWarmupInteractionsResponse:
        tenant = tenant_of(request)
        if not request.interactions:
            raise InvalidArgument("interactions must not be empty")
        if len(request.interactions) > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} interactions per call")
        interactions = []
        for i, item in enumerate(request.interactions):
            where = f"interactions[{i}]"
            if item.kind not in (pb.WARMUP_KIND_SENT, pb.WARMUP_KIND_OPEN, pb.WARMUP_KIND_REPLY):
                raise InvalidArgument(f"{where}.kind is required")
            try:
                mailbox = mailbox_address(tenant, item.mailbox).email
                partner = normalise(tenant, item.partner_address)
            except InvalidArgument as exc:
                raise InvalidArgument(f"{where}: {exc}") from exc
            at = (
                item.occurred_at.ToDatetime(tzinfo=UTC)
                if item.HasField("occurred_at")
                else datetime.now(UTC)
            )
            interactions.append(
                Interaction(
                    require_id(item.interaction_id, f"{where}.interaction_id"),
                    mailbox,
                    partner,
                    int(item.kind),
                    at,
                )
            )
        recorded = self.mailboxes.record_warmup(tenant, interactions)
        return pb.RecordWarmupInteractionsResponse(recorded=recorded)

    @rpc
    def GetUsage(
        self, request: pb.GetUsageRequest, context: grpc.ServicerContext
    ) -> pb.GetUsageResponse:
        tenant = tenant_of(request)
        period, start, end = period_bounds(request.period, datetime.now(UTC))
        figures = self.usage.figures(tenant, period)
        tracked = self.analytics.tracked_events(tenant, start, end)
        usage = pb.Usage(
            tenant_id=tenant,
            period=period,
            period_start=timestamp(start),
            period_end=timestamp(end),
            tracked_events=tracked,
            **figures.__dict__,
        )
        return pb.GetUsageResponse(usage=usage)
