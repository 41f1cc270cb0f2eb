"""The Python SDK against the running platform: the sync client registers, instruments (HTML
and MIME), reports deliveries and reads the counted statistics; the asyncio client does the
same work through its own channels."""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from collections.abc import Callable

import pytest

from emailtrack.client import (
    AsyncEmailtrackClient,
    ClientOptions,
    EmailtrackClient,
    Endpoints,
    registration,
)
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import analytics_pb2, events_pb2

pytestmark = pytest.mark.e2e
HTML = '<html><body><a href="https://shop.example/">Shop</a></body></html>'


def options(platform: Platform) -> ClientOptions:
    ports = platform.ports
    return ClientOptions(
        endpoints=Endpoints(
            tracking_edge=f"127.0.0.1:{ports['tracking-edge']}",
            recipient=f"127.0.0.1:{ports['recipient']}",
            analytics=f"127.0.0.1:{ports['analytics']}",
        ),
        api_key=platform.admin_key,
    )


def wait_for_stats(
    client: EmailtrackClient,
    tenant: str,
    campaign: str,
    ready: Callable[[analytics_pb2.CampaignStats], bool],
) -> analytics_pb2.CampaignStats:
    deadline = time.monotonic() + 90  # the analytics consumer lags on a loaded machine
    while True:
        stats = client.campaign_stats(tenant, campaign)
        if ready(stats):
            return stats
        assert time.monotonic() < deadline, f"not counted in time: {stats}"
        time.sleep(0.2)


def test_sync_client_send_flow_is_counted(platform: Platform) -> None:
    tenant, campaign = f"sdk-{uuid.uuid4().hex[:6]}", "launch"
    people = [f"p{n}@example.org" for n in range(5)]
    with EmailtrackClient(options(platform)) as client:
        registered = client.register_messages(
            tenant, (registration(f"m-{n}", campaign, [p]) for n, p in enumerate(people)), 2
        )
        assert (registered.messages, registered.recipients) == (5, 5)
        pixels = []
        for n, person in enumerate(people):
            done = client.instrument_html(
                tenant_id=tenant,
                campaign_id=campaign,
                message_id=f"m-{n}",
                recipient_email=person,
                html=HTML,
            )
            pixels.append(done.pixel_url)
            assert client.mark_sent(tenant, f"m-{n}", [person]) == 1
        mime = client.instrument_mime(
            b"Subject: hi\r\n\r\nhttps://shop.example/\r\n",
            tenant_id=tenant,
            campaign_id=campaign,
            message_id="m-0",
            recipient_id="r-0",
        )
        assert mime.instrumented_parts == 1
        assert client.mark_delivered(tenant, "m-0", [people[0]]) == 1
        assert (
            client.mark_failed(
                tenant, "m-1", [people[1]], "550 5.1.1 no such user", events_pb2.BOUNCE_TYPE_HARD
            )
            == 1
        )
        verdicts = client.check_sendable(tenant, [people[1], people[2]])
        assert [v.sendable for v in verdicts] == [False, True]
        urllib.request.urlopen(pixels[2], timeout=10).read()
        stats = wait_for_stats(
            client,
            tenant,
            campaign,
            lambda s: s.sent == 5 and s.hard_bounced == 1 and s.opens.total.total == 1,
        )
        assert stats.delivered == 1


def test_async_client_send_flow_is_counted(platform: Platform) -> None:
    tenant, campaign = f"sdk-{uuid.uuid4().hex[:6]}", "async"
    people = [f"a{n}@example.org" for n in range(3)]

    async def send() -> None:
        async with AsyncEmailtrackClient(options(platform)) as client:
            await client.register_messages(tenant, [registration("m-a", campaign, people)])
            done = await asyncio.gather(
                *(
                    client.instrument_html(
                        tenant_id=tenant,
                        campaign_id=campaign,
                        message_id="m-a",
                        recipient_email=person,
                        html=HTML,
                    )
                    for person in people
                )
            )
            assert len({d.pixel_url for d in done}) == 3
            assert await client.mark_sent(tenant, "m-a", people) == 3
            assert await client.mark_deferred(tenant, "m-a", people[:1], "451 greylisted") == 1

    asyncio.run(send())
    with EmailtrackClient(options(platform)) as client:
        stats = wait_for_stats(client, tenant, campaign, lambda s: s.sent == 3 and s.deferred == 1)
        assert stats.sent == 3
