"""The gateway's bounded on-disk spool: serialized RawHitBatch records that Kafka did not
acknowledge in time, kept in append-only segment files until the broker has taken them back.

Layout: ``<root>/worker-<pid>-<random>/<sequence>.seg``, one folder per server worker, held
with ``fcntl.flock`` for the worker's lifetime. A record is ``>II`` (payload length, CRC-32
of the payload) followed by the payload. Each append is one ``write(2)`` on an unbuffered
file descriptor, so a process crash loses nothing that was appended; ``fsync`` runs at most
every ``fsync_interval_s`` (0 = after every append) and whenever a segment is sealed, so a
power failure loses at most the appends of the last interval. At start a worker adopts the
segments of every folder whose lock it can take (its worker died), ahead of its own."""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from emailtrack.common import metrics

log = logging.getLogger(__name__)

RECORD_HEADER = struct.Struct(">II")
SEGMENT_SUFFIX = ".seg"
LOCK_NAME = "lock"
WORKER_PREFIX = "worker-"


def encode_record(payload: bytes) -> bytes:
    return RECORD_HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode_records(data: bytes) -> tuple[list[bytes], int]:
    """The intact records at the start of ``data`` and the number of bytes after them that
    do not form one (a write cut short by a crash, or corruption)."""
    records: list[bytes] = []
    offset = 0
    while offset + RECORD_HEADER.size <= len(data):
        length, crc = RECORD_HEADER.unpack_from(data, offset)
        start = offset + RECORD_HEADER.size
        payload = data[start : start + length]
        if len(payload) != length or zlib.crc32(payload) != crc:
            break
        records.append(payload)
        offset = start + length
    return records, len(data) - offset


@dataclass(frozen=True)
class SealedSegment:
    """A segment no longer written to, and its intact records in append order."""

    path: Path
    records: list[bytes]


class Spool:
    """Thread-safe: request handlers append overflowing hits while the publisher thread
    appends unacknowledged batches, replays and deletes segments."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int,
        segment_bytes: int = 8 * 1024 * 1024,
        fsync_interval_s: float = 0.2,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.fsync_interval_s = fsync_interval_s
        self.directory: Path | None = None
        self._lock = threading.Lock()
        self._lock_fd: int | None = None
        self._segments: dict[Path, int] = {}  # every segment (sealed and active) -> size
        self._active: Path | None = None
        self._active_fd: int | None = None
        self._next_sequence = 1
        self._dirty = False
        self._last_sync = time.monotonic()
        self._full = False

    # -- lifecycle ------------------------------------------------------------------------

    def open(self) -> None:
        """Creates and locks this worker's folder, then adopts segments of dead workers."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{WORKER_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        staging = self.root / f".new-{name}"
        staging.mkdir()
        self._lock_fd = os.open(staging / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # renamed only once locked, so no other worker can mistake it for a dead one
        self.directory = staging.rename(self.root / name)
        for folder in sorted(self.root.glob(f"{WORKER_PREFIX}*")):
            if folder != self.directory:
                self._adopt(folder)
        self._publish_size()

    def _adopt(self, folder: Path) -> None:
        try:
            fd = os.open(folder / LOCK_NAME, os.O_RDWR)
        except OSError:
            return  # being removed by another adopter
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return  # its worker is alive
        try:
            adopted = sorted(folder.glob(f"*{SEGMENT_SUFFIX}"))
            for segment in adopted:
                target = self._new_segment_path()
                segment.rename(target)
                self._segments[target] = target.stat().st_size
            if adopted:
                log.warning("adopted %d spool segments left by %s", len(adopted), folder.name)
            (folder / LOCK_NAME).unlink(missing_ok=True)
            folder.rmdir()
        except OSError as exc:
            log.error("could not adopt spool folder %s: %s", folder, exc)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Seals the active segment (fsync) and releases the folder; segments stay on disk
        for the next worker to adopt. An empty folder is removed."""
        with self._lock:
            self._seal_active()
            if self.directory is not None and not self._segments:
                (self.directory / LOCK_NAME).unlink(missing_ok=True)
                self.directory.rmdir()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    # -- writing --------------------------------------------------------------------------

    def _new_segment_path(self) -> Path:
        assert self.directory is not None
        path = self.directory / f"{self._next_sequence:012d}{SEGMENT_SUFFIX}"
        self._next_sequence += 1
        return path

    def append(self, payload: bytes, hits: int) -> bool:
        """Appends one serialized RawHitBatch holding ``hits`` hits; False (the hits are
        counted as dropped) when the spool is full."""
        record = encode_record(payload)
        with self._lock:
            if self.bytes + len(record) > self.max_bytes:
                metrics.SPOOL_DROPPED.inc(hits)
                if not self._full:
                    self._full = True
                    log.error(
                        "spool full (%d of %d bytes in %s): dropping hits until Kafka is back",
                        self.bytes,
                        self.max_bytes,
                        self.directory,
                    )
                return False
            if self._active is not None and self._segments[self._active] >= self.segment_bytes:
                self._seal_active()
            active = self._active
            if self._active_fd is None or active is None:
                active = self._active = self._new_segment_path()
                self._active_fd = os.open(active, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                self._segments[active] = 0
            os.write(self._active_fd, record)
            self._segments[active] += len(record)
            self._dirty = True
            if self.fsync_interval_s <= 0:
                self._sync()
        metrics.SPOOL_RECORDS.inc()
        self._publish_size()
        return True

    def sync_if_due(self) -> None:
        """fsyncs the active segment if it changed and the interval has passed."""
        if time.monotonic() - self._last_sync >= self.fsync_interval_s:
            with self._lock:
                self._sync()

    def _sync(self) -> None:
        if self._dirty and self._active_fd is not None:
            os.fsync(self._active_fd)
        self._dirty = False
        self._last_sync = time.monotonic()

    def _seal_active(self) -> None:
        if self._active_fd is None:
            return
        self._sync()
        os.close(self._active_fd)
        self._active_fd = None
        self._active = None
        if self.directory is not None:
            directory_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(directory_fd)  # the new file's name is durable too
            finally:
                os.close(directory_fd)

    # -- replay ---------------------------------------------------------------------------

    @property
    def bytes(self) -> int:
        return sum(self._segments.values())

    @property
    def empty(self) -> bool:
        return not self._segments

    def oldest(self) -> SealedSegment | None:
        """The oldest segment with its records (sealing it first if it is being written)."""
        with self._lock:
            if not self._segments:
                return None
            path = min(self._segments)
            if path == self._active:
                self._seal_active()
        records, leftover = decode_records(path.read_bytes())
        if leftover:
            log.error("spool segment %s: %d trailing bytes are not a record", path, leftover)
        return SealedSegment(path, records)

    def remove(self, segment: SealedSegment) -> None:
        """Deletes a segment once the broker acknowledged every record in it."""
        with self._lock:
            segment.path.unlink(missing_ok=True)
            self._segments.pop(segment.path, None)
            if self._full and self.bytes < self.max_bytes // 2:
                self._full = False
                log.warning("spool below half of its limit again: accepting hits")
        metrics.SPOOL_REPLAYED.inc(len(segment.records))
        self._publish_size()

    @property
    def full(self) -> bool:
        return self._full

    def _publish_size(self) -> None:
        metrics.SPOOL_BYTES.set(self.bytes)
