"""Streaming a campaign's timeline as CSV: the campaign's time span is cut into windows that
start at local midnights of the requested zone (a boundary of every minute, hour and day
bucket, so no bucket is split) and short enough for the analytics range limits; each window
is one GetTimeline call, written out as soon as it arrives. Pure apart from the caller's I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from emailtrack.presentation.views import TIMELINE_CSV_COLUMNS, timeline_csv_row
from emailtrack.v1 import analytics_pb2

BUCKETS = {
    "minute": analytics_pb2.TIME_BUCKET_MINUTE,
    "hour": analytics_pb2.TIME_BUCKET_HOUR,
    "day": analytics_pb2.TIME_BUCKET_DAY,
}
WINDOW_DAYS = {"minute": 1, "hour": 30, "day": 360}


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def export_windows(
    first: datetime, last: datetime, bucket: str, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """[start, end) windows covering ``first``..``last`` inclusive, in order."""
    if last < first:
        return []
    step = timedelta(days=WINDOW_DAYS[bucket])
    day = first.astimezone(zone).date()
    final = last.astimezone(zone).date() + timedelta(days=1)
    windows = []
    while day < final:
        following = min(day + step, final)
        windows.append((_midnight(day, zone), _midnight(following, zone)))
        day = following
    return windows


def timeline_request(
    tenant_id: str, campaign_id: str, bucket: str, zone: ZoneInfo, window: tuple[datetime, datetime]
) -> analytics_pb2.GetTimelineRequest:
    request = analytics_pb2.GetTimelineRequest(
        tenant_id=tenant_id, campaign_id=campaign_id, bucket=BUCKETS[bucket], time_zone=zone.key
    )
    request.start.FromDatetime(window[0])
    request.end.FromDatetime(window[1])
    return request


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def csv_header() -> str:
    return csv_text([TIMELINE_CSV_COLUMNS])


def csv_points(points: Iterable[analytics_pb2.TimelinePoint]) -> str:
    return csv_text(timeline_csv_row(point) for point in points)
