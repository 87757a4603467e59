"""An https delivery connects to the approved address yet checks the certificate against
the URL's host name (a receiver with its own CA, as a private network would have)."""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webhooks import sending


def _certificate(subject, issuer, key, signer, *, ca=False, names=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
def https_receiver(tmp_path, monkeypatch, settings):
    """An https server on 127.0.0.1 whose certificate names only "localhost"."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", "Test CA", ca_key, ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("localhost", "Test CA", leaf_key, ca_key, names=[x509.DNSName("localhost")])
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (tmp_path / "leaf.key").write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    # The default context trusts the system's CAs, and the file this variable names.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    hosts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hosts
    server.shutdown()
    server.server_close()


def _post(url):
    return sending.post(
        url=url, secret="whsec_x", event="webhook.test", delivery_id="d", body=b"{}"
    )


def test_https_to_the_named_host_is_verified_and_delivered(https_receiver):
    port, hosts = https_receiver
    outcome = _post(f"https://localhost:{port}/hook")
    assert (outcome.status_code, outcome.error) == (204, "")
    assert hosts == [f"localhost:{port}"]


def test_a_certificate_for_another_name_is_refused(https_receiver):
    port, hosts = https_receiver
    outcome = _post(f"https://127.0.0.1:{port}/hook")
    assert outcome.status_code is None
    assert "certificate" in outcome.error.lower() or "hostname" in outcome.error.lower()
    assert hosts == []
