import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InstrumentMimeRefusal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTRUMENT_MIME_REFUSAL_UNSPECIFIED: _ClassVar[InstrumentMimeRefusal]
    INSTRUMENT_MIME_REFUSAL_INVALID_ARGUMENT: _ClassVar[InstrumentMimeRefusal]
    INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT: _ClassVar[InstrumentMimeRefusal]
INSTRUMENT_MIME_REFUSAL_UNSPECIFIED: InstrumentMimeRefusal
INSTRUMENT_MIME_REFUSAL_INVALID_ARGUMENT: InstrumentMimeRefusal
INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT: InstrumentMimeRefusal

class InstrumentOptions(_message.Message):
    __slots__ = ("disable_open_tracking", "disable_click_tracking", "disable_honeypot", "unsubscribe_mailto", "omit_list_unsubscribe", "list_id", "tracking_domain")
    DISABLE_OPEN_TRACKING_FIELD_NUMBER: _ClassVar[int]
    DISABLE_CLICK_TRACKING_FIELD_NUMBER: _ClassVar[int]
    DISABLE_HONEYPOT_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_MAILTO_FIELD_NUMBER: _ClassVar[int]
    OMIT_LIST_UNSUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    disable_open_tracking: bool
    disable_click_tracking: bool
    disable_honeypot: bool
    unsubscribe_mailto: str
    omit_list_unsubscribe: bool
    list_id: str
    tracking_domain: str
    def __init__(self, disable_open_tracking: _Optional[bool] = ..., disable_click_tracking: _Optional[bool] = ..., disable_honeypot: _Optional[bool] = ..., unsubscribe_mailto: _Optional[str] = ..., omit_list_unsubscribe: _Optional[bool] = ..., list_id: _Optional[str] = ..., tracking_domain: _Optional[str] = ...) -> None: ...

class MessageToInstrument(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "message_id", "recipient_id", "html", "text", "sent_at", "options", "sequence_step", "variant")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    html: str
    text: str
    sent_at: _timestamp_pb2.Timestamp
    options: InstrumentOptions
    sequence_step: str
    variant: str
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., html: _Optional[str] = ..., text: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., options: _Optional[_Union[InstrumentOptions, _Mapping]] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class InstrumentedLink(_message.Message):
    __slots__ = ("index", "original_url", "tracking_url")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_URL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
    index: int
    original_url: str
    tracking_url: str
    def __init__(self, index: _Optional[int] = ..., original_url: _Optional[str] = ..., tracking_url: _Optional[str] = ...) -> None: ...

class InstrumentedMessage(_message.Message):
    __slots__ = ("message_id", "html", "text", "headers", "pixel_url", "unsubscribe_url", "links")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    PIXEL_URL_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_URL_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    html: str
    text: str
    headers: _containers.RepeatedCompositeFieldContainer[Header]
    pixel_url: str
    unsubscribe_url: str
    links: _containers.RepeatedCompositeFieldContainer[InstrumentedLink]
    def __init__(self, message_id: _Optional[str] = ..., html: _Optional[str] = ..., text: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[Header, _Mapping]]] = ..., pixel_url: _Optional[str] = ..., unsubscribe_url: _Optional[str] = ..., links: _Optional[_Iterable[_Union[InstrumentedLink, _Mapping]]] = ...) -> None: ...

class InstrumentMessageRequest(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: MessageToInstrument
    def __init__(self, message: _Optional[_Union[MessageToInstrument, _Mapping]] = ...) -> None: ...

class InstrumentMessageResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: InstrumentedMessage
    def __init__(self, message: _Optional[_Union[InstrumentedMessage, _Mapping]] = ...) -> None: ...

class InstrumentMessagesRequest(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[MessageToInstrument]
    def __init__(self, messages: _Optional[_Iterable[_Union[MessageToInstrument, _Mapping]]] = ...) -> None: ...

class InstrumentMessagesResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[InstrumentedMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[InstrumentedMessage, _Mapping]]] = ...) -> None: ...

class InstrumentMessageStreamRequest(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: MessageToInstrument
    def __init__(self, message: _Optional[_Union[MessageToInstrument, _Mapping]] = ...) -> None: ...

class InstrumentMessageStreamResponse(_message.Message):
    __slots__ = ("message", "error")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    message: InstrumentedMessage
    error: str
    def __init__(self, message: _Optional[_Union[InstrumentedMessage, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class VerifyTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class VerifyTokenResponse(_message.Message):
    __slots__ = ("valid", "error", "key_id", "tenant_id", "campaign_id", "message_id", "recipient_id", "sent_at", "link_url", "expired", "list_id", "tracking_host")
    VALID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    LINK_URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_HOST_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    error: str
    key_id: str
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    sent_at: _timestamp_pb2.Timestamp
    link_url: str
    expired: bool
    list_id: str
    tracking_host: str
    def __init__(self, valid: _Optional[bool] = ..., error: _Optional[str] = ..., key_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., link_url: _Optional[str] = ..., expired: _Optional[bool] = ..., list_id: _Optional[str] = ..., tracking_host: _Optional[str] = ...) -> None: ...

class InstrumentMimeRequest(_message.Message):
    __slots__ = ("mime", "message", "strip_dkim_signature")
    MIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STRIP_DKIM_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    mime: bytes
    message: MessageToInstrument
    strip_dkim_signature: bool
    def __init__(self, mime: _Optional[bytes] = ..., message: _Optional[_Union[MessageToInstrument, _Mapping]] = ..., strip_dkim_signature: _Optional[bool] = ...) -> None: ...

class InstrumentMimeResponse(_message.Message):
    __slots__ = ("mime", "message", "instrumented_parts")
    MIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENTED_PARTS_FIELD_NUMBER: _ClassVar[int]
    mime: bytes
    message: InstrumentedMessage
    instrumented_parts: int
    def __init__(self, mime: _Optional[bytes] = ..., message: _Optional[_Union[InstrumentedMessage, _Mapping]] = ..., instrumented_parts: _Optional[int] = ...) -> None: ...

class InstrumentMimeStreamRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: InstrumentMimeRequest
    def __init__(self, request: _Optional[_Union[InstrumentMimeRequest, _Mapping]] = ...) -> None: ...

class InstrumentMimeStreamResponse(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: InstrumentMimeResponse
    error: str
    def __init__(self, response: _Optional[_Union[InstrumentMimeResponse, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class InstrumentMimeBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[InstrumentMimeRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[InstrumentMimeRequest, _Mapping]]] = ...) -> None: ...

class InstrumentMimeResult(_message.Message):
    __slots__ = ("response", "refusal", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: InstrumentMimeResponse
    refusal: InstrumentMimeRefusal
    error: str
    def __init__(self, response: _Optional[_Union[InstrumentMimeResponse, _Mapping]] = ..., refusal: _Optional[_Union[InstrumentMimeRefusal, str]] = ..., error: _Optional[str] = ...) -> None: ...

class InstrumentMimeBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[InstrumentMimeResult]
    def __init__(self, results: _Optional[_Iterable[_Union[InstrumentMimeResult, _Mapping]]] = ...) -> None: ...

class TrackingDomain(_message.Message):
    __slots__ = ("tenant_id", "domain", "verified", "txt_record_name", "txt_record_value", "verified_at", "check_failing_since")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    TXT_RECORD_NAME_FIELD_NUMBER: _ClassVar[int]
    TXT_RECORD_VALUE_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    CHECK_FAILING_SINCE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    domain: str
    verified: bool
    txt_record_name: str
    txt_record_value: str
    verified_at: _timestamp_pb2.Timestamp
    check_failing_since: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., domain: _Optional[str] = ..., verified: _Optional[bool] = ..., txt_record_name: _Optional[str] = ..., txt_record_value: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., check_failing_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterTrackingDomainRequest(_message.Message):
    __slots__ = ("tenant_id", "domain")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    domain: str
    def __init__(self, tenant_id: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class RegisterTrackingDomainResponse(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: TrackingDomain
    def __init__(self, domain: _Optional[_Union[TrackingDomain, _Mapping]] = ...) -> None: ...

class VerifyTrackingDomainRequest(_message.Message):
    __slots__ = ("tenant_id", "domain")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    domain: str
    def __init__(self, tenant_id: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class VerifyTrackingDomainResponse(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: TrackingDomain
    def __init__(self, domain: _Optional[_Union[TrackingDomain, _Mapping]] = ...) -> None: ...

class ListTrackingDomainsRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class ListTrackingDomainsResponse(_message.Message):
    __slots__ = ("domains",)
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    domains: _containers.RepeatedCompositeFieldContainer[TrackingDomain]
    def __init__(self, domains: _Optional[_Iterable[_Union[TrackingDomain, _Mapping]]] = ...) -> None: ...

class RemoveTrackingDomainRequest(_message.Message):
    __slots__ = ("tenant_id", "domain")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    domain: str
    def __init__(self, tenant_id: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class RemoveTrackingDomainResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: bool
    def __init__(self, removed: _Optional[bool] = ...) -> None: ...

class LookupTrackingDomainRequest(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: str
    def __init__(self, domain: _Optional[str] = ...) -> None: ...

class LookupTrackingDomainResponse(_message.Message):
    __slots__ = ("owner_tenant_id",)
    OWNER_TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    owner_tenant_id: str
    def __init__(self, owner_tenant_id: _Optional[str] = ...) -> None: ...
