"""Optional TLS and mTLS on gRPC (EMAILTRACK_GRPC_TLS_*): a server with a certificate and a
client CA refuses plaintext callers and TLS callers without a client certificate; a client
with the CA and its own certificate gets through (the API key is still required)."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from emailtrack.common.config import ConfigError, GrpcTls
from emailtrack.common.grpc_server import ServiceRegistration, client_channel, start_server
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from tests.grpc_credentials import TEST_AUTH, TEST_KEY

KEYS = TokenKeys.parse("k1:" + "s" * 43)
Issued = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def issue(name: str, issuer: Issued | None = None, server: bool = False) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), True)
    )
    if server:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256()), key


def write(folder: Path, name: str, issued: Issued) -> tuple[str, str]:
    cert, key = issued
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("pki")
    ca = issue("emailtrack test CA")
    ca_cert, _ = write(folder, "ca", ca)
    server_cert, server_key = write(folder, "server", issue("localhost", ca, server=True))
    client_cert, client_key = write(folder, "client", issue("gateway", ca))
    stranger = issue("stranger CA")
    stranger_cert, stranger_key = write(folder, "stranger", issue("intruder", stranger))
    return {
        "ca": ca_cert,
        "server_cert": server_cert,
        "server_key": server_key,
        "client_cert": client_cert,
        "client_key": client_key,
        "stranger_cert": stranger_cert,
        "stranger_key": stranger_key,
    }


@pytest.fixture(scope="module")
def address(pki: dict[str, str]) -> Iterator[str]:
    tls = GrpcTls(pki["server_cert"], pki["server_key"], client_ca_file=pki["ca"])
    registration = ServiceRegistration(
        TrackingEdgeServicer(Instrumenter("https://t.example.com", KEYS), KEYS),
        tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
        "emailtrack.v1.TrackingEdgeService",
    )
    server = start_server([registration], 0, "127.0.0.1", auth=TEST_AUTH, tls=tls)
    yield f"localhost:{server.port}"
    server.stop(0)


def verify_token(address: str, tls: GrpcTls | None, key: str | None = TEST_KEY) -> grpc.StatusCode:
    with client_channel(address, deadline_s=5, api_key=key, tls=tls) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        try:
            stub.VerifyToken(tracking_edge_pb2.VerifyTokenRequest(token="x"))
        except grpc.RpcError as exc:
            return exc.code()
    return grpc.StatusCode.OK


def test_mutual_tls_lets_a_certified_client_in(address: str, pki: dict[str, str]) -> None:
    client = GrpcTls(pki["client_cert"], pki["client_key"], ca_file=pki["ca"])
    assert verify_token(address, client) == grpc.StatusCode.OK
    assert verify_token(address, client, key=None) == grpc.StatusCode.UNAUTHENTICATED


def test_callers_without_a_trusted_certificate_are_refused(
    address: str, pki: dict[str, str]
) -> None:
    assert verify_token(address, None) == grpc.StatusCode.UNAVAILABLE
    assert verify_token(address, GrpcTls(ca_file=pki["ca"])) == grpc.StatusCode.UNAVAILABLE
    stranger = GrpcTls(pki["stranger_cert"], pki["stranger_key"], ca_file=pki["ca"])
    assert verify_token(address, stranger) == grpc.StatusCode.UNAVAILABLE


def test_half_configured_tls_fails_at_start() -> None:
    with pytest.raises(ConfigError):
        GrpcTls.from_env({"EMAILTRACK_GRPC_TLS_CERT": "/x.crt"})
    with pytest.raises(ConfigError):
        GrpcTls.from_env({"EMAILTRACK_GRPC_TLS_CLIENT_CA": "/ca.crt"})
