import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HIT_KIND_UNSPECIFIED: _ClassVar[HitKind]
    HIT_KIND_OPEN: _ClassVar[HitKind]
    HIT_KIND_CLICK: _ClassVar[HitKind]
    HIT_KIND_UNSUBSCRIBE: _ClassVar[HitKind]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_OPEN: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_CLICK: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_UNSUBSCRIBE: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_SENT: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_DELIVERED: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_DEFERRED: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_BOUNCE: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_COMPLAINT: _ClassVar[EventType]
    EVENT_TYPE_EMAIL_REPLY: _ClassVar[EventType]
    EVENT_TYPE_RECIPIENT_TRACKING_OPT_OUT: _ClassVar[EventType]
    EVENT_TYPE_RECIPIENT_ERASE_REQUESTED: _ClassVar[EventType]
    EVENT_TYPE_CAMPAIGN_STATUS_CHANGE: _ClassVar[EventType]
    EVENT_TYPE_ACCOUNT_HEALTH_UPDATE: _ClassVar[EventType]
    EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE: _ClassVar[EventType]

class HitSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HIT_SOURCE_UNSPECIFIED: _ClassVar[HitSource]
    HIT_SOURCE_HUMAN: _ClassVar[HitSource]
    HIT_SOURCE_PRIVACY_PROXY: _ClassVar[HitSource]
    HIT_SOURCE_SECURITY_SCANNER: _ClassVar[HitSource]
    HIT_SOURCE_BOT: _ClassVar[HitSource]

class BounceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BOUNCE_TYPE_UNSPECIFIED: _ClassVar[BounceType]
    BOUNCE_TYPE_HARD: _ClassVar[BounceType]
    BOUNCE_TYPE_SOFT: _ClassVar[BounceType]
HIT_KIND_UNSPECIFIED: HitKind
HIT_KIND_OPEN: HitKind
HIT_KIND_CLICK: HitKind
HIT_KIND_UNSUBSCRIBE: HitKind
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_EMAIL_OPEN: EventType
EVENT_TYPE_EMAIL_CLICK: EventType
EVENT_TYPE_EMAIL_UNSUBSCRIBE: EventType
EVENT_TYPE_EMAIL_SENT: EventType
EVENT_TYPE_EMAIL_DELIVERED: EventType
EVENT_TYPE_EMAIL_DEFERRED: EventType
EVENT_TYPE_EMAIL_BOUNCE: EventType
EVENT_TYPE_EMAIL_COMPLAINT: EventType
EVENT_TYPE_EMAIL_REPLY: EventType
EVENT_TYPE_RECIPIENT_TRACKING_OPT_OUT: EventType
EVENT_TYPE_RECIPIENT_ERASE_REQUESTED: EventType
EVENT_TYPE_CAMPAIGN_STATUS_CHANGE: EventType
EVENT_TYPE_ACCOUNT_HEALTH_UPDATE: EventType
EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE: EventType
HIT_SOURCE_UNSPECIFIED: HitSource
HIT_SOURCE_HUMAN: HitSource
HIT_SOURCE_PRIVACY_PROXY: HitSource
HIT_SOURCE_SECURITY_SCANNER: HitSource
HIT_SOURCE_BOT: HitSource
BOUNCE_TYPE_UNSPECIFIED: BounceType
BOUNCE_TYPE_HARD: BounceType
BOUNCE_TYPE_SOFT: BounceType

class TraceContext(_message.Message):
    __slots__ = ("traceparent", "tracestate")
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    TRACESTATE_FIELD_NUMBER: _ClassVar[int]
    traceparent: str
    tracestate: str
    def __init__(self, traceparent: _Optional[str] = ..., tracestate: _Optional[str] = ...) -> None: ...

class TokenClaims(_message.Message):
    __slots__ = ("key_id", "tenant_id", "campaign_id", "message_id", "recipient_id", "sent_at", "kind", "link_url", "link_index", "honeypot", "sequence_step", "variant", "list_id", "tracking_host")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LINK_URL_FIELD_NUMBER: _ClassVar[int]
    LINK_INDEX_FIELD_NUMBER: _ClassVar[int]
    HONEYPOT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_HOST_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    sent_at: _timestamp_pb2.Timestamp
    kind: HitKind
    link_url: str
    link_index: int
    honeypot: bool
    sequence_step: str
    variant: str
    list_id: str
    tracking_host: str
    def __init__(self, key_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[HitKind, str]] = ..., link_url: _Optional[str] = ..., link_index: _Optional[int] = ..., honeypot: _Optional[bool] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., list_id: _Optional[str] = ..., tracking_host: _Optional[str] = ...) -> None: ...

class RawHit(_message.Message):
    __slots__ = ("hit_id", "received_at", "claims", "http_method", "user_agent", "client_ip", "accept_language", "referer", "one_click", "trace", "headers", "rate_limited")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    HIT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    HTTP_METHOD_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    REFERER_FIELD_NUMBER: _ClassVar[int]
    ONE_CLICK_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITED_FIELD_NUMBER: _ClassVar[int]
    hit_id: str
    received_at: _timestamp_pb2.Timestamp
    claims: TokenClaims
    http_method: str
    user_agent: str
    client_ip: str
    accept_language: str
    referer: str
    one_click: bool
    trace: TraceContext
    headers: _containers.ScalarMap[str, str]
    rate_limited: bool
    def __init__(self, hit_id: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claims: _Optional[_Union[TokenClaims, _Mapping]] = ..., http_method: _Optional[str] = ..., user_agent: _Optional[str] = ..., client_ip: _Optional[str] = ..., accept_language: _Optional[str] = ..., referer: _Optional[str] = ..., one_click: _Optional[bool] = ..., trace: _Optional[_Union[TraceContext, _Mapping]] = ..., headers: _Optional[_Mapping[str, str]] = ..., rate_limited: _Optional[bool] = ...) -> None: ...

class RawHitBatch(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[RawHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[RawHit, _Mapping]]] = ...) -> None: ...

class ClientInfo(_message.Message):
    __slots__ = ("email_client", "device", "os", "browser", "country")
    EMAIL_CLIENT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    BROWSER_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    email_client: str
    device: str
    os: str
    browser: str
    country: str
    def __init__(self, email_client: _Optional[str] = ..., device: _Optional[str] = ..., os: _Optional[str] = ..., browser: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Classification(_message.Message):
    __slots__ = ("source", "agent", "machine_probability", "reasons")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    MACHINE_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    source: HitSource
    agent: str
    machine_probability: float
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, source: _Optional[_Union[HitSource, str]] = ..., agent: _Optional[str] = ..., machine_probability: _Optional[float] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class EngagementPayload(_message.Message):
    __slots__ = ("classification", "client", "first", "duplicate", "link_url", "link_index", "hit_id", "user_agent", "client_ip")
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    FIRST_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    LINK_URL_FIELD_NUMBER: _ClassVar[int]
    LINK_INDEX_FIELD_NUMBER: _ClassVar[int]
    HIT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    classification: Classification
    client: ClientInfo
    first: bool
    duplicate: bool
    link_url: str
    link_index: int
    hit_id: str
    user_agent: str
    client_ip: str
    def __init__(self, classification: _Optional[_Union[Classification, _Mapping]] = ..., client: _Optional[_Union[ClientInfo, _Mapping]] = ..., first: _Optional[bool] = ..., duplicate: _Optional[bool] = ..., link_url: _Optional[str] = ..., link_index: _Optional[int] = ..., hit_id: _Optional[str] = ..., user_agent: _Optional[str] = ..., client_ip: _Optional[str] = ...) -> None: ...

class DeliveryPayload(_message.Message):
    __slots__ = ("address", "bounce_type", "reason", "smtp_code", "enhanced_status", "diagnostic", "source", "feedback_type")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SMTP_CODE_FIELD_NUMBER: _ClassVar[int]
    ENHANCED_STATUS_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_TYPE_FIELD_NUMBER: _ClassVar[int]
    address: str
    bounce_type: BounceType
    reason: str
    smtp_code: str
    enhanced_status: str
    diagnostic: str
    source: str
    feedback_type: str
    def __init__(self, address: _Optional[str] = ..., bounce_type: _Optional[_Union[BounceType, str]] = ..., reason: _Optional[str] = ..., smtp_code: _Optional[str] = ..., enhanced_status: _Optional[str] = ..., diagnostic: _Optional[str] = ..., source: _Optional[str] = ..., feedback_type: _Optional[str] = ...) -> None: ...

class UnsubscribePayload(_message.Message):
    __slots__ = ("address", "list_id", "one_click")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ONE_CLICK_FIELD_NUMBER: _ClassVar[int]
    address: str
    list_id: str
    one_click: bool
    def __init__(self, address: _Optional[str] = ..., list_id: _Optional[str] = ..., one_click: _Optional[bool] = ...) -> None: ...

class RecipientPrivacyPayload(_message.Message):
    __slots__ = ("address", "tracking_opt_out")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TRACKING_OPT_OUT_FIELD_NUMBER: _ClassVar[int]
    address: str
    tracking_opt_out: bool
    def __init__(self, address: _Optional[str] = ..., tracking_opt_out: _Optional[bool] = ...) -> None: ...

class ReplyPayload(_message.Message):
    __slots__ = ("address", "in_reply_to", "reply_message_id", "matched_by")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    REPLY_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHED_BY_FIELD_NUMBER: _ClassVar[int]
    address: str
    in_reply_to: str
    reply_message_id: str
    matched_by: str
    def __init__(self, address: _Optional[str] = ..., in_reply_to: _Optional[str] = ..., reply_message_id: _Optional[str] = ..., matched_by: _Optional[str] = ...) -> None: ...

class CampaignStatusPayload(_message.Message):
    __slots__ = ("status", "previous_status", "name")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    status: str
    previous_status: str
    name: str
    def __init__(self, status: _Optional[str] = ..., previous_status: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class AccountHealthPayload(_message.Message):
    __slots__ = ("mailbox", "score", "previous_score", "band", "previous_band")
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_BAND_FIELD_NUMBER: _ClassVar[int]
    mailbox: str
    score: int
    previous_score: int
    band: str
    previous_band: str
    def __init__(self, mailbox: _Optional[str] = ..., score: _Optional[int] = ..., previous_score: _Optional[int] = ..., band: _Optional[str] = ..., previous_band: _Optional[str] = ...) -> None: ...

class SuppressionPayload(_message.Message):
    __slots__ = ("address", "status", "reason")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    address: str
    status: str
    reason: str
    def __init__(self, address: _Optional[str] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("event_id", "type", "occurred_at", "tenant_id", "campaign_id", "message_id", "recipient_id", "trace", "sequence_step", "variant", "mailbox", "warmup", "engagement", "delivery", "unsubscribe", "privacy", "reply", "campaign_status", "account_health", "suppression")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    WARMUP_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    PRIVACY_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_HEALTH_FIELD_NUMBER: _ClassVar[int]
    SUPPRESSION_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    type: EventType
    occurred_at: _timestamp_pb2.Timestamp
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    trace: TraceContext
    sequence_step: str
    variant: str
    mailbox: str
    warmup: bool
    engagement: EngagementPayload
    delivery: DeliveryPayload
    unsubscribe: UnsubscribePayload
    privacy: RecipientPrivacyPayload
    reply: ReplyPayload
    campaign_status: CampaignStatusPayload
    account_health: AccountHealthPayload
    suppression: SuppressionPayload
    def __init__(self, event_id: _Optional[str] = ..., type: _Optional[_Union[EventType, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., trace: _Optional[_Union[TraceContext, _Mapping]] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., mailbox: _Optional[str] = ..., warmup: _Optional[bool] = ..., engagement: _Optional[_Union[EngagementPayload, _Mapping]] = ..., delivery: _Optional[_Union[DeliveryPayload, _Mapping]] = ..., unsubscribe: _Optional[_Union[UnsubscribePayload, _Mapping]] = ..., privacy: _Optional[_Union[RecipientPrivacyPayload, _Mapping]] = ..., reply: _Optional[_Union[ReplyPayload, _Mapping]] = ..., campaign_status: _Optional[_Union[CampaignStatusPayload, _Mapping]] = ..., account_health: _Optional[_Union[AccountHealthPayload, _Mapping]] = ..., suppression: _Optional[_Union[SuppressionPayload, _Mapping]] = ...) -> None: ...

class EventBatch(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class DeadLetter(_message.Message):
    __slots__ = ("source_topic", "source_partition", "source_offset", "key", "value", "error", "consumer_group", "failed_at")
    SOURCE_TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PARTITION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_GROUP_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    source_topic: str
    source_partition: int
    source_offset: int
    key: bytes
    value: bytes
    error: str
    consumer_group: str
    failed_at: _timestamp_pb2.Timestamp
    def __init__(self, source_topic: _Optional[str] = ..., source_partition: _Optional[int] = ..., source_offset: _Optional[int] = ..., key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., error: _Optional[str] = ..., consumer_group: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
