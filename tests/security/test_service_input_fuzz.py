"""Fuzzing the request fields every listing and lookup takes from callers (ids, page tokens,
page sizes) against the real recipient, campaign and analytics servicers: any text, any
int32, base64 of any bytes — the answer is a result or a clear refusal, never INTERNAL or
UNKNOWN (the NUL page token used to be INTERNAL)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emailtrack.v1 import analytics_pb2, campaign_pb2, recipient_pb2
from tests.security.real_services import Stubs, serve_real_services

pytestmark = pytest.mark.integration
CLEAR_REFUSALS = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
}
# protobuf strings are UTF-8: lone surrogates cannot even be sent
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
tokens = st.one_of(
    texts,
    st.binary(max_size=200).map(lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")),
    st.binary(max_size=200).map(lambda raw: base64.urlsafe_b64encode(b"c:" + raw).decode()),
)
sizes = st.integers(min_value=-(2**31), max_value=2**31 - 1)


@pytest.fixture(scope="module")
def stubs(postgres_url: str) -> Iterator[Stubs]:
    yield from serve_real_services(postgres_url)


def answered(call: Callable[[object], object], request: object) -> None:
    try:
        call(request)
    except grpc.RpcError as exc:
        code = exc.code()
        assert code in CLEAR_REFUSALS, (code, exc.details(), request)


@settings(max_examples=80, deadline=None)
@given(tenant=texts, page_token=tokens, page_size=sizes, campaign=texts)
def test_listings_and_lookups_never_fail_internally(
    stubs: Stubs, tenant: str, page_token: str, page_size: int, campaign: str
) -> None:
    for call, request in (
        (stubs.recipient.ListRecipients, recipient_pb2.ListRecipientsRequest()),
        (stubs.recipient.ListLists, recipient_pb2.ListListsRequest()),
        (stubs.campaign.FindCampaigns, campaign_pb2.FindCampaignsRequest()),
        (stubs.analytics.ListCampaigns, analytics_pb2.ListCampaignsRequest()),
    ):
        request.tenant_id, request.page_token, request.page_size = tenant, page_token, page_size
        answered(call, request)
    for call, lookup in (
        (stubs.analytics.GetCampaignStats, analytics_pb2.GetCampaignStatsRequest()),
        (stubs.campaign.GetCampaign, campaign_pb2.GetCampaignRequest()),
    ):
        lookup.tenant_id, lookup.campaign_id = tenant, campaign
        answered(call, lookup)
