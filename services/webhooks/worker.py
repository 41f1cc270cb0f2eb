"""The delivery worker (a background job): claims due deliveries, posts them signed (one
event per request, or one JSON array per endpoint in batch mode) on a bounded thread pool
with at most ``per_endpoint`` requests in flight per endpoint, and records each attempt:
delivered on 2xx, otherwise retried with backoff and jitter until the retry window ends."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from opentelemetry import trace
from prometheus_client import Counter, Histogram

from services.webhooks.domain.backoff import RetryPolicy
from services.webhooks.poster import Poster, PostResult
from services.webhooks.signing import signature_headers
from services.webhooks.store.deliveries import DeliveryStore, Due, Outcome
from services.webhooks.store.endpoints import EndpointStore

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

ATTEMPTS = Counter("emailtrack_webhook_attempts_total", "Webhook POST attempts", ["outcome"])
LATENCY = Histogram("emailtrack_webhook_latency_seconds", "Webhook POST latency")


@dataclass(frozen=True)
class WorkerSettings:
    workers: int = 16
    per_endpoint: int = 4
    batch_size: int = 100
    claim_limit: int = 500
    # Rows this process makes due wake the worker at once (DeliveryStore.wakeup, a freed
    # slot too); the poll finds retries coming due and rows another replica enqueued.
    poll_interval_s: float = 1.0
    lease: timedelta = timedelta(minutes=2)
    disable_after: timedelta = timedelta(days=5)
    # How long an endpoint's live secrets are reused before being read again: a rotated-in
    # secret starts signing within this time (the old ones keep signing for their grace).
    secrets_ttl_s: float = 5.0


def batch_id(deliveries: list[Due]) -> str:
    """A batch request's webhook-id: deterministic in its events (each event inside keeps
    its own id, the receiver's idempotency key)."""
    digest = hashlib.sha256("\n".join(sorted(d.event_id for d in deliveries)).encode())
    return "batch_" + digest.hexdigest()[:32]


class DeliveryWorker:
    def __init__(
        self,
        endpoints: EndpointStore,
        deliveries: DeliveryStore,
        poster: Poster,
        retry: RetryPolicy,
        settings: WorkerSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.endpoints = endpoints
        self.deliveries = deliveries
        self.poster = poster
        self.retry = retry
        self.settings = settings
        self.clock = clock
        self._in_flight: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._secrets: dict[str, tuple[float, list[str]]] = {}

    def run(self, stop: threading.Event) -> None:
        with ThreadPoolExecutor(self.settings.workers, "webhook-post") as pool:
            wakeup = self.deliveries.wakeup
            while not stop.is_set():
                wakeup.clear()
                try:
                    requests = self._claim()
                except Exception:
                    log.exception("claiming deliveries failed; retrying")
                    stop.wait(1.0)
                    continue
                if not requests:
                    wakeup.wait(self.settings.poll_interval_s)
                    continue
                for group in requests:
                    pool.submit(self._send_logged, group)

    def _claim(self) -> list[list[Due]]:
        """Due deliveries grouped into requests, within each endpoint's free slots (nothing
        while every worker of the pool is busy)."""
        settings = self.settings
        with self._lock:
            busy = dict(self._in_flight)
        if sum(busy.values()) >= settings.workers:
            return []
        free = {e: max(0, settings.per_endpoint - n) for e, n in busy.items()}
        claimed = self.deliveries.claim(
            settings.claim_limit, free, settings.per_endpoint, settings.batch_size, settings.lease
        )
        by_endpoint: dict[str, list[Due]] = defaultdict(list)
        for due in claimed:
            by_endpoint[due.endpoint_id].append(due)
        requests: list[list[Due]] = []
        for endpoint_rows in by_endpoint.values():
            size = settings.batch_size if endpoint_rows[0].batch else 1
            requests += [endpoint_rows[i : i + size] for i in range(0, len(endpoint_rows), size)]
        with self._lock:
            for group in requests:
                self._in_flight[group[0].endpoint_id] += 1
        return requests

    def _send_logged(self, group: list[Due]) -> None:
        endpoint_id = group[0].endpoint_id
        try:
            self.send(group)
        except Exception:
            # the lease expires and the deliveries are claimed again
            log.exception("delivering to %s failed", endpoint_id)
        finally:
            with self._lock:
                self._in_flight[endpoint_id] -= 1
                if not self._in_flight[endpoint_id]:
                    del self._in_flight[endpoint_id]
            self.deliveries.wakeup.set()  # a slot is free: claim what waits for it

    def send(self, group: list[Due]) -> PostResult:
        """Posts one request for ``group`` (deliveries of one endpoint) and records it."""
        first = group[0]
        if first.batch:
            message_id, body = batch_id(group), "[" + ",".join(d.payload for d in group) + "]"
        else:
            message_id, body = first.event_id, first.payload
        with tracer.start_as_current_span("webhook.post") as span:
            span.set_attribute("webhook.endpoint_id", first.endpoint_id)
            span.set_attribute("webhook.events", len(group))
            secrets = self._live_secrets(first.endpoint_id)
            headers = signature_headers(message_id, self.clock(), body, secrets)
            result = self.poster.post(first.url, body.encode(), headers)
            span.set_attribute("http.response.status_code", result.status_code)
        ATTEMPTS.labels("ok" if result.ok else "failed").inc()
        LATENCY.observe(result.latency_ms / 1000)
        self.deliveries.record(
            [self._outcome(due, result) for due in group], self.settings.disable_after
        )
        return result

    def _live_secrets(self, endpoint_id: str) -> list[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._secrets.get(endpoint_id)
        if cached is not None and now - cached[0] < self.settings.secrets_ttl_s:
            return cached[1]
        secrets = self.endpoints.live_secrets(endpoint_id)
        with self._lock:
            self._secrets[endpoint_id] = (now, secrets)
        return secrets

    def _outcome(self, due: Due, result: PostResult) -> Outcome:
        retry_at: datetime | None = None
        if not result.ok:
            now = self.clock()
            started = due.first_attempt_at or now
            if not self.retry.gives_up(now - started):
                retry_at = now + self.retry.delay(due.attempt_count + 1)
        return Outcome(
            due.delivery_id,
            due.endpoint_id,
            result.ok,
            result.status_code,
            result.latency_ms,
            result.snippet,
            result.error,
            retry_at,
        )
