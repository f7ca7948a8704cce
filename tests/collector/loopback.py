"""Real servers on 127.0.0.1 for the service-check tests and the benchmark: a TCP listener, an HTTP(S) server
with a self-signed certificate (made with cryptography), a small DNS server, and a closed port.

Each runs in a daemon thread and is stopped in teardown; ports are picked by binding 127.0.0.1:0.
"""

from __future__ import annotations

import datetime
import http.server
import socket
import socketserver
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path


def free_tcp_port() -> int:
    """A port nothing listens on (bound and released; nobody else picks it in the meantime in practice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(directory: Path, *, days: int = 90, name: str = "localhost") -> tuple[Path, Path]:
    """A key and a self-signed certificate for ``name`` and 127.0.0.1, valid for ``days`` days."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the stdlib's name
        routes = self.server.routes
        status, body = routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512


@dataclass
class HttpServer:
    """An HTTP (or HTTPS) server on 127.0.0.1; ``routes`` maps a path to (status, body) and can change live."""

    port: int
    server: _Server
    thread: threading.Thread
    tls: bool

    @property
    def routes(self) -> dict:
        return self.server.routes

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_http_server(*, tls_files: tuple[Path, Path] | None = None, routes: dict | None = None) -> HttpServer:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes = routes if routes is not None else {"/": (200, b"hello"), "/health": (200, b"status: ok")}
    if tls_files:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile=str(tls_files[1]), keyfile=str(tls_files[0]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return HttpServer(port=server.server_address[1], server=server, thread=thread, tls=bool(tls_files))


@dataclass
class TcpListener:
    """A TCP port on 127.0.0.1 that accepts and closes connections (a big backlog for the benchmark)."""

    port: int
    sock: socket.socket
    thread: threading.Thread
    accepted: int = 0
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True
        self.sock.close()
        self.thread.join(timeout=5)


def start_tcp_listener(port: int = 0) -> TcpListener:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.settimeout(0.2)
    listener = TcpListener(port=sock.getsockname()[1], sock=sock, thread=None)  # type: ignore[arg-type]

    def serve():
        while not listener.stopped:
            try:
                connection, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            listener.accepted += 1
            connection.close()

    listener.thread = threading.Thread(target=serve, daemon=True)
    listener.thread.start()
    return listener


@dataclass
class DnsServer:
    """A UDP DNS server on 127.0.0.1 answering A queries from ``records`` (name -> address), else NXDOMAIN."""

    port: int
    sock: socket.socket
    thread: threading.Thread
    records: dict

    def stop(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


def _dns_reply(query: bytes, records: dict) -> bytes:
    query_id, _flags, _qd, _an, _ns, _ar = struct.unpack("!HHHHHH", query[:12])
    position, labels = 12, []
    while query[position]:
        length = query[position]
        labels.append(query[position + 1 : position + 1 + length].decode())
        position += 1 + length
    question_end = position + 5
    qtype = struct.unpack("!H", query[position + 1 : position + 3])[0]
    name = ".".join(labels).lower()
    question = query[12:question_end]
    address = records.get(name)
    if address is None:
        return struct.pack("!HHHHHH", query_id, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
    if qtype != 1:
        return struct.pack("!HHHHHH", query_id, 0x8180, 1, 0, 0, 0) + question
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(address)
    return struct.pack("!HHHHHH", query_id, 0x8180, 1, 1, 0, 0) + question + answer


def start_dns_server(records: dict) -> DnsServer:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    server = DnsServer(port=sock.getsockname()[1], sock=sock, thread=None, records=records)  # type: ignore[arg-type]

    def serve():
        while True:
            try:
                data, peer = sock.recvfrom(512)
            except OSError:
                return
            try:
                sock.sendto(_dns_reply(data, server.records), peer)
            except (OSError, IndexError, struct.error):
                continue

    server.thread = threading.Thread(target=serve, daemon=True)
    server.thread.start()
    return server
