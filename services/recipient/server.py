"""RecipientService gRPC servicer: the RPC groups bound to their stores."""

from __future__ import annotations

from emailtrack.v1 import recipient_pb2_grpc
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.rpc_messages import MessageRpcs
from services.recipient.rpc_privacy import PrivacyRpcs
from services.recipient.rpc_recipients import RecipientRpcs
from services.recipient.store.messages import MessageStore
from services.recipient.store.privacy import PrivacyStore
from services.recipient.store.recipients import RecipientStore
from services.recipient.store.suppression import SuppressionStore


class RecipientServicer(
    RecipientRpcs, MessageRpcs, PrivacyRpcs, recipient_pb2_grpc.RecipientServiceServicer
):
    def __init__(
        self,
        recipients: RecipientStore,
        messages: MessageStore,
        suppression: SuppressionStore,
        privacy: PrivacyStore,
        analytics: AnalyticsClient,
    ) -> None:
        self.recipients = recipients
        self.messages = messages
        self.suppression = suppression
        self.privacy = privacy
        self.analytics = analytics
