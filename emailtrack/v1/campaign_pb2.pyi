import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CampaignStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMPAIGN_STATUS_UNSPECIFIED: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_DRAFT: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_SCHEDULED: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_SENDING: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_PAUSED: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_COMPLETED: _ClassVar[CampaignStatus]
    CAMPAIGN_STATUS_DELETED: _ClassVar[CampaignStatus]

class WarmupKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WARMUP_KIND_UNSPECIFIED: _ClassVar[WarmupKind]
    WARMUP_KIND_SENT: _ClassVar[WarmupKind]
    WARMUP_KIND_OPEN: _ClassVar[WarmupKind]
    WARMUP_KIND_REPLY: _ClassVar[WarmupKind]
CAMPAIGN_STATUS_UNSPECIFIED: CampaignStatus
CAMPAIGN_STATUS_DRAFT: CampaignStatus
CAMPAIGN_STATUS_SCHEDULED: CampaignStatus
CAMPAIGN_STATUS_SENDING: CampaignStatus
CAMPAIGN_STATUS_PAUSED: CampaignStatus
CAMPAIGN_STATUS_COMPLETED: CampaignStatus
CAMPAIGN_STATUS_DELETED: CampaignStatus
WARMUP_KIND_UNSPECIFIED: WarmupKind
WARMUP_KIND_SENT: WarmupKind
WARMUP_KIND_OPEN: WarmupKind
WARMUP_KIND_REPLY: WarmupKind

class SequenceStep(_message.Message):
    __slots__ = ("step_id", "name", "delay_hours")
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DELAY_HOURS_FIELD_NUMBER: _ClassVar[int]
    step_id: str
    name: str
    delay_hours: int
    def __init__(self, step_id: _Optional[str] = ..., name: _Optional[str] = ..., delay_hours: _Optional[int] = ...) -> None: ...

class Variant(_message.Message):
    __slots__ = ("variant_id", "name", "weight")
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    variant_id: str
    name: str
    weight: int
    def __init__(self, variant_id: _Optional[str] = ..., name: _Optional[str] = ..., weight: _Optional[int] = ...) -> None: ...

class Campaign(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "name", "template_id", "tags", "steps", "variants", "status", "created_at", "updated_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    name: str
    template_id: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    steps: _containers.RepeatedCompositeFieldContainer[SequenceStep]
    variants: _containers.RepeatedCompositeFieldContainer[Variant]
    status: CampaignStatus
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., name: _Optional[str] = ..., template_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., steps: _Optional[_Iterable[_Union[SequenceStep, _Mapping]]] = ..., variants: _Optional[_Iterable[_Union[Variant, _Mapping]]] = ..., status: _Optional[_Union[CampaignStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateCampaignRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "name", "template_id", "tags", "steps", "variants")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    name: str
    template_id: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    steps: _containers.RepeatedCompositeFieldContainer[SequenceStep]
    variants: _containers.RepeatedCompositeFieldContainer[Variant]
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., name: _Optional[str] = ..., template_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., steps: _Optional[_Iterable[_Union[SequenceStep, _Mapping]]] = ..., variants: _Optional[_Iterable[_Union[Variant, _Mapping]]] = ...) -> None: ...

class CreateCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class GetCampaignRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ...) -> None: ...

class GetCampaignResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class FindCampaignsRequest(_message.Message):
    __slots__ = ("tenant_id", "status", "tag", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    status: CampaignStatus
    tag: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., status: _Optional[_Union[CampaignStatus, str]] = ..., tag: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class FindCampaignsResponse(_message.Message):
    __slots__ = ("campaigns", "next_page_token")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[Campaign]
    next_page_token: str
    def __init__(self, campaigns: _Optional[_Iterable[_Union[Campaign, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCampaignStatusRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "status")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    status: CampaignStatus
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., status: _Optional[_Union[CampaignStatus, str]] = ...) -> None: ...

class UpdateCampaignStatusResponse(_message.Message):
    __slots__ = ("campaign",)
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    campaign: Campaign
    def __init__(self, campaign: _Optional[_Union[Campaign, _Mapping]] = ...) -> None: ...

class DeleteCampaignRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ...) -> None: ...

class DeleteCampaignResponse(_message.Message):
    __slots__ = ("messages_deleted",)
    MESSAGES_DELETED_FIELD_NUMBER: _ClassVar[int]
    messages_deleted: int
    def __init__(self, messages_deleted: _Optional[int] = ...) -> None: ...

class Mailbox(_message.Message):
    __slots__ = ("tenant_id", "address", "domain", "daily_limit", "warmup_enabled", "health_score", "health_band", "health_updated_at", "registered_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    DAILY_LIMIT_FIELD_NUMBER: _ClassVar[int]
    WARMUP_ENABLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_SCORE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_BAND_FIELD_NUMBER: _ClassVar[int]
    HEALTH_UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    address: str
    domain: str
    daily_limit: int
    warmup_enabled: bool
    health_score: int
    health_band: str
    health_updated_at: _timestamp_pb2.Timestamp
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., address: _Optional[str] = ..., domain: _Optional[str] = ..., daily_limit: _Optional[int] = ..., warmup_enabled: _Optional[bool] = ..., health_score: _Optional[int] = ..., health_band: _Optional[str] = ..., health_updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterMailboxRequest(_message.Message):
    __slots__ = ("tenant_id", "address", "daily_limit", "warmup_enabled")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DAILY_LIMIT_FIELD_NUMBER: _ClassVar[int]
    WARMUP_ENABLED_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    address: str
    daily_limit: int
    warmup_enabled: bool
    def __init__(self, tenant_id: _Optional[str] = ..., address: _Optional[str] = ..., daily_limit: _Optional[int] = ..., warmup_enabled: _Optional[bool] = ...) -> None: ...

class RegisterMailboxResponse(_message.Message):
    __slots__ = ("mailbox",)
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    mailbox: Mailbox
    def __init__(self, mailbox: _Optional[_Union[Mailbox, _Mapping]] = ...) -> None: ...

class ListMailboxesRequest(_message.Message):
    __slots__ = ("tenant_id", "domain")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    domain: str
    def __init__(self, tenant_id: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class ListMailboxesResponse(_message.Message):
    __slots__ = ("mailboxes",)
    MAILBOXES_FIELD_NUMBER: _ClassVar[int]
    mailboxes: _containers.RepeatedCompositeFieldContainer[Mailbox]
    def __init__(self, mailboxes: _Optional[_Iterable[_Union[Mailbox, _Mapping]]] = ...) -> None: ...

class WarmupInteraction(_message.Message):
    __slots__ = ("interaction_id", "mailbox", "partner_address", "kind", "occurred_at")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    mailbox: str
    partner_address: str
    kind: WarmupKind
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, interaction_id: _Optional[str] = ..., mailbox: _Optional[str] = ..., partner_address: _Optional[str] = ..., kind: _Optional[_Union[WarmupKind, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordWarmupInteractionsRequest(_message.Message):
    __slots__ = ("tenant_id", "interactions")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    interactions: _containers.RepeatedCompositeFieldContainer[WarmupInteraction]
    def __init__(self, tenant_id: _Optional[str] = ..., interactions: _Optional[_Iterable[_Union[WarmupInteraction, _Mapping]]] = ...) -> None: ...

class RecordWarmupInteractionsResponse(_message.Message):
    __slots__ = ("recorded",)
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    recorded: int
    def __init__(self, recorded: _Optional[int] = ...) -> None: ...

class GetUsageRequest(_message.Message):
    __slots__ = ("tenant_id", "period")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    period: str
    def __init__(self, tenant_id: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("tenant_id", "period", "period_start", "period_end", "messages_registered", "emails_registered", "emails_sent", "recipients", "campaigns_created", "active_mailboxes", "tracked_events")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    EMAILS_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    EMAILS_SENT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGNS_CREATED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_MAILBOXES_FIELD_NUMBER: _ClassVar[int]
    TRACKED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    period: str
    period_start: _timestamp_pb2.Timestamp
    period_end: _timestamp_pb2.Timestamp
    messages_registered: int
    emails_registered: int
    emails_sent: int
    recipients: int
    campaigns_created: int
    active_mailboxes: int
    tracked_events: int
    def __init__(self, tenant_id: _Optional[str] = ..., period: _Optional[str] = ..., period_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., messages_registered: _Optional[int] = ..., emails_registered: _Optional[int] = ..., emails_sent: _Optional[int] = ..., recipients: _Optional[int] = ..., campaigns_created: _Optional[int] = ..., active_mailboxes: _Optional[int] = ..., tracked_events: _Optional[int] = ...) -> None: ...

class GetUsageResponse(_message.Message):
    __slots__ = ("usage",)
    USAGE_FIELD_NUMBER: _ClassVar[int]
    usage: Usage
    def __init__(self, usage: _Optional[_Union[Usage, _Mapping]] = ...) -> None: ...
