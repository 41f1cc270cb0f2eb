"""The one error mapping (``@rpc``) on a real in-process server: service errors answer with
their status and message, anything unexpected with INTERNAL and no detail, streams keep what
they sent before failing, and a method's own ``context.abort`` passes through."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from emailtrack.common.errors import InvalidArgument, NotFound
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.rpc import rpc
from emailtrack.v1 import analytics_pb2 as pb
from emailtrack.v1 import analytics_pb2_grpc
from tests.grpc_credentials import TEST_AUTH, keyed_channel


class Failing(analytics_pb2_grpc.AnalyticsServiceServicer):
    @rpc
    def GetCampaignStats(
        self, request: pb.GetCampaignStatsRequest, context: grpc.ServicerContext
    ) -> pb.GetCampaignStatsResponse:
        raise NotFound(f"no campaign {request.campaign_id}")

    @rpc
    def GetTopLinks(
        self, request: pb.GetTopLinksRequest, context: grpc.ServicerContext
    ) -> pb.GetTopLinksResponse:
        raise RuntimeError("secret internals")

    @rpc
    def GetBreakdown(
        self, request: pb.GetBreakdownRequest, context: grpc.ServicerContext
    ) -> pb.GetBreakdownResponse:
        context.abort(grpc.StatusCode.PERMISSION_DENIED, "not yours")

    @rpc
    def WatchCampaign(
        self, request: pb.WatchCampaignRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.WatchCampaignResponse]:
        yield pb.WatchCampaignResponse()
        raise InvalidArgument("campaign_id went bad")


@pytest.fixture(scope="module")
def stub() -> Iterator[analytics_pb2_grpc.AnalyticsServiceStub]:
    registration = ServiceRegistration(
        Failing(),
        analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
        "emailtrack.v1.AnalyticsService",
    )
    server = start_server([registration], port=0, host="127.0.0.1", auth=TEST_AUTH)
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    yield analytics_pb2_grpc.AnalyticsServiceStub(channel)
    channel.close()
    server.stop(0)


def _error(call: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()  # type: ignore[operator]  # a zero-argument callable
    return raised.value


def test_service_error_keeps_its_status_and_message(
    stub: analytics_pb2_grpc.AnalyticsServiceStub,
) -> None:
    request = pb.GetCampaignStatsRequest(tenant_id="acme", campaign_id="c9")
    error = _error(lambda: stub.GetCampaignStats(request))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert error.details() == "no campaign c9"


def test_unexpected_failure_is_internal_without_details(
    stub: analytics_pb2_grpc.AnalyticsServiceStub,
) -> None:
    error = _error(lambda: stub.GetTopLinks(pb.GetTopLinksRequest(tenant_id="acme")))
    assert error.code() == grpc.StatusCode.INTERNAL
    assert error.details() == "GetTopLinks failed unexpectedly"


def test_a_methods_own_abort_passes_through(stub: analytics_pb2_grpc.AnalyticsServiceStub) -> None:
    error = _error(lambda: stub.GetBreakdown(pb.GetBreakdownRequest(tenant_id="acme")))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error.details() == "not yours"


def test_stream_keeps_what_it_sent_then_reports_the_error(
    stub: analytics_pb2_grpc.AnalyticsServiceStub,
) -> None:
    replies = stub.WatchCampaign(pb.WatchCampaignRequest(tenant_id="acme", campaign_id="c1"))
    next(replies)
    error = _error(lambda: next(replies))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "campaign_id went bad"
