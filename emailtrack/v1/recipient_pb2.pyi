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

class RecipientStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECIPIENT_STATUS_UNSPECIFIED: _ClassVar[RecipientStatus]
    RECIPIENT_STATUS_ACTIVE: _ClassVar[RecipientStatus]
    RECIPIENT_STATUS_UNSUBSCRIBED: _ClassVar[RecipientStatus]
    RECIPIENT_STATUS_BOUNCED: _ClassVar[RecipientStatus]
    RECIPIENT_STATUS_COMPLAINED: _ClassVar[RecipientStatus]
    RECIPIENT_STATUS_SUPPRESSED: _ClassVar[RecipientStatus]

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_PENDING: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SENT: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DELIVERED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DEFERRED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_FAILED: _ClassVar[DeliveryStatus]

class RecipientRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECIPIENT_ROLE_UNSPECIFIED: _ClassVar[RecipientRole]
    RECIPIENT_ROLE_TO: _ClassVar[RecipientRole]
    RECIPIENT_ROLE_CC: _ClassVar[RecipientRole]
    RECIPIENT_ROLE_BCC: _ClassVar[RecipientRole]
RECIPIENT_STATUS_UNSPECIFIED: RecipientStatus
RECIPIENT_STATUS_ACTIVE: RecipientStatus
RECIPIENT_STATUS_UNSUBSCRIBED: RecipientStatus
RECIPIENT_STATUS_BOUNCED: RecipientStatus
RECIPIENT_STATUS_COMPLAINED: RecipientStatus
RECIPIENT_STATUS_SUPPRESSED: RecipientStatus
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_PENDING: DeliveryStatus
DELIVERY_STATUS_SENT: DeliveryStatus
DELIVERY_STATUS_DELIVERED: DeliveryStatus
DELIVERY_STATUS_DEFERRED: DeliveryStatus
DELIVERY_STATUS_FAILED: DeliveryStatus
RECIPIENT_ROLE_UNSPECIFIED: RecipientRole
RECIPIENT_ROLE_TO: RecipientRole
RECIPIENT_ROLE_CC: RecipientRole
RECIPIENT_ROLE_BCC: RecipientRole

class Recipient(_message.Message):
    __slots__ = ("tenant_id", "recipient_id", "email", "status", "hard_bounces", "soft_bounces", "first_seen_at", "last_seen_at", "metadata", "tracking_opt_out")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HARD_BOUNCES_FIELD_NUMBER: _ClassVar[int]
    SOFT_BOUNCES_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    TRACKING_OPT_OUT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    recipient_id: str
    email: str
    status: RecipientStatus
    hard_bounces: int
    soft_bounces: int
    first_seen_at: _timestamp_pb2.Timestamp
    last_seen_at: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    tracking_opt_out: bool
    def __init__(self, tenant_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., email: _Optional[str] = ..., status: _Optional[_Union[RecipientStatus, str]] = ..., hard_bounces: _Optional[int] = ..., soft_bounces: _Optional[int] = ..., first_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., tracking_opt_out: _Optional[bool] = ...) -> None: ...

class RecipientInput(_message.Message):
    __slots__ = ("email", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    email: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, email: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class UpsertRecipientsRequest(_message.Message):
    __slots__ = ("tenant_id", "recipients")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    recipients: _containers.RepeatedCompositeFieldContainer[RecipientInput]
    def __init__(self, tenant_id: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[RecipientInput, _Mapping]]] = ...) -> None: ...

class UpsertRecipientsResponse(_message.Message):
    __slots__ = ("recipients",)
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    def __init__(self, recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ...) -> None: ...

class GetRecipientRequest(_message.Message):
    __slots__ = ("tenant_id", "email")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class GetRecipientResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ...) -> None: ...

class ListRecipientsRequest(_message.Message):
    __slots__ = ("tenant_id", "status", "list_id", "page_size", "page_token", "email_prefix", "email_contains")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EMAIL_PREFIX_FIELD_NUMBER: _ClassVar[int]
    EMAIL_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    status: RecipientStatus
    list_id: str
    page_size: int
    page_token: str
    email_prefix: str
    email_contains: str
    def __init__(self, tenant_id: _Optional[str] = ..., status: _Optional[_Union[RecipientStatus, str]] = ..., list_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., email_prefix: _Optional[str] = ..., email_contains: _Optional[str] = ...) -> None: ...

class ListRecipientsResponse(_message.Message):
    __slots__ = ("recipients", "next_page_token")
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    next_page_token: str
    def __init__(self, recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MailingList(_message.Message):
    __slots__ = ("tenant_id", "list_id", "name", "member_count", "created_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    list_id: str
    name: str
    member_count: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., list_id: _Optional[str] = ..., name: _Optional[str] = ..., member_count: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateListRequest(_message.Message):
    __slots__ = ("tenant_id", "list_id", "name")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    list_id: str
    name: str
    def __init__(self, tenant_id: _Optional[str] = ..., list_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateListResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: MailingList
    def __init__(self, list: _Optional[_Union[MailingList, _Mapping]] = ...) -> None: ...

class ListListsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListListsResponse(_message.Message):
    __slots__ = ("lists", "next_page_token")
    LISTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    lists: _containers.RepeatedCompositeFieldContainer[MailingList]
    next_page_token: str
    def __init__(self, lists: _Optional[_Iterable[_Union[MailingList, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AddListMembersRequest(_message.Message):
    __slots__ = ("tenant_id", "list_id", "emails")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    list_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., list_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class AddListMembersResponse(_message.Message):
    __slots__ = ("added",)
    ADDED_FIELD_NUMBER: _ClassVar[int]
    added: int
    def __init__(self, added: _Optional[int] = ...) -> None: ...

class RemoveListMembersRequest(_message.Message):
    __slots__ = ("tenant_id", "list_id", "emails")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    list_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., list_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveListMembersResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: int
    def __init__(self, removed: _Optional[int] = ...) -> None: ...

class ListListMembersRequest(_message.Message):
    __slots__ = ("tenant_id", "list_id", "status", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    list_id: str
    status: RecipientStatus
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., list_id: _Optional[str] = ..., status: _Optional[_Union[RecipientStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListListMembersResponse(_message.Message):
    __slots__ = ("recipients", "next_page_token")
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    next_page_token: str
    def __init__(self, recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MessageRecipient(_message.Message):
    __slots__ = ("email", "role")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    email: str
    role: RecipientRole
    def __init__(self, email: _Optional[str] = ..., role: _Optional[_Union[RecipientRole, str]] = ...) -> None: ...

class MessageRegistration(_message.Message):
    __slots__ = ("message_id", "campaign_id", "list_id", "recipients", "sequence_step", "variant", "mailbox", "smtp_message_id", "warmup")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    SMTP_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    WARMUP_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    campaign_id: str
    list_id: str
    recipients: _containers.RepeatedCompositeFieldContainer[MessageRecipient]
    sequence_step: str
    variant: str
    mailbox: str
    smtp_message_id: str
    warmup: bool
    def __init__(self, message_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., list_id: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[MessageRecipient, _Mapping]]] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., mailbox: _Optional[str] = ..., smtp_message_id: _Optional[str] = ..., warmup: _Optional[bool] = ...) -> None: ...

class RegisterMessagesRequest(_message.Message):
    __slots__ = ("tenant_id", "messages")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    messages: _containers.RepeatedCompositeFieldContainer[MessageRegistration]
    def __init__(self, tenant_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[MessageRegistration, _Mapping]]] = ...) -> None: ...

class RegisterMessagesResponse(_message.Message):
    __slots__ = ("messages", "recipients")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    messages: int
    recipients: int
    def __init__(self, messages: _Optional[int] = ..., recipients: _Optional[int] = ...) -> None: ...

class MarkSentRequest(_message.Message):
    __slots__ = ("tenant_id", "message_id", "emails")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    message_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., message_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class MarkSentResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class SentMessage(_message.Message):
    __slots__ = ("message_id", "emails")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, message_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class MarkSentBatchRequest(_message.Message):
    __slots__ = ("tenant_id", "messages")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    messages: _containers.RepeatedCompositeFieldContainer[SentMessage]
    def __init__(self, tenant_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[SentMessage, _Mapping]]] = ...) -> None: ...

class MarkSentBatchResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class MarkDeliveredRequest(_message.Message):
    __slots__ = ("tenant_id", "message_id", "emails")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    message_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., message_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class MarkDeliveredResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class MarkDeferredRequest(_message.Message):
    __slots__ = ("tenant_id", "message_id", "emails", "reason")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    message_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, tenant_id: _Optional[str] = ..., message_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class MarkDeferredResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class MarkFailedRequest(_message.Message):
    __slots__ = ("tenant_id", "message_id", "emails", "reason", "bounce_type")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    message_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    bounce_type: _events_pb2.BounceType
    def __init__(self, tenant_id: _Optional[str] = ..., message_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., bounce_type: _Optional[_Union[_events_pb2.BounceType, str]] = ...) -> None: ...

class MarkFailedResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class CheckSendableRequest(_message.Message):
    __slots__ = ("tenant_id", "emails", "list_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    list_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., list_id: _Optional[str] = ...) -> None: ...

class SendableVerdict(_message.Message):
    __slots__ = ("email", "sendable", "status", "reason")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    SENDABLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    email: str
    sendable: bool
    status: RecipientStatus
    reason: str
    def __init__(self, email: _Optional[str] = ..., sendable: _Optional[bool] = ..., status: _Optional[_Union[RecipientStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class CheckSendableResponse(_message.Message):
    __slots__ = ("verdicts",)
    VERDICTS_FIELD_NUMBER: _ClassVar[int]
    verdicts: _containers.RepeatedCompositeFieldContainer[SendableVerdict]
    def __init__(self, verdicts: _Optional[_Iterable[_Union[SendableVerdict, _Mapping]]] = ...) -> None: ...

class SuppressRequest(_message.Message):
    __slots__ = ("tenant_id", "email", "reason", "actor")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    reason: str
    actor: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class SuppressResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ...) -> None: ...

class UnsuppressRequest(_message.Message):
    __slots__ = ("tenant_id", "email", "reason", "actor")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    reason: str
    actor: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class UnsuppressResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ...) -> None: ...

class SuppressionAuditEntry(_message.Message):
    __slots__ = ("email", "action", "reason", "actor", "at")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    email: str
    action: str
    reason: str
    actor: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, email: _Optional[str] = ..., action: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSuppressionAuditRequest(_message.Message):
    __slots__ = ("tenant_id", "email", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSuppressionAuditResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[SuppressionAuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[SuppressionAuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnsubscribeRequest(_message.Message):
    __slots__ = ("tenant_id", "email", "list_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    list_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ..., list_id: _Optional[str] = ...) -> None: ...

class UnsubscribeResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ...) -> None: ...

class SetTrackingOptOutRequest(_message.Message):
    __slots__ = ("tenant_id", "email", "opt_out")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    opt_out: bool
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ..., opt_out: _Optional[bool] = ...) -> None: ...

class SetTrackingOptOutResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: Recipient
    def __init__(self, recipient: _Optional[_Union[Recipient, _Mapping]] = ...) -> None: ...

class ExportRecipientDataRequest(_message.Message):
    __slots__ = ("tenant_id", "email")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class ExportRecipientDataResponse(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class EraseRecipientRequest(_message.Message):
    __slots__ = ("tenant_id", "email")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class EraseRecipientResponse(_message.Message):
    __slots__ = ("erased",)
    ERASED_FIELD_NUMBER: _ClassVar[int]
    erased: bool
    def __init__(self, erased: _Optional[bool] = ...) -> None: ...

class GetEngagementSummaryRequest(_message.Message):
    __slots__ = ("tenant_id", "email")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    email: str
    def __init__(self, tenant_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class GetEngagementSummaryResponse(_message.Message):
    __slots__ = ("opens", "clicks", "last_engagement_at", "human_opens", "human_clicks", "recipient_id")
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLICKS_FIELD_NUMBER: _ClassVar[int]
    LAST_ENGAGEMENT_AT_FIELD_NUMBER: _ClassVar[int]
    HUMAN_OPENS_FIELD_NUMBER: _ClassVar[int]
    HUMAN_CLICKS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    opens: int
    clicks: int
    last_engagement_at: _timestamp_pb2.Timestamp
    human_opens: int
    human_clicks: int
    recipient_id: str
    def __init__(self, opens: _Optional[int] = ..., clicks: _Optional[int] = ..., last_engagement_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., human_opens: _Optional[int] = ..., human_clicks: _Optional[int] = ..., recipient_id: _Optional[str] = ...) -> None: ...

class LookupMessagesRequest(_message.Message):
    __slots__ = ("tenant_id", "smtp_message_ids", "message_ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SMTP_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    smtp_message_ids: _containers.RepeatedScalarFieldContainer[str]
    message_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., smtp_message_ids: _Optional[_Iterable[str]] = ..., message_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RegisteredMessage(_message.Message):
    __slots__ = ("message_id", "smtp_message_id", "campaign_id", "sequence_step", "variant", "mailbox", "warmup", "emails")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SMTP_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    WARMUP_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    smtp_message_id: str
    campaign_id: str
    sequence_step: str
    variant: str
    mailbox: str
    warmup: bool
    emails: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, message_id: _Optional[str] = ..., smtp_message_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., mailbox: _Optional[str] = ..., warmup: _Optional[bool] = ..., emails: _Optional[_Iterable[str]] = ...) -> None: ...

class LookupMessagesResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[RegisteredMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[RegisteredMessage, _Mapping]]] = ...) -> None: ...

class ListCampaignMessagesRequest(_message.Message):
    __slots__ = ("tenant_id", "campaign_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    campaign_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class CampaignMessage(_message.Message):
    __slots__ = ("message_id", "recipient_id", "email", "role", "delivery_status", "delivery_reason", "delivery_updated_at", "recipient_status", "sequence_step", "variant", "mailbox", "registered_at")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_REASON_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    recipient_id: str
    email: str
    role: RecipientRole
    delivery_status: DeliveryStatus
    delivery_reason: str
    delivery_updated_at: _timestamp_pb2.Timestamp
    recipient_status: RecipientStatus
    sequence_step: str
    variant: str
    mailbox: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, message_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[_Union[RecipientRole, str]] = ..., delivery_status: _Optional[_Union[DeliveryStatus, str]] = ..., delivery_reason: _Optional[str] = ..., delivery_updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recipient_status: _Optional[_Union[RecipientStatus, str]] = ..., sequence_step: _Optional[str] = ..., variant: _Optional[str] = ..., mailbox: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCampaignMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[CampaignMessage]
    next_page_token: str
    def __init__(self, messages: _Optional[_Iterable[_Union[CampaignMessage, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
