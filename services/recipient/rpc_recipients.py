"""RPCs on recipients, lists and memberships."""

from __future__ import annotations

import grpc

from emailtrack.common.rpc import rpc
from emailtrack.v1 import recipient_pb2
from services.recipient.domain import paging
from services.recipient.domain.addresses import normalise
from services.recipient.domain.errors import InvalidArgument
from services.recipient.domain.suppression import RecipientStatus
from services.recipient.rpc_support import (
    MAX_BATCH,
    addresses,
    recipient_proto,
    require_id,
    tenant_of,
    timestamp,
)
from services.recipient.store.recipients import MailingList, RecipientFilter, RecipientStore


def _status_filter(value: int) -> RecipientStatus | None:
    if value == recipient_pb2.RECIPIENT_STATUS_UNSPECIFIED:
        return None
    try:
        return RecipientStatus(value)
    except ValueError as exc:
        raise InvalidArgument(f"unknown status {value}") from exc


def _list_proto(item: MailingList) -> recipient_pb2.MailingList:
    return recipient_pb2.MailingList(
        tenant_id=item.tenant_id,
        list_id=item.list_id,
        name=item.name,
        member_count=item.member_count,
        created_at=timestamp(item.created_at),
    )


class RecipientRpcs:
    recipients: RecipientStore

    @rpc
    def UpsertRecipients(
        self, request: recipient_pb2.UpsertRecipientsRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.UpsertRecipientsResponse:
        tenant = tenant_of(request)
        if not request.recipients:
            raise InvalidArgument("recipients must not be empty")
        if len(request.recipients) > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} recipients per call")
        found = addresses(tenant, [r.email for r in request.recipients], "recipients.email")
        rows = self.recipients.upsert(
            tenant, [(a, dict(r.metadata)) for a, r in zip(found, request.recipients, strict=True)]
        )
        return recipient_pb2.UpsertRecipientsResponse(recipients=[recipient_proto(r) for r in rows])

    @rpc
    def GetRecipient(
        self, request: recipient_pb2.GetRecipientRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.GetRecipientResponse:
        tenant = tenant_of(request)
        row = self.recipients.get(tenant, normalise(tenant, request.email).recipient_id)
        return recipient_pb2.GetRecipientResponse(recipient=recipient_proto(row))

    @rpc
    def ListRecipients(
        self, request: recipient_pb2.ListRecipientsRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ListRecipientsResponse:
        where = RecipientFilter(
            _status_filter(request.status),
            request.list_id,
            require_id(request.email_prefix, "email_prefix", required=False).lower(),
            require_id(request.email_contains, "email_contains", required=False).lower(),
        )
        return self._page(tenant_of(request), where, request.page_size, request.page_token)

    @rpc
    def ListListMembers(
        self, request: recipient_pb2.ListListMembersRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ListListMembersResponse:
        where = RecipientFilter(
            _status_filter(request.status), require_id(request.list_id, "list_id")
        )
        page = self._page(tenant_of(request), where, request.page_size, request.page_token)
        return recipient_pb2.ListListMembersResponse(
            recipients=page.recipients, next_page_token=page.next_page_token
        )

    def _page(
        self, tenant: str, where: RecipientFilter, size: int, token: str
    ) -> recipient_pb2.ListRecipientsResponse:
        limit = paging.page_size(size)
        rows = self.recipients.list_recipients(tenant, where, paging.decode_token(token), limit)
        next_token = paging.encode_token(rows[-1].recipient_id) if len(rows) == limit else ""
        return recipient_pb2.ListRecipientsResponse(
            recipients=[recipient_proto(r) for r in rows], next_page_token=next_token
        )

    @rpc
    def CreateList(
        self, request: recipient_pb2.CreateListRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.CreateListResponse:
        tenant = tenant_of(request)
        list_id = require_id(request.list_id, "list_id")
        created = self.recipients.create_list(tenant, list_id, request.name or list_id)
        return recipient_pb2.CreateListResponse(list=_list_proto(created))

    @rpc
    def ListLists(
        self, request: recipient_pb2.ListListsRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ListListsResponse:
        limit = paging.page_size(request.page_size)
        found = self.recipients.lists(
            tenant_of(request), paging.decode_token(request.page_token), limit
        )
        next_token = paging.encode_token(found[-1].list_id) if len(found) == limit else ""
        return recipient_pb2.ListListsResponse(
            lists=[_list_proto(item) for item in found], next_page_token=next_token
        )

    @rpc
    def AddListMembers(
        self, request: recipient_pb2.AddListMembersRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.AddListMembersResponse:
        tenant = tenant_of(request)
        list_id = require_id(request.list_id, "list_id")
        added = self.recipients.add_members(tenant, list_id, addresses(tenant, request.emails))
        return recipient_pb2.AddListMembersResponse(added=added)

    @rpc
    def RemoveListMembers(
        self, request: recipient_pb2.RemoveListMembersRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.RemoveListMembersResponse:
        tenant = tenant_of(request)
        list_id = require_id(request.list_id, "list_id")
        ids = [a.recipient_id for a in addresses(tenant, request.emails)]
        return recipient_pb2.RemoveListMembersResponse(
            removed=self.recipients.remove_members(tenant, list_id, ids)
        )
