"""Reading configuration from environment variables (see the table in README.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(ValueError):
    """A required setting is missing or malformed; raised at start-up, never later."""


def env_str(name: str, default: str | None = None, env: Mapping[str, str] | None = None) -> str:
    source = os.environ if env is None else env
    value = source.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigError(f"environment variable {name} is required")
    return default


def env_int(name: str, default: int, env: Mapping[str, str] | None = None) -> int:
    raw = env_str(name, str(default), env)
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, env: Mapping[str, str] | None = None) -> list[str]:
    return [item.strip() for item in env_str(name, "", env).split(",") if item.strip()]


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str
    session_timeout_ms: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KafkaSettings:
        return cls(
            bootstrap_servers=env_str("EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", env),
            session_timeout_ms=env_int("EMAILTRACK_KAFKA_SESSION_TIMEOUT_MS", 10000, env),
        )


@dataclass(frozen=True)
class GrpcTls:
    """Optional TLS on gRPC (PEM files). A server with ``cert_file``/``key_file`` serves TLS;
    with ``client_ca_file`` too it requires client certificates signed by that CA (mTLS).
    A client with ``ca_file`` connects over TLS trusting that CA and, with
    ``cert_file``/``key_file``, presents them (one workload certificate for both sides)."""

    cert_file: str = ""
    key_file: str = ""
    client_ca_file: str = ""
    ca_file: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GrpcTls:
        tls = cls(
            cert_file=env_str("EMAILTRACK_GRPC_TLS_CERT", "", env),
            key_file=env_str("EMAILTRACK_GRPC_TLS_KEY", "", env),
            client_ca_file=env_str("EMAILTRACK_GRPC_TLS_CLIENT_CA", "", env),
            ca_file=env_str("EMAILTRACK_GRPC_TLS_CA", "", env),
        )
        if bool(tls.cert_file) != bool(tls.key_file):
            raise ConfigError("EMAILTRACK_GRPC_TLS_CERT and EMAILTRACK_GRPC_TLS_KEY go together")
        if tls.client_ca_file and not tls.cert_file:
            raise ConfigError("EMAILTRACK_GRPC_TLS_CLIENT_CA needs a server certificate and key")
        return tls


@dataclass(frozen=True)
class AuthSettings:
    """Credentials on gRPC (docs/security.md): this process's own service key for the calls
    it makes, the service keys it accepts (``name:scope+scope:sha256hex``), where the API key
    store answers, how long a verification is cached, the per-key rate limit, and TLS."""

    service_key: str = ""
    accepted_service_keys: tuple[str, ...] = ()
    key_store_addr: str = "127.0.0.1:15052"
    key_cache_s: float = 5.0
    rate_limit_per_s: float = 100.0
    rate_limit_burst: int = 200
    tls: GrpcTls = GrpcTls()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuthSettings:
        recipient = env_str("EMAILTRACK_RECIPIENT_ADDR", "127.0.0.1:15052", env)
        settings = cls(
            service_key=env_str("EMAILTRACK_SERVICE_KEY", "", env),
            accepted_service_keys=tuple(env_list("EMAILTRACK_SERVICE_KEYS", env)),
            key_store_addr=env_str("EMAILTRACK_API_KEY_STORE_ADDR", recipient, env),
            key_cache_s=env_int("EMAILTRACK_API_KEY_CACHE_S", 5, env),
            rate_limit_per_s=env_int("EMAILTRACK_RATE_LIMIT_PER_S", 100, env),
            rate_limit_burst=env_int("EMAILTRACK_RATE_LIMIT_BURST", 200, env),
            tls=GrpcTls.from_env(env),
        )
        if settings.key_cache_s < 0 or settings.rate_limit_per_s < 0:
            raise ConfigError("the key cache time and the rate limit must not be negative")
        return settings

    def require_service_key(self) -> str:
        """Fails closed at start when this process has no credential for its own calls."""
        if len(self.service_key) < 32:
            raise ConfigError("EMAILTRACK_SERVICE_KEY (at least 32 characters) is required")
        return self.service_key


@dataclass(frozen=True)
class ServiceSettings:
    """Settings every gRPC service shares."""

    name: str
    database_url: str
    grpc_port: int
    metrics_port: int
    bind_host: str
    kafka: KafkaSettings
    auth: AuthSettings = AuthSettings()

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str] | None = None) -> ServiceSettings:
        return cls(
            name=name,
            database_url=env_str("EMAILTRACK_DATABASE_URL", None, env),
            grpc_port=env_int("EMAILTRACK_GRPC_PORT", 50051, env),
            metrics_port=env_int("EMAILTRACK_METRICS_PORT", 9464, env),
            bind_host=env_str("EMAILTRACK_BIND_HOST", "0.0.0.0", env),
            kafka=KafkaSettings.from_env(env),
            auth=AuthSettings.from_env(env),
        )
