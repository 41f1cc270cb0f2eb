"""Finding "base64 page_token with NUL bytes → INTERNAL; analytics accepts page_size -5":
every service checks page tokens, page sizes and ids with the one shared rule set
(emailtrack.common.request_checks) and answers INVALID_ARGUMENT with a message. Real
servicers on in-process gRPC servers over freshly migrated PostgreSQL databases."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from sqlalchemy.engine import make_url

from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.grpc_server import ServiceRegistration, client_channel, start_server
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    campaign_pb2,
    campaign_pb2_grpc,
    recipient_pb2,
    recipient_pb2_grpc,
)
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.rows import Database
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.server import RecipientServicer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
NUL_TOKEN = base64.urlsafe_b64encode(b"r_\x00abc").decode().rstrip("=")
NUL_CAMPAIGN_TOKEN = base64.urlsafe_b64encode(b"c:spring\x002026").decode().rstrip("=")


@dataclass
class Stubs:
    recipient: recipient_pb2_grpc.RecipientServiceStub
    campaign: campaign_pb2_grpc.CampaignServiceStub
    analytics: analytics_pb2_grpc.AnalyticsServiceStub


@pytest.fixture(scope="module")
def stubs(postgres_url: str) -> Iterator[Stubs]:
    """The recipient (with campaigns) and analytics servicers, each on a fresh database."""
    urls = {}
    for service in ("recipient", "analytics"):
        url = str(make_url(postgres_url).set(database=f"sec_{service}_{uuid.uuid4().hex[:8]}"))
        ensure_database(url)
        migrate(url, ROOT / "services" / service / "migrations")
        urls[service] = url
    analytics_engine = make_engine(urls["analytics"])
    analytics = start_server(
        [
            ServiceRegistration(
                AnalyticsServicer(AnalyticsStore(analytics_engine, retention_days=30)),
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
    )
    analytics_address = f"127.0.0.1:{analytics.port}"
    analytics_channel = client_channel(analytics_address, deadline_s=5)
    client = AnalyticsClient(analytics_channel, analytics_address)
    engine = make_engine(urls["recipient"])
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    recipient = start_server(
        [
            ServiceRegistration(
                RecipientServicer(
                    parts.recipients, parts.messages, parts.suppression, parts.privacy, client
                ),
                recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
                "emailtrack.v1.RecipientService",
            ),
            ServiceRegistration(
                CampaignServicer(parts.campaigns, parts.mailboxes, parts.usage, client),
                campaign_pb2_grpc.add_CampaignServiceServicer_to_server,
                "emailtrack.v1.CampaignService",
            ),
        ],
        0,
        "127.0.0.1",
    )
    channel = client_channel(f"127.0.0.1:{recipient.port}", deadline_s=5)
    yield Stubs(
        recipient_pb2_grpc.RecipientServiceStub(channel),
        campaign_pb2_grpc.CampaignServiceStub(channel),
        analytics_pb2_grpc.AnalyticsServiceStub(analytics_channel),
    )
    channel.close()
    analytics_channel.close()
    recipient.stop(0)
    analytics.stop(0)
    engine.dispose()
    analytics_engine.dispose()


def invalid_argument(call: object, request: object) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call(request)  # type: ignore[operator]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    return caught.value.details() or ""


def test_page_tokens_with_nul_bytes_are_invalid_arguments(stubs: Stubs) -> None:
    details = invalid_argument(
        stubs.recipient.ListRecipients,
        recipient_pb2.ListRecipientsRequest(tenant_id="demo", page_token=NUL_TOKEN),
    )
    assert "page_token" in details
    invalid_argument(
        stubs.recipient.ListLists,
        recipient_pb2.ListListsRequest(tenant_id="demo", page_token=NUL_TOKEN),
    )
    invalid_argument(
        stubs.campaign.FindCampaigns,
        campaign_pb2.FindCampaignsRequest(tenant_id="demo", page_token=NUL_TOKEN),
    )
    invalid_argument(
        stubs.analytics.ListCampaigns,
        analytics_pb2.ListCampaignsRequest(tenant_id="demo", page_token=NUL_CAMPAIGN_TOKEN),
    )


def test_negative_page_sizes_are_invalid_arguments_in_every_service(stubs: Stubs) -> None:
    details = invalid_argument(
        stubs.analytics.ListCampaigns,
        analytics_pb2.ListCampaignsRequest(tenant_id="demo", page_size=-5),
    )
    assert "page_size" in details
    invalid_argument(
        stubs.recipient.ListRecipients,
        recipient_pb2.ListRecipientsRequest(tenant_id="demo", page_size=-5),
    )
    invalid_argument(
        stubs.campaign.FindCampaigns,
        campaign_pb2.FindCampaignsRequest(tenant_id="demo", page_size=-5),
    )


@pytest.mark.parametrize("bad_id", ["spring\x002026", "a" * 257, "tab\tbed"])
def test_ids_with_control_characters_or_too_long_are_invalid_arguments(
    stubs: Stubs, bad_id: str
) -> None:
    invalid_argument(
        stubs.analytics.GetCampaignStats,
        analytics_pb2.GetCampaignStatsRequest(tenant_id="demo", campaign_id=bad_id),
    )
    invalid_argument(
        stubs.campaign.GetCampaign,
        campaign_pb2.GetCampaignRequest(tenant_id="demo", campaign_id=bad_id),
    )
    invalid_argument(
        stubs.recipient.ListRecipients,
        recipient_pb2.ListRecipientsRequest(tenant_id=bad_id),
    )


def test_ids_with_slashes_and_any_script_are_accepted(stubs: Stubs) -> None:
    reply = stubs.analytics.GetCampaignStats(
        analytics_pb2.GetCampaignStatsRequest(tenant_id="demo", campaign_id="spring/2026 ü")
    )
    assert reply.stats.campaign_id == "spring/2026 ü"
