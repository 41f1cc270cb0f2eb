"""Finding "base64 page_token with NUL bytes → INTERNAL; analytics accepts page_size -5":
every service checks page tokens, page sizes and ids with the one shared rule set
(emailtrack.common.request_fields) and answers INVALID_ARGUMENT with a message. Real
servicers on in-process gRPC servers over freshly migrated PostgreSQL databases."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import grpc
import pytest

from emailtrack.v1 import analytics_pb2, campaign_pb2, recipient_pb2
from tests.security.real_services import Stubs, serve_real_services

pytestmark = pytest.mark.integration
NUL_TOKEN = base64.urlsafe_b64encode(b"r_\x00abc").decode().rstrip("=")
NUL_CAMPAIGN_TOKEN = base64.urlsafe_b64encode(b"c:spring\x002026").decode().rstrip("=")


@pytest.fixture(scope="module")
def stubs(postgres_url: str) -> Iterator[Stubs]:
    yield from serve_real_services(postgres_url)


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
