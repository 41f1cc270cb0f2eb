"""Dashboard pages for a logged-in user of one tenant: campaign list (with every campaign
added up), campaign (counters,
replies, timeline chart, top links, breakdowns, sequence steps, A/B variants and their
verdict, live activity), sending mailboxes (figures, health, warmup); and the timeline JSON
the chart refreshes from when the live stream reports a change. The recipients page lives in
recipient_pages.py."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from emailtrack.presentation import views
from emailtrack.presentation.export import BUCKETS
from emailtrack.v1 import analytics_pb2
from gateway.config import DashboardUser
from gateway.operator.api import campaign_fetch, params
from gateway.operator.api.backend import Backend, ServiceError
from gateway.operator.api.encoded_paths import path_segment
from gateway.operator.dashboard import campaign_sections
from gateway.operator.dashboard.auth import Logins
from gateway.operator.dashboard.csrf import csrf_token


def duration(seconds: float) -> str:
    """A short human duration (``45 s``, ``12 min``, ``3.5 h``, ``2.1 d``); ``—`` for none."""
    if seconds <= 0:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.0f} {unit}" if unit == "min" or value >= 10 else f"{value:.1f} {unit}"
    return f"{seconds:.0f} s"


def rate(value: float, base: int) -> str:
    """A rate as a percentage; ``—`` without a base (no message reported sent or delivered
    yet: 0.0% beside an open would read as a contradiction)."""
    return f"{value * 100:.1f}%" if base > 0 else "—"


TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["rate"] = rate
TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.filters["segment"] = path_segment
TEMPLATES.env.globals["csrf_token"] = csrf_token
BREAKDOWNS = (
    ("Email client", analytics_pb2.BREAKDOWN_DIMENSION_EMAIL_CLIENT),
    ("Device", analytics_pb2.BREAKDOWN_DIMENSION_DEVICE),
    ("Country", analytics_pb2.BREAKDOWN_DIMENSION_COUNTRY),
)


def chart_bucket(stats: analytics_pb2.CampaignStats) -> analytics_pb2.TimeBucket:
    """Minutes for a campaign younger than six hours, hours up to a week, else days."""
    if not stats.HasField("first_event_at"):
        return analytics_pb2.TIME_BUCKET_MINUTE
    span = stats.last_event_at.ToDatetime() - stats.first_event_at.ToDatetime()
    if span <= timedelta(hours=6):
        return analytics_pb2.TIME_BUCKET_MINUTE
    return (
        analytics_pb2.TIME_BUCKET_HOUR
        if span <= timedelta(days=7)
        else analytics_pb2.TIME_BUCKET_DAY
    )


WARMUP_DAYS = 30
MAX_WARMUP_MAILBOXES = 50
BUCKET_SECONDS = {
    analytics_pb2.TIME_BUCKET_MINUTE: 60,
    analytics_pb2.TIME_BUCKET_HOUR: 3600,
    analytics_pb2.TIME_BUCKET_DAY: 86400,
}
SERIES = ("human_opens", "machine_opens", "human_clicks", "machine_clicks")


def chart_series(points: list[analytics_pb2.TimelinePoint], step_s: int) -> dict[str, list[float]]:
    """Columns for uPlot: bucket times (epoch seconds) and human / machine opens and clicks,
    with empty buckets as zeros and one empty bucket on each side (so a lone point shows)."""

    def machine(counts: analytics_pb2.SourceCounts) -> int:
        return counts.privacy_proxy + counts.security_scanner + counts.bot

    found = {
        int(p.bucket_start.ToDatetime(tzinfo=UTC).timestamp()): (
            p.opens.human,
            machine(p.opens),
            p.clicks.human,
            machine(p.clicks),
        )
        for p in points
    }
    columns: dict[str, list[float]] = {"t": [], **{name: [] for name in SERIES}}
    if not found:
        return columns
    for at in range(min(found) - step_s, max(found) + 2 * step_s, step_s):
        columns["t"].append(at)
        for name, value in zip(SERIES, found.get(at, (0, 0, 0, 0)), strict=True):
            columns[name].append(value)
    return columns


async def tenant_summary(backend: Backend, tenant_id: str) -> dict[str, Any]:
    """Every campaign of the tenant added up: ``campaigns`` counted and their ``stats``."""
    reply = await backend.call(
        backend.analytics.GetTenantSummary,
        analytics_pb2.GetTenantSummaryRequest(tenant_id=tenant_id),
    )
    return {"campaigns": reply.campaigns, "stats": views.campaign_stats(reply.stats)}


class Pages:
    def __init__(self, backend: Backend, logins: Logins) -> None:
        self.backend = backend
        self.logins = logins

    def render(
        self, request: Request, name: str, user: DashboardUser, status: int = 200, **context: Any
    ) -> Response:
        context = {"user": user, **context}
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status)

    def failure(self, request: Request, user: DashboardUser, exc: Exception) -> Response:
        status = exc.status if isinstance(exc, ServiceError) else 422
        message = exc.message if isinstance(exc, ServiceError | params.ParameterError) else ""
        return self.render(
            request, "error.html", user, status=status, message=message, not_found=status == 404
        )

    async def campaigns(self, request: Request, user: DashboardUser) -> Response:
        try:
            page_token = params.token(request.query_params, "page")
            reply = await self.backend.call(
                self.backend.analytics.ListCampaigns,
                analytics_pb2.ListCampaignsRequest(
                    tenant_id=user.tenant_id, page_size=50, page_token=page_token
                ),
            )
        except (ServiceError, params.ParameterError) as exc:
            return self.failure(request, user, exc)
        rows = [views.campaign_stats(c) for c in reply.campaigns]
        try:
            summary = await tenant_summary(self.backend, user.tenant_id)
        except ServiceError as exc:
            return self.failure(request, user, exc)
        return self.render(
            request,
            "campaigns.html",
            user,
            summary=summary,
            campaigns=rows,
            page=page_token,
            next_page=reply.next_page_token,
        )

    async def _timeline(
        self, tenant_id: str, campaign_id: str, bucket: analytics_pb2.TimeBucket
    ) -> dict[str, Any]:
        reply = await self.backend.call(
            self.backend.analytics.GetTimeline,
            analytics_pb2.GetTimelineRequest(
                tenant_id=tenant_id, campaign_id=campaign_id, bucket=bucket
            ),
        )
        return chart_series(list(reply.points), BUCKET_SECONDS[bucket])

    async def campaign(self, request: Request, user: DashboardUser) -> Response:
        tenant = user.tenant_id
        analytics = self.backend.analytics
        try:
            campaign_id = params.path_id(request.path_params, "campaign_id")
            stats = (
                await self.backend.call(
                    analytics.GetCampaignStats,
                    analytics_pb2.GetCampaignStatsRequest(
                        tenant_id=tenant, campaign_id=campaign_id
                    ),
                )
            ).stats
            bucket = chart_bucket(stats)
            timeline = await self._timeline(tenant, campaign_id, bucket)
            links = await self.backend.call(
                analytics.GetTopLinks,
                analytics_pb2.GetTopLinksRequest(tenant_id=tenant, campaign_id=campaign_id),
            )
            breakdowns = []
            for title, dimension in BREAKDOWNS:
                reply = await self.backend.call(
                    analytics.GetBreakdown,
                    analytics_pb2.GetBreakdownRequest(
                        tenant_id=tenant, campaign_id=campaign_id, dimension=dimension
                    ),
                )
                breakdowns.append((title, [views.breakdown_row(r) for r in reply.rows]))
            sections = await campaign_sections.load(self.backend, tenant, campaign_id)
            if not stats.HasField("first_event_at") and sections["definition"] is None:
                raise ServiceError(404, "NOT_FOUND", f"Campaign {campaign_id} does not exist.")
        except (ServiceError, params.ParameterError) as exc:
            return self.failure(request, user, exc)
        return self.render(
            request,
            "campaign.html",
            user,
            campaign_id=campaign_id,
            stats=views.campaign_stats(stats),
            bucket=analytics_pb2.TimeBucket.Name(bucket).removeprefix("TIME_BUCKET_").lower(),
            timeline=timeline,
            links=[views.link(link) for link in links.links],
            breakdowns=breakdowns,
            sections=sections,
        )

    async def mailboxes(self, request: Request, user: DashboardUser) -> Response:
        """Sending mailboxes with their figures and health; warmup totals kept apart."""
        tenant = user.tenant_id
        try:
            rows = await campaign_fetch.mailboxes(self.backend, tenant)
            warmed = [row for row in rows if row["warmup_enabled"]][:MAX_WARMUP_MAILBOXES]
            warmup = [
                (
                    row,
                    await campaign_fetch.warmup(self.backend, tenant, row["address"], WARMUP_DAYS),
                )
                for row in warmed
            ]
        except ServiceError as exc:
            return self.failure(request, user, exc)
        return self.render(
            request, "mailboxes.html", user, mailboxes=rows, warmup=warmup, days=WARMUP_DAYS
        )

    async def top_links(self, request: Request, user: DashboardUser) -> Response:
        """The top-link rows (HTML), re-read by the page when live events arrived."""
        try:
            campaign_id = params.path_id(request.path_params, "campaign_id")
            links = await self.backend.call(
                self.backend.analytics.GetTopLinks,
                analytics_pb2.GetTopLinksRequest(tenant_id=user.tenant_id, campaign_id=campaign_id),
            )
        except params.ParameterError as exc:
            return Response(exc.message, status_code=422)
        except ServiceError as exc:
            return Response(exc.message, status_code=exc.status)
        rows = [views.link(link) for link in links.links]
        return TEMPLATES.TemplateResponse(request, "top_links_rows.html", {"links": rows})

    async def timeline(self, request: Request, user: DashboardUser) -> Response:
        try:
            campaign_id = params.path_id(request.path_params, "campaign_id")
            bucket = params.choice(request.query_params, "bucket", BUCKETS, "minute")
            series = await self._timeline(user.tenant_id, campaign_id, bucket)
        except params.ParameterError as exc:
            return JSONResponse({"error": exc.message}, status_code=422)
        except ServiceError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return JSONResponse(series)
