import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from emailtrack.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TimeBucket(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIME_BUCKET_UNSPECIFIED: _ClassVar[TimeBucket]
    TIME_BUCKET_MINUTE: _ClassVar[TimeBucket]
    TIME_BUCKET_HOUR: _ClassVar[TimeBucket]
    TIME_BUCKET_DAY: _ClassVar[TimeBucket]

class BreakdownDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BREAKDOWN_DIMENSION_UNSPECIFIED: _ClassVar[BreakdownDimension]
    BREAKDOWN_DIMENSION_EMAIL_CLIENT: _ClassVar[BreakdownDimension]
    BREAKDOWN_DIMENSION_DEVICE: _ClassVar[BreakdownDimension]
    BREAKDOWN_DIMENSION_OS: _ClassVar[BreakdownDimension]
    BREAKDOWN_DIMENSION_COUNTRY: _ClassVar[BreakdownDimension]

class SegmentDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEGMENT_DIMENSION_UNSPECIFIED: _ClassVar[SegmentDimension]
    SEGMENT_DIMENSION_SEQUENCE_STEP: _ClassVar[SegmentDimension]
    SEGMENT_DIMENSION_VARIANT: _ClassVar[SegmentDimension]
    SEGMENT_DIMENSION_STEP_AND_VARIANT: _ClassVar[SegmentDimension]
TIME_BUCKET_UNSPECIFIED: TimeBucket
TIME_BUCKET_MINUTE: TimeBucket
TIME_BUCKET_HOUR: TimeBucket
TIME_BUCKET_DAY: TimeBucket
BREAKDOWN_DIMENSION_UNSPECIFIED: BreakdownDimension
BREAKDOWN_DIMENSION_EMAIL_CLIENT: BreakdownDimension
BREAKDOWN_DIMENSION_DEVICE: BreakdownDimension
BREAKDOWN_DIMENSION_OS: BreakdownDimension
BREAKDOWN_DIMENSION_COUNTRY: BreakdownDimension
SEGMENT_DIMENSION_UNSPECIFIED: SegmentDimension
SEGMENT_DIMENSION_SEQUENCE_STEP: SegmentDimension
SEGMENT_DIMENSION_VARIANT: SegmentDimension
SEGMENT_DIMENSION_STEP_AND_VARIANT: SegmentDimension

class SourceCounts(_message.Message):
    __slots__ = ("human", "privacy_proxy", "security_scanner", "bot", "total", "unclassified")
    HUMAN_FIELD_NUMBER: _ClassVar[int]
    PRIVACY_PROXY_FIELD_NUMBER: _ClassVar[int]
    SECURITY_SCANNER_FIELD_NUMBER: _ClassVar[int]
    BOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    UNCLASSIFIED_FIELD_NUMBER: _ClassVar[int]
    human: int
    privacy_proxy: int
    security_scanner: int
    bot: int
    total: int
    unclassified: int
    def __init__(self, human: _Optional[int] = ..., privacy_proxy: _Optional[int] = ..., security_scanner: _Optional[int] = ..., bot: _Optional[int] = ..., total: _Optional[int] = ..., unclassified: _Optional[int] = ...) -> None: ...

class EngagementCounts(_message.Message):
    __slots__ = ("unique", "total")
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    unique: SourceCounts
    total: SourceCounts
    def __init__(self, unique: _Optional[_Union[SourceCounts, _Mapping]] = ..., total: _Optional[_Union[SourceCounts, _Mapping]] = ...) -> None: ...

class CampaignStats(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "sent", "delivered", "hard_bounced", "soft_bounced", "deferred", "opens", "clicks", "unsubscribes", "complaints", "replies", "open_rate", "click_rate", "click_to_open_rate", "bounce_rate", "complaint_rate", "mpp_adjusted_open_rate", "reply_rate", "first_event_at", "last_event_at", "rate_base", "filtered_unique_opens", "filtered_unique_clicks", "mpp_recipients", "unique_replies", "first_reply_at", "median_seconds_to_first_reply")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    HARD_BOUNCED_FIELD_NUMBER: _ClassVar[int]
    SOFT_BOUNCED_FIELD_NUMBER: _ClassVar[int]
    DEFERRED_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBES_FIELD_NUMBER: _ClassVar[int]
    COMPLAINTS_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    OPEN_RATE_FIELD_NUMBER: _ClassVar[int]
    CLICK_RATE_FIELD_NUMBER: _ClassVar[int]
    CLICK_TO_OPEN_RATE_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_RATE_FIELD_NUMBER: _ClassVar[int]
    COMPLAINT_RATE_FIELD_NUMBER: _ClassVar[int]
    MPP_ADJUSTED_OPEN_RATE_FIELD_NUMBER: _ClassVar[int]
    REPLY_RATE_FIELD_NUMBER: _ClassVar[int]
    FIRST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    RATE_BASE_FIELD_NUMBER: _ClassVar[int]
    FILTERED_UNIQUE_OPENS_FIELD_NUMBER: _ClassVar[int]
    FILTERED_UNIQUE_CLICKS_FIELD_NUMBER: _ClassVar[int]
    MPP_RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_REPLIES_FIELD_NUMBER: _ClassVar[int]
    FIRST_REPLY_AT_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_SECONDS_TO_FIRST_REPLY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    sent: int
    delivered: int
    hard_bounced: int
    soft_bounced: int
    deferred: int
    opens: EngagementCounts
    clicks: EngagementCounts
    unsubscribes: int
    complaints: int
    replies: int
    open_rate: float
    click_rate: float
    click_to_open_rate: float
    bounce_rate: float
    complaint_rate: float
    mpp_adjusted_open_rate: float
    reply_rate: float
    first_event_at: _timestamp_pb2.Timestamp
    last_event_at: _timestamp_pb2.Timestamp
    rate_base: int
    filtered_unique_opens: int
    filtered_unique_clicks: int
    mpp_recipients: int
    unique_replies: int
    first_reply_at: _timestamp_pb2.Timestamp
    median_seconds_to_first_reply: float
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., sent: _Optional[int] = ..., delivered: _Optional[int] = ..., hard_bounced: _Optional[int] = ..., soft_bounced: _Optional[int] = ..., deferred: _Optional[int] = ..., opens: _Optional[_Union[EngagementCounts, _Mapping]] = ..., clicks: _Optional[_Union[EngagementCounts, _Mapping]] = ..., unsubscribes: _Optional[int] = ..., complaints: _Optional[int] = ..., replies: _Optional[int] = ..., open_rate: _Optional[float] = ..., click_rate: _Optional[float] = ..., click_to_open_rate: _Optional[float] = ..., bounce_rate: _Optional[float] = ..., complaint_rate: _Optional[float] = ..., mpp_adjusted_open_rate: _Optional[float] = ..., reply_rate: _Optional[float] = ..., first_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rate_base: _Optional[int] = ..., filtered_unique_opens: _Optional[int] = ..., filtered_unique_clicks: _Optional[int] = ..., mpp_recipients: _Optional[int] = ..., unique_replies: _Optional[int] = ..., first_reply_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., median_seconds_to_first_reply: _Optional[float] = ...) -> None: ...

class GetCampaignStatsRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ...) -> None: ...

class GetCampaignStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: CampaignStats
    def __init__(self, stats: _Optional[_Union[CampaignStats, _Mapping]] = ...) -> None: ...

class GetTimelineRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "bucket", "time_zone", "start", "end")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    bucket: TimeBucket
    time_zone: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., bucket: _Optional[_Union[TimeBucket, str]] = ..., time_zone: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TimelinePoint(_message.Message):
    __slots__ = ("bucket_start", "opens", "clicks", "delivered", "bounced", "sent", "deferred", "unsubscribes", "complaints")
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    BOUNCED_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    DEFERRED_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBES_FIELD_NUMBER: _ClassVar[int]
    COMPLAINTS_FIELD_NUMBER: _ClassVar[int]
    bucket_start: _timestamp_pb2.Timestamp
    opens: SourceCounts
    clicks: SourceCounts
    delivered: int
    bounced: int
    sent: int
    deferred: int
    unsubscribes: int
    complaints: int
    def __init__(self, bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opens: _Optional[_Union[SourceCounts, _Mapping]] = ..., clicks: _Optional[_Union[SourceCounts, _Mapping]] = ..., delivered: _Optional[int] = ..., bounced: _Optional[int] = ..., sent: _Optional[int] = ..., deferred: _Optional[int] = ..., unsubscribes: _Optional[int] = ..., complaints: _Optional[int] = ...) -> None: ...

class GetTimelineResponse(_message.Message):
    __slots__ = ("points",)
    POINTS_FIELD_NUMBER: _ClassVar[int]
    points: _containers.RepeatedCompositeFieldContainer[TimelinePoint]
    def __init__(self, points: _Optional[_Iterable[_Union[TimelinePoint, _Mapping]]] = ...) -> None: ...

class GetTopLinksRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "limit")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    limit: int
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class LinkStats(_message.Message):
    __slots__ = ("url", "link_index", "unique_clicks", "total_clicks")
    URL_FIELD_NUMBER: _ClassVar[int]
    LINK_INDEX_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_CLICKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLICKS_FIELD_NUMBER: _ClassVar[int]
    url: str
    link_index: int
    unique_clicks: SourceCounts
    total_clicks: SourceCounts
    def __init__(self, url: _Optional[str] = ..., link_index: _Optional[int] = ..., unique_clicks: _Optional[_Union[SourceCounts, _Mapping]] = ..., total_clicks: _Optional[_Union[SourceCounts, _Mapping]] = ...) -> None: ...

class GetTopLinksResponse(_message.Message):
    __slots__ = ("links",)
    LINKS_FIELD_NUMBER: _ClassVar[int]
    links: _containers.RepeatedCompositeFieldContainer[LinkStats]
    def __init__(self, links: _Optional[_Iterable[_Union[LinkStats, _Mapping]]] = ...) -> None: ...

class GetBreakdownRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "dimension", "event_type", "include_machine")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_MACHINE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    dimension: BreakdownDimension
    event_type: _events_pb2.EventType
    include_machine: bool
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., dimension: _Optional[_Union[BreakdownDimension, str]] = ..., event_type: _Optional[_Union[_events_pb2.EventType, str]] = ..., include_machine: _Optional[bool] = ...) -> None: ...

class BreakdownRow(_message.Message):
    __slots__ = ("value", "count", "share")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    value: str
    count: int
    share: float
    def __init__(self, value: _Optional[str] = ..., count: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...

class GetBreakdownResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[BreakdownRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[BreakdownRow, _Mapping]]] = ...) -> None: ...

class GetRecipientEngagementRequest(_message.Message):
    __slots__ = ("tenant_id", "recipient_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    recipient_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., recipient_id: _Optional[str] = ...) -> None: ...

class RecipientEngagement(_message.Message):
    __slots__ = ("recipient_id", "opens", "clicks", "human_opens", "human_clicks", "last_engagement_at", "messages")
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    HUMAN_OPENS_FIELD_NUMBER: _ClassVar[int]
    HUMAN_CLICKS_FIELD_NUMBER: _ClassVar[int]
    LAST_ENGAGEMENT_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    recipient_id: str
    opens: int
    clicks: int
    human_opens: int
    human_clicks: int
    last_engagement_at: _timestamp_pb2.Timestamp
    messages: int
    def __init__(self, recipient_id: _Optional[str] = ..., opens: _Optional[int] = ..., clicks: _Optional[int] = ..., human_opens: _Optional[int] = ..., human_clicks: _Optional[int] = ..., last_engagement_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., messages: _Optional[int] = ...) -> None: ...

class GetRecipientEngagementResponse(_message.Message):
    __slots__ = ("engagement",)
    ENGAGEMENT_FIELD_NUMBER: _ClassVar[int]
    engagement: RecipientEngagement
    def __init__(self, engagement: _Optional[_Union[RecipientEngagement, _Mapping]] = ...) -> None: ...

class ListCampaignsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCampaignsResponse(_message.Message):
    __slots__ = ("campaigns", "next_page_token")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[CampaignStats]
    next_page_token: str
    def __init__(self, campaigns: _Optional[_Iterable[_Union[CampaignStats, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchCampaignRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "recent_events")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    RECENT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    recent_events: int
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., recent_events: _Optional[int] = ...) -> None: ...

class WatchCampaignResponse(_message.Message):
    __slots__ = ("stats", "new_events")
    STATS_FIELD_NUMBER: _ClassVar[int]
    NEW_EVENTS_FIELD_NUMBER: _ClassVar[int]
    stats: CampaignStats
    new_events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    def __init__(self, stats: _Optional[_Union[CampaignStats, _Mapping]] = ..., new_events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ...) -> None: ...

class WatchCampaignListRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class WatchCampaignListResponse(_message.Message):
    __slots__ = ("campaigns", "next_page_token")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[CampaignStats]
    next_page_token: str
    def __init__(self, campaigns: _Optional[_Iterable[_Union[CampaignStats, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExportRecipientEventsRequest(_message.Message):
    __slots__ = ("tenant_id", "recipient_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    recipient_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., recipient_id: _Optional[str] = ...) -> None: ...

class ExportRecipientEventsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.Event]
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.Event, _Mapping]]] = ...) -> None: ...

class GetSegmentStatsRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "dimension")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    dimension: SegmentDimension
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., dimension: _Optional[_Union[SegmentDimension, str]] = ...) -> None: ...

class SegmentStats(_message.Message):
    __slots__ = ("sequence_step", "variant", "stats")
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    sequence_step: str
    variant: str
    stats: CampaignStats
    def __init__(self, sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., stats: _Optional[_Union[CampaignStats, _Mapping]] = ...) -> None: ...

class GetSegmentStatsResponse(_message.Message):
    __slots__ = ("segments",)
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    segments: _containers.RepeatedCompositeFieldContainer[SegmentStats]
    def __init__(self, segments: _Optional[_Iterable[_Union[SegmentStats, _Mapping]]] = ...) -> None: ...

class GetVariantComparisonRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "sequence_step", "baseline_variant", "alpha")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    BASELINE_VARIANT_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    sequence_step: str
    baseline_variant: str
    alpha: float
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., sequence_step: _Optional[str] = ..., baseline_variant: _Optional[str] = ..., alpha: _Optional[float] = ...) -> None: ...

class VariantRates(_message.Message):
    __slots__ = ("variant", "recipients", "opens", "clicks", "replies", "open_rate", "click_rate", "reply_rate")
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    OPEN_RATE_FIELD_NUMBER: _ClassVar[int]
    CLICK_RATE_FIELD_NUMBER: _ClassVar[int]
    REPLY_RATE_FIELD_NUMBER: _ClassVar[int]
    variant: str
    recipients: int
    opens: int
    clicks: int
    replies: int
    open_rate: float
    click_rate: float
    reply_rate: float
    def __init__(self, variant: _Optional[str] = ..., recipients: _Optional[int] = ..., opens: _Optional[int] = ..., clicks: _Optional[int] = ..., replies: _Optional[int] = ..., open_rate: _Optional[float] = ..., click_rate: _Optional[float] = ..., reply_rate: _Optional[float] = ...) -> None: ...

class MetricComparison(_message.Message):
    __slots__ = ("metric", "baseline_variant", "variant", "baseline_rate", "rate", "z", "p_value", "significant", "verdict", "more_recipients_needed")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    BASELINE_VARIANT_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    BASELINE_RATE_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    Z_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    MORE_RECIPIENTS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    metric: str
    baseline_variant: str
    variant: str
    baseline_rate: float
    rate: float
    z: float
    p_value: float
    significant: bool
    verdict: str
    more_recipients_needed: int
    def __init__(self, metric: _Optional[str] = ..., baseline_variant: _Optional[str] = ..., variant: _Optional[str] = ..., baseline_rate: _Optional[float] = ..., rate: _Optional[float] = ..., z: _Optional[float] = ..., p_value: _Optional[float] = ..., significant: _Optional[bool] = ..., verdict: _Optional[str] = ..., more_recipients_needed: _Optional[int] = ...) -> None: ...

class GetVariantComparisonResponse(_message.Message):
    __slots__ = ("variants", "comparisons")
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    COMPARISONS_FIELD_NUMBER: _ClassVar[int]
    variants: _containers.RepeatedCompositeFieldContainer[VariantRates]
    comparisons: _containers.RepeatedCompositeFieldContainer[MetricComparison]
    def __init__(self, variants: _Optional[_Iterable[_Union[VariantRates, _Mapping]]] = ..., comparisons: _Optional[_Iterable[_Union[MetricComparison, _Mapping]]] = ...) -> None: ...

class MailboxStats(_message.Message):
    __slots__ = ("mailbox", "sent", "delivered", "bounced", "complaints", "opens", "clicks", "replies", "bounce_rate", "complaint_rate", "open_rate", "reply_rate", "health_score", "health_band")
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    BOUNCED_FIELD_NUMBER: _ClassVar[int]
    COMPLAINTS_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_RATE_FIELD_NUMBER: _ClassVar[int]
    COMPLAINT_RATE_FIELD_NUMBER: _ClassVar[int]
    OPEN_RATE_FIELD_NUMBER: _ClassVar[int]
    REPLY_RATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_SCORE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_BAND_FIELD_NUMBER: _ClassVar[int]
    mailbox: str
    sent: int
    delivered: int
    bounced: int
    complaints: int
    opens: int
    clicks: int
    replies: int
    bounce_rate: float
    complaint_rate: float
    open_rate: float
    reply_rate: float
    health_score: int
    health_band: str
    def __init__(self, mailbox: _Optional[str] = ..., sent: _Optional[int] = ..., delivered: _Optional[int] = ..., bounced: _Optional[int] = ..., complaints: _Optional[int] = ..., opens: _Optional[int] = ..., clicks: _Optional[int] = ..., replies: _Optional[int] = ..., bounce_rate: _Optional[float] = ..., complaint_rate: _Optional[float] = ..., open_rate: _Optional[float] = ..., reply_rate: _Optional[float] = ..., health_score: _Optional[int] = ..., health_band: _Optional[str] = ...) -> None: ...

class ListMailboxStatsRequest(_message.Message):
    __slots__ = ("tenant_id", "mailboxes")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MAILBOXES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    mailboxes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., mailboxes: _Optional[_Iterable[str]] = ...) -> None: ...

class ListMailboxStatsResponse(_message.Message):
    __slots__ = ("mailboxes",)
    MAILBOXES_FIELD_NUMBER: _ClassVar[int]
    mailboxes: _containers.RepeatedCompositeFieldContainer[MailboxStats]
    def __init__(self, mailboxes: _Optional[_Iterable[_Union[MailboxStats, _Mapping]]] = ...) -> None: ...

class GetWarmupStatsRequest(_message.Message):
    __slots__ = ("tenant_id", "mailbox", "days")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    mailbox: str
    days: int
    def __init__(self, tenant_id: _Optional[str] = ..., mailbox: _Optional[str] = ..., days: _Optional[int] = ...) -> None: ...

class WarmupDay(_message.Message):
    __slots__ = ("day", "sent", "opens", "replies")
    DAY_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    day: str
    sent: int
    opens: int
    replies: int
    def __init__(self, day: _Optional[str] = ..., sent: _Optional[int] = ..., opens: _Optional[int] = ..., replies: _Optional[int] = ...) -> None: ...

class GetWarmupStatsResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[WarmupDay]
    def __init__(self, days: _Optional[_Iterable[_Union[WarmupDay, _Mapping]]] = ...) -> None: ...

class GetTrackedUsageRequest(_message.Message):
    __slots__ = ("tenant_id", "start", "end")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetTrackedUsageResponse(_message.Message):
    __slots__ = ("tracked_events", "sent_events")
    TRACKED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    SENT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    tracked_events: int
    sent_events: int
    def __init__(self, tracked_events: _Optional[int] = ..., sent_events: _Optional[int] = ...) -> None: ...

class FilterSettings(_message.Message):
    __slots__ = ("exclude_mpp", "exclude_on_read_proxies", "exclude_unclassified")
    EXCLUDE_MPP_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_ON_READ_PROXIES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_UNCLASSIFIED_FIELD_NUMBER: _ClassVar[int]
    exclude_mpp: bool
    exclude_on_read_proxies: bool
    exclude_unclassified: bool
    def __init__(self, exclude_mpp: _Optional[bool] = ..., exclude_on_read_proxies: _Optional[bool] = ..., exclude_unclassified: _Optional[bool] = ...) -> None: ...

class GetFilterSettingsRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class GetFilterSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: FilterSettings
    def __init__(self, settings: _Optional[_Union[FilterSettings, _Mapping]] = ...) -> None: ...

class UpdateFilterSettingsRequest(_message.Message):
    __slots__ = ("tenant_id", "settings")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    settings: FilterSettings
    def __init__(self, tenant_id: _Optional[str] = ..., settings: _Optional[_Union[FilterSettings, _Mapping]] = ...) -> None: ...

class UpdateFilterSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: FilterSettings
    def __init__(self, settings: _Optional[_Union[FilterSettings, _Mapping]] = ...) -> None: ...

class MessageRecipientKey(_message.Message):
    __slots__ = ("message_id", "recipient_id")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    recipient_id: str
    def __init__(self, message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ...) -> None: ...

class GetMessageEngagementRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "keys")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    keys: _containers.RepeatedCompositeFieldContainer[MessageRecipientKey]
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[MessageRecipientKey, _Mapping]]] = ...) -> None: ...

class PairHits(_message.Message):
    __slots__ = ("first_at", "hits", "human", "machine")
    FIRST_AT_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    HUMAN_FIELD_NUMBER: _ClassVar[int]
    MACHINE_FIELD_NUMBER: _ClassVar[int]
    first_at: _timestamp_pb2.Timestamp
    hits: int
    human: bool
    machine: bool
    def __init__(self, first_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hits: _Optional[int] = ..., human: _Optional[bool] = ..., machine: _Optional[bool] = ...) -> None: ...

class MessageEngagement(_message.Message):
    __slots__ = ("message_id", "recipient_id", "sent_at", "delivered_at", "opens", "clicks", "bounced_at", "bounce_type", "complained_at", "unsubscribed_at", "first_reply_at", "replies")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    BOUNCED_AT_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPLAINED_AT_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_REPLY_AT_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    recipient_id: str
    sent_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    opens: PairHits
    clicks: PairHits
    bounced_at: _timestamp_pb2.Timestamp
    bounce_type: _events_pb2.BounceType
    complained_at: _timestamp_pb2.Timestamp
    unsubscribed_at: _timestamp_pb2.Timestamp
    first_reply_at: _timestamp_pb2.Timestamp
    replies: int
    def __init__(self, message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opens: _Optional[_Union[PairHits, _Mapping]] = ..., clicks: _Optional[_Union[PairHits, _Mapping]] = ..., bounced_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bounce_type: _Optional[_Union[_events_pb2.BounceType, str]] = ..., complained_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unsubscribed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_reply_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., replies: _Optional[int] = ...) -> None: ...

class GetMessageEngagementResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[MessageEngagement]
    def __init__(self, messages: _Optional[_Iterable[_Union[MessageEngagement, _Mapping]]] = ...) -> None: ...

class GetTenantSummaryRequest(_message.Message):
    __slots__ = ("tenant_id", "start", "end")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetTenantSummaryResponse(_message.Message):
    __slots__ = ("campaigns", "stats")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    campaigns: int
    stats: CampaignStats
    def __init__(self, campaigns: _Optional[int] = ..., stats: _Optional[_Union[CampaignStats, _Mapping]] = ...) -> None: ...
