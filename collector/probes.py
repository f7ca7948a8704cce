"""The probes of service checks, asyncio only (no subprocess per check, no threads per probe):

* ICMP echo through one raw socket per address family (root; unprivileged ICMP sockets are disabled on these
  machines). Replies are matched by type (echo reply), identifier and sequence, and the sender's address:
  on loopback the raw socket also sees our own requests, and every raw ICMP socket on the host sees every
  reply, fping's included.
* TCP connect, HTTP(S) (status, keyword, response time, the certificate's expiry), a DNS answer over UDP,
  SNMP reachability (sysUpTime through the collector's SNMP client).

Each probe returns the response time in milliseconds or raises :class:`ProbeError` with a message people
can read ("connection refused", "HTTP 503", "no answer within 2.0 s").
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import ssl
import struct
import time
from dataclasses import dataclass

ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY = 8, 0
ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY = 128, 129
PAYLOAD = b"ServerStock-monitor" + bytes(37)  # 56 bytes like ping(8)
MAX_BODY = 256 * 1024
USER_AGENT = "ServerStock-monitor/1"


class ProbeError(Exception):
    """The check failed; the message says why."""


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(identifier: int, sequence: int, *, v6: bool = False) -> bytes:
    """An ICMP(v6) echo request; the kernel computes the ICMPv6 checksum itself."""
    kind = ICMP6_ECHO_REQUEST if v6 else ICMP_ECHO_REQUEST
    header = struct.pack("!BBHHH", kind, 0, 0, identifier, sequence)
    if v6:
        return header + PAYLOAD
    checksum = _checksum(header + PAYLOAD)
    return struct.pack("!BBHHH", kind, 0, checksum, identifier, sequence) + PAYLOAD


class IcmpPinger:
    """Echo requests through one raw socket per family, replies dispatched to the waiting probes.

    ``identifier`` is random per pinger, so two pingers (two collectors, fping) on one host never take
    each other's replies; ``sequence`` counts up per request (16 bits, wrapping).
    """

    def __init__(self, *, identifier: int | None = None, receive_buffer: int = 8 * 1024 * 1024):
        self.identifier = identifier if identifier is not None else random.getrandbits(16)
        self.receive_buffer = receive_buffer
        self._sockets: dict[int, socket.socket] = {}
        self._pending: dict[tuple[str, int], asyncio.Future] = {}
        self._sequence = random.getrandbits(16)
        self.sent = 0
        self.received = 0
        self.foreign = 0

    def _socket(self, family: int) -> socket.socket:
        sock = self._sockets.get(family)
        if sock is None:
            proto = socket.IPPROTO_ICMPV6 if family == socket.AF_INET6 else socket.IPPROTO_ICMP
            try:
                sock = socket.socket(family, socket.SOCK_RAW, proto)
            except PermissionError as error:
                raise ProbeError("ICMP needs root (raw sockets) on this machine") from error
            sock.setblocking(False)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
            except OSError:
                pass
            asyncio.get_running_loop().add_reader(sock.fileno(), self._readable, sock, family)
            self._sockets[family] = sock
        return sock

    def _readable(self, sock: socket.socket, family: int) -> None:
        now = time.perf_counter()
        while True:
            try:
                data, source = sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if family == socket.AF_INET:
                offset = (data[0] & 0x0F) * 4  # IPv4 raw sockets deliver the IP header too
                reply = ICMP_ECHO_REPLY
            else:
                offset = 0
                reply = ICMP6_ECHO_REPLY
            if len(data) < offset + 8 or data[offset] != reply:
                continue  # our own echo requests on loopback, unreachables, other traffic
            identifier, sequence = struct.unpack_from("!HH", data, offset + 4)
            if identifier != self.identifier:
                self.foreign += 1
                continue
            future = self._pending.pop((source[0], sequence), None)
            if future is not None and not future.done():
                self.received += 1
                future.set_result(now)

    async def ping(self, address: str, *, timeout: float) -> float:
        """One echo; the round trip in ms, or ProbeError when no reply comes within ``timeout``."""
        ip = ipaddress.ip_address(address)
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sock = self._socket(family)
        loop = asyncio.get_running_loop()
        self._sequence = (self._sequence + 1) & 0xFFFF
        sequence = self._sequence
        key = (str(ip), sequence)
        future = loop.create_future()
        self._pending[key] = future
        packet = echo_request(self.identifier, sequence, v6=family == socket.AF_INET6)
        started = time.perf_counter()
        try:
            await loop.sock_sendto(sock, packet, (str(ip), 0))
            self.sent += 1
            received = await asyncio.wait_for(future, timeout)
        except TimeoutError as error:
            raise ProbeError(f"no echo reply within {timeout:g} s") from error
        except OSError as error:
            raise ProbeError(f"ping failed: {error.strerror or error}") from error
        finally:
            self._pending.pop(key, None)
        return (received - started) * 1000

    def close(self) -> None:
        for sock in self._sockets.values():
            try:
                asyncio.get_running_loop().remove_reader(sock.fileno())
            except RuntimeError:
                pass
            sock.close()
        self._sockets.clear()


async def _resolve(host: str, port: int, *, kind=socket.SOCK_STREAM) -> tuple[int, tuple]:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return (socket.AF_INET6 if ip.version == 6 else socket.AF_INET), (str(ip), port)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=kind)
    except socket.gaierror as error:
        raise ProbeError(f"{host} does not resolve: {error.strerror}") from error
    family, _type, _proto, _name, address = infos[0]
    return family, address


def _os_error_text(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return (error.strerror or str(error) or type(error).__name__).lower()


async def tcp_connect(host: str, port: int, *, timeout: float) -> float:
    """Open and close a TCP connection; the connect time in ms."""
    family, address = await _resolve(host, port)
    loop = asyncio.get_running_loop()
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    started = time.perf_counter()
    try:
        await asyncio.wait_for(loop.sock_connect(sock, address), timeout)
    except TimeoutError as error:
        raise ProbeError(f"no connection within {timeout:g} s") from error
    except OSError as error:
        raise ProbeError(_os_error_text(error)) from error
    finally:
        sock.close()
    return (time.perf_counter() - started) * 1000


_SSL_CONTEXTS: dict[bool, ssl.SSLContext] = {}


def ssl_context(*, verify: bool) -> ssl.SSLContext:
    """One context per verification mode, made once (loading the CA store takes milliseconds)."""
    context = _SSL_CONTEXTS.get(verify)
    if context is None:
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        _SSL_CONTEXTS[verify] = context
    return context


def certificate_not_after(der: bytes) -> float | None:
    """The expiry (a UNIX time) of a DER certificate."""
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc.timestamp()
    except ValueError:
        return None


@dataclass
class HttpOutcome:
    status: int
    response_ms: float
    cert_expires_at: float | None = None
    body: bytes = b""


def _dechunk(body: bytes) -> bytes:
    out, position = bytearray(), 0
    while position < len(body):
        end = body.find(b"\r\n", position)
        if end < 0:
            break
        try:
            size = int(body[position:end].split(b";")[0], 16)
        except ValueError:
            return body
        if size == 0:
            break
        out += body[end + 2 : end + 2 + size]
        position = end + 2 + size + 2
    return bytes(out)


async def http_get(
    host: str,
    port: int,
    *,
    path: str = "/",
    tls: bool = False,
    verify: bool = True,
    host_header: str = "",
    timeout: float,
    read_body: bool = False,
) -> HttpOutcome:
    """GET ``path``; the status, the time to the response headers, the certificate's expiry and the body."""
    name = host_header or host
    started = time.perf_counter()

    async def exchange() -> HttpOutcome:
        try:
            reader, writer = await asyncio.open_connection(
                host,
                port,
                ssl=ssl_context(verify=verify) if tls else None,
                server_hostname=name if tls else None,
                limit=MAX_BODY,
            )
        except ssl.SSLCertVerificationError as error:
            raise ProbeError(f"certificate not trusted: {error.verify_message}") from error
        except ssl.SSLError as error:
            raise ProbeError(f"TLS failed: {error.reason or error}") from error
        except OSError as error:
            raise ProbeError(_os_error_text(error)) from error
        try:
            expires = None
            if tls:
                der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
                expires = certificate_not_after(der) if der else None
            default_port = 443 if tls else 80
            host_value = name if port == default_port else f"{name}:{port}"
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host_value}\r\nUser-Agent: {USER_AGENT}\r\n"
                f"Accept: */*\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            status_line = await reader.readline()
            parts = status_line.split(None, 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
                raise ProbeError("not an HTTP answer")
            status = int(parts[1])
            chunked = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                    chunked = True
            elapsed = (time.perf_counter() - started) * 1000
            body = b""
            if read_body:
                chunks, size = [], 0
                while size < MAX_BODY:
                    chunk = await reader.read(MAX_BODY - size)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                body = b"".join(chunks)
                if chunked:
                    body = _dechunk(body)
            return HttpOutcome(status=status, response_ms=elapsed, cert_expires_at=expires, body=body)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError) as error:
            raise ProbeError(f"connection lost: {error}") from error
        finally:
            writer.close()

    try:
        return await asyncio.wait_for(exchange(), timeout)
    except TimeoutError as error:
        raise ProbeError(f"no answer within {timeout:g} s") from error


# DNS ------------------------------------------------------------------------------------------------

DNS_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28}
DNS_RCODES = {1: "format error", 2: "server failure", 3: "no such name", 4: "not implemented", 5: "refused"}


def dns_query(name: str, record_type: str, *, query_id: int) -> bytes:
    """A recursive query for ``name``/``record_type`` (class IN)."""
    labels = b"".join(bytes([len(label)]) + label.encode("idna") for label in name.rstrip(".").split(".") if label)
    return (
        struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 0)
        + labels
        + b"\0"
        + struct.pack("!HH", DNS_TYPES[record_type], 1)
    )


def _read_name(message: bytes, position: int) -> tuple[str, int]:
    labels, jumped, end, hops = [], False, position, 0
    while True:
        if position >= len(message) or hops > 64:
            raise ProbeError("malformed DNS answer")
        length = message[position]
        if length & 0xC0 == 0xC0:
            if not jumped:
                end = position + 2
            position = struct.unpack_from("!H", message, position)[0] & 0x3FFF
            jumped, hops = True, hops + 1
            continue
        if length == 0:
            if not jumped:
                end = position + 1
            return ".".join(labels), end
        labels.append(message[position + 1 : position + 1 + length].decode("ascii", "replace"))
        position += 1 + length


def dns_answers(message: bytes, *, query_id: int, record_type: str) -> list[str]:
    """The answers of ``record_type`` in a response, as text; ProbeError for an error code."""
    if len(message) < 12:
        raise ProbeError("malformed DNS answer")
    answer_id, flags, questions, answers, _ns, _extra = struct.unpack_from("!HHHHHH", message)
    if answer_id != query_id:
        raise ProbeError("DNS answer to another query")
    rcode = flags & 0x000F
    if rcode:
        raise ProbeError(f"DNS {DNS_RCODES.get(rcode, f'error {rcode}')}")
    position = 12
    for _ in range(questions):
        _name, position = _read_name(message, position)
        position += 4
    wanted = DNS_TYPES[record_type]
    found = []
    for _ in range(answers):
        _name, position = _read_name(message, position)
        kind, _class, _ttl, length = struct.unpack_from("!HHIH", message, position)
        position += 10
        data = message[position : position + length]
        if kind == wanted:
            if kind == 1 and length == 4:
                found.append(socket.inet_ntop(socket.AF_INET, data))
            elif kind == 28 and length == 16:
                found.append(socket.inet_ntop(socket.AF_INET6, data))
            elif kind in (2, 5):
                found.append(_read_name(message, position)[0])
            elif kind == 15:
                found.append(_read_name(message, position + 2)[0])
            elif kind == 16:
                found.append(data[1 : 1 + data[0]].decode("utf-8", "replace") if data else "")
        position += length
    return found


class _DnsProtocol(asyncio.DatagramProtocol):
    def __init__(self):
        self.answer: asyncio.Future = asyncio.get_running_loop().create_future()

    def datagram_received(self, data, addr):
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc):
        if not self.answer.done():
            self.answer.set_exception(exc)


async def dns_resolve(
    server: str, port: int, name: str, record_type: str, *, timeout: float
) -> tuple[float, list[str]]:
    """Ask ``server`` for ``name``; the response time in ms and the answers."""
    family, address = await _resolve(server, port, kind=socket.SOCK_DGRAM)
    loop = asyncio.get_running_loop()
    query_id = random.getrandbits(16)
    started = time.perf_counter()
    transport, protocol = await loop.create_datagram_endpoint(_DnsProtocol, remote_addr=address, family=family)
    try:
        transport.sendto(dns_query(name, record_type, query_id=query_id))
        message = await asyncio.wait_for(protocol.answer, timeout)
    except TimeoutError as error:
        raise ProbeError(f"no DNS answer within {timeout:g} s") from error
    except OSError as error:
        raise ProbeError(_os_error_text(error)) from error
    finally:
        transport.close()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, dns_answers(message, query_id=query_id, record_type=record_type)
