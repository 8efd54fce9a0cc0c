"""HTTPS: the connection goes to the checked address, the certificate is checked for the name."""

from __future__ import annotations

import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from truedesk.channels.webhooks import transport
from truedesk.channels.webhooks.addresses import parse_networks

LOOPBACK = parse_networks(["127.0.0.1/32", "::1/128"])


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS server on 127.0.0.1 with a certificate for "localhost" that we trust."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hosts.append(self.headers.get("Host"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hosts
    finally:
        server.shutdown()
        server.server_close()


def test_https_by_name_connects_to_the_checked_address_and_verifies_the_name(tls_receiver):
    port, hosts = tls_receiver
    outcome = transport.post(
        url=f"https://localhost:{port}/hook", body=b"{}", headers={}, allowed=LOOPBACK
    )
    assert outcome.ok and outcome.status_code == 204
    assert hosts == [f"localhost:{port}"]


def test_a_certificate_for_another_name_fails_the_attempt(tls_receiver):
    port, hosts = tls_receiver
    outcome = transport.post(
        url=f"https://127.0.0.1:{port}/hook", body=b"{}", headers={}, allowed=LOOPBACK
    )
    assert not outcome.ok and "doesn't match" in outcome.error
    assert hosts == []


def test_an_unreachable_port_is_a_failed_attempt_not_an_exception():
    outcome = transport.post(
        url="http://127.0.0.1:9/hook", body=b"{}", headers={}, allowed=LOOPBACK
    )
    assert outcome.status_code is None and outcome.error
