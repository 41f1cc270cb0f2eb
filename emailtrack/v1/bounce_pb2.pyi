from emailtrack.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RetryAdvice(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETRY_ADVICE_UNSPECIFIED: _ClassVar[RetryAdvice]
    RETRY_ADVICE_DO_NOT_RETRY: _ClassVar[RetryAdvice]
    RETRY_ADVICE_RETRY_LATER: _ClassVar[RetryAdvice]
    RETRY_ADVICE_RETRY_AFTER_FIX: _ClassVar[RetryAdvice]

class InboundKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INBOUND_KIND_UNSPECIFIED: _ClassVar[InboundKind]
    INBOUND_KIND_BOUNCE: _ClassVar[InboundKind]
    INBOUND_KIND_COMPLAINT: _ClassVar[InboundKind]
    INBOUND_KIND_AUTO_REPLY: _ClassVar[InboundKind]
    INBOUND_KIND_DELIVERY_REPORT: _ClassVar[InboundKind]
    INBOUND_KIND_REPLY: _ClassVar[InboundKind]
    INBOUND_KIND_UNKNOWN: _ClassVar[InboundKind]

class EspProvider(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ESP_PROVIDER_UNSPECIFIED: _ClassVar[EspProvider]
    ESP_PROVIDER_SENDGRID: _ClassVar[EspProvider]
    ESP_PROVIDER_MAILGUN: _ClassVar[EspProvider]
    ESP_PROVIDER_POSTMARK: _ClassVar[EspProvider]
    ESP_PROVIDER_SES: _ClassVar[EspProvider]
    ESP_PROVIDER_MANDRILL: _ClassVar[EspProvider]
RETRY_ADVICE_UNSPECIFIED: RetryAdvice
RETRY_ADVICE_DO_NOT_RETRY: RetryAdvice
RETRY_ADVICE_RETRY_LATER: RetryAdvice
RETRY_ADVICE_RETRY_AFTER_FIX: RetryAdvice
INBOUND_KIND_UNSPECIFIED: InboundKind
INBOUND_KIND_BOUNCE: InboundKind
INBOUND_KIND_COMPLAINT: InboundKind
INBOUND_KIND_AUTO_REPLY: InboundKind
INBOUND_KIND_DELIVERY_REPORT: InboundKind
INBOUND_KIND_REPLY: InboundKind
INBOUND_KIND_UNKNOWN: InboundKind
ESP_PROVIDER_UNSPECIFIED: EspProvider
ESP_PROVIDER_SENDGRID: EspProvider
ESP_PROVIDER_MAILGUN: EspProvider
ESP_PROVIDER_POSTMARK: EspProvider
ESP_PROVIDER_SES: EspProvider
ESP_PROVIDER_MANDRILL: EspProvider

class SmtpClassification(_message.Message):
    __slots__ = ("reason", "bounce_type", "retry", "matched_rule", "sisimai_reason")
    REASON_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    MATCHED_RULE_FIELD_NUMBER: _ClassVar[int]
    SISIMAI_REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    bounce_type: _events_pb2.BounceType
    retry: RetryAdvice
    matched_rule: str
    sisimai_reason: str
    def __init__(self, reason: _Optional[str] = ..., bounce_type: _Optional[_Union[_events_pb2.BounceType, str]] = ..., retry: _Optional[_Union[RetryAdvice, str]] = ..., matched_rule: _Optional[str] = ..., sisimai_reason: _Optional[str] = ...) -> None: ...

class ClassifySmtpReplyRequest(_message.Message):
    __slots__ = ("code", "enhanced_status", "text", "mx_host", "domain")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ENHANCED_STATUS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MX_HOST_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    code: int
    enhanced_status: str
    text: str
    mx_host: str
    domain: str
    def __init__(self, code: _Optional[int] = ..., enhanced_status: _Optional[str] = ..., text: _Optional[str] = ..., mx_host: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class ClassifySmtpReplyResponse(_message.Message):
    __slots__ = ("classification",)
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    classification: SmtpClassification
    def __init__(self, classification: _Optional[_Union[SmtpClassification, _Mapping]] = ...) -> None: ...

class FailedRecipient(_message.Message):
    __slots__ = ("address", "status", "smtp_code", "diagnostic", "classification", "remote_mta", "action", "original_recipient")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SMTP_CODE_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTIC_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    REMOTE_MTA_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    address: str
    status: str
    smtp_code: str
    diagnostic: str
    classification: SmtpClassification
    remote_mta: str
    action: str
    original_recipient: str
    def __init__(self, address: _Optional[str] = ..., status: _Optional[str] = ..., smtp_code: _Optional[str] = ..., diagnostic: _Optional[str] = ..., classification: _Optional[_Union[SmtpClassification, _Mapping]] = ..., remote_mta: _Optional[str] = ..., action: _Optional[str] = ..., original_recipient: _Optional[str] = ...) -> None: ...

class ParsedMessage(_message.Message):
    __slots__ = ("kind", "recipients", "original_message_id", "format", "feedback_type", "tenant_id", "campaign_id", "message_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    kind: InboundKind
    recipients: _containers.RepeatedCompositeFieldContainer[FailedRecipient]
    original_message_id: str
    format: str
    feedback_type: str
    tenant_id: str
    campaign_id: str
    message_id: str
    def __init__(self, kind: _Optional[_Union[InboundKind, str]] = ..., recipients: _Optional[_Iterable[_Union[FailedRecipient, _Mapping]]] = ..., original_message_id: _Optional[str] = ..., format: _Optional[str] = ..., feedback_type: _Optional[str] = ..., tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class ParseBounceMessageRequest(_message.Message):
    __slots__ = ("raw_message", "tenant_id")
    RAW_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    raw_message: bytes
    tenant_id: str
    def __init__(self, raw_message: _Optional[bytes] = ..., tenant_id: _Optional[str] = ...) -> None: ...

class ParseBounceMessageResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: ParsedMessage
    def __init__(self, message: _Optional[_Union[ParsedMessage, _Mapping]] = ...) -> None: ...

class IngestInboundMessagesRequest(_message.Message):
    __slots__ = ("raw_message", "tenant_id")
    RAW_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    raw_message: bytes
    tenant_id: str
    def __init__(self, raw_message: _Optional[bytes] = ..., tenant_id: _Optional[str] = ...) -> None: ...

class IngestInboundMessagesResponse(_message.Message):
    __slots__ = ("messages", "bounces", "complaints", "auto_replies", "unrecognised", "events_published", "duplicates", "delivery_reports", "replies")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    BOUNCES_FIELD_NUMBER: _ClassVar[int]
    COMPLAINTS_FIELD_NUMBER: _ClassVar[int]
    AUTO_REPLIES_FIELD_NUMBER: _ClassVar[int]
    UNRECOGNISED_FIELD_NUMBER: _ClassVar[int]
    EVENTS_PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_REPORTS_FIELD_NUMBER: _ClassVar[int]
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    messages: int
    bounces: int
    complaints: int
    auto_replies: int
    unrecognised: int
    events_published: int
    duplicates: int
    delivery_reports: int
    replies: int
    def __init__(self, messages: _Optional[int] = ..., bounces: _Optional[int] = ..., complaints: _Optional[int] = ..., auto_replies: _Optional[int] = ..., unrecognised: _Optional[int] = ..., events_published: _Optional[int] = ..., duplicates: _Optional[int] = ..., delivery_reports: _Optional[int] = ..., replies: _Optional[int] = ...) -> None: ...

class HandleEspWebhookRequest(_message.Message):
    __slots__ = ("provider", "tenant_id", "headers", "body", "url")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    provider: EspProvider
    tenant_id: str
    headers: _containers.ScalarMap[str, str]
    body: bytes
    url: str
    def __init__(self, provider: _Optional[_Union[EspProvider, str]] = ..., tenant_id: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ..., body: _Optional[bytes] = ..., url: _Optional[str] = ...) -> None: ...

class HandleEspWebhookResponse(_message.Message):
    __slots__ = ("accepted", "duplicates", "subscribe_url", "dead_lettered")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBE_URL_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_FIELD_NUMBER: _ClassVar[int]
    accepted: int
    duplicates: int
    subscribe_url: str
    dead_lettered: int
    def __init__(self, accepted: _Optional[int] = ..., duplicates: _Optional[int] = ..., subscribe_url: _Optional[str] = ..., dead_lettered: _Optional[int] = ...) -> None: ...
