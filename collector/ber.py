"""A lean BER decoder for SNMPv2c Response messages: the varbind list as plain Python values.

pysnmp decodes every response with pyasn1, which builds several objects per varbind and checks their
constraints; in a poll that is most of the collector's CPU. A GETBULK answer of counters only holds a handful
of BER types, so this module reads them directly:

* OBJECT IDENTIFIER names and values -> ``tuple[int, ...]`` (kept in a bounded cache: a poll asks for the
  same rows every time, so the same encoded names come back);
* INTEGER, Counter32, Gauge32, TimeTicks, Counter64 -> ``int``;
* OCTET STRING, IpAddress, Opaque -> ``bytes``; NULL -> ``None``;
* noSuchObject, noSuchInstance, endOfMibView -> the :data:`NO_SUCH_OBJECT`, :data:`NO_SUCH_INSTANCE`,
  :data:`END_OF_MIB_VIEW` markers.

Anything else (another PDU type, an indefinite length, an unknown tag, an unsigned type encoded negative,
trailing bytes) raises :class:`BerError`; the caller then hands the message to pysnmp's generic decoder,
which is the reference for what an odd message means.
"""

from __future__ import annotations

__all__ = [
    "END_OF_MIB_VIEW",
    "NO_SUCH_INSTANCE",
    "NO_SUCH_OBJECT",
    "BerError",
    "LeanResponse",
    "SnmpException",
    "decode_oid",
    "decode_v2c_response",
    "request_id_of",
]


class BerError(ValueError):
    """The message is not one the lean decoder reads (the generic decoder must take it)."""


class SnmpException:
    """One of the three SNMPv2 exception values a varbind can carry instead of a value."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


NO_SUCH_OBJECT = SnmpException("noSuchObject")
NO_SUCH_INSTANCE = SnmpException("noSuchInstance")
END_OF_MIB_VIEW = SnmpException("endOfMibView")
EXCEPTIONS = {0x80: NO_SUCH_OBJECT, 0x81: NO_SUCH_INSTANCE, 0x82: END_OF_MIB_VIEW}

TAG_INTEGER = 0x02
TAG_OCTET_STRING = 0x04
TAG_NULL = 0x05
TAG_OID = 0x06
TAG_SEQUENCE = 0x30
TAG_RESPONSE = 0xA2
# Application types (RFC 2578): IpAddress, Counter32, Gauge32, TimeTicks, Opaque, Counter64.
UNSIGNED_TAGS = frozenset((0x41, 0x42, 0x43, 0x46))
BYTES_TAGS = frozenset((TAG_OCTET_STRING, 0x40, 0x44))
# Largest value per unsigned type; pyasn1 refuses a larger one, so the lean decoder does too.
UNSIGNED_LIMITS = {0x41: 2**32 - 1, 0x42: 2**32 - 1, 0x43: 2**32 - 1, 0x46: 2**64 - 1}

OID_CACHE_SIZE = 50_000
_oid_cache: dict[bytes, tuple[int, ...]] = {}


def decode_oid(content: bytes) -> tuple[int, ...]:
    """The sub-identifiers of an OBJECT IDENTIFIER's BER contents (X.690 8.19)."""
    if not content:
        raise BerError("empty OBJECT IDENTIFIER")
    if content[-1] & 0x80:
        raise BerError("OBJECT IDENTIFIER ends inside a sub-identifier")
    arcs: list[int] = []
    value = 0
    first = True
    for byte in content:
        if value == 0 and byte == 0x80:
            raise BerError("OBJECT IDENTIFIER sub-identifier with a leading 0x80 byte")
        value = (value << 7) | (byte & 0x7F)
        if byte & 0x80:
            continue
        if first:
            # The first sub-identifier packs two arcs: X * 40 + Y, with X in 0..2 (and Y unbounded for X = 2).
            if value < 40:
                arcs += (0, value)
            elif value < 80:
                arcs += (1, value - 40)
            else:
                arcs += (2, value - 80)
            first = False
        else:
            arcs.append(value)
        value = 0
    return tuple(arcs)


def _cached_oid(content: bytes) -> tuple[int, ...]:
    found = _oid_cache.get(content)
    if found is None:
        if len(_oid_cache) >= OID_CACHE_SIZE:
            _oid_cache.clear()
        found = _oid_cache[content] = decode_oid(content)
    return found


def _header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    """``(tag, content_start, content_end)`` of the TLV at ``offset`` (definite lengths only)."""
    if offset + 2 > end:
        raise BerError("truncated TLV")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise BerError("multi-byte tag")
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        octets = length & 0x7F
        if octets == 0 or octets > 4:
            raise BerError("indefinite or oversized length")
        if offset + octets > end:
            raise BerError("truncated length")
        length = int.from_bytes(data[offset : offset + octets], "big")
        offset += octets
    if offset + length > end:
        raise BerError("length beyond the message")
    return tag, offset, offset + length


def _integer(data: bytes, start: int, stop: int) -> int:
    if start == stop:
        raise BerError("empty INTEGER")
    return int.from_bytes(data[start:stop], "big", signed=True)


class LeanResponse:
    """A v2c Response message read by :func:`decode_v2c_response`.

    ``head`` is the whole message with an empty varbind list (the lengths re-encoded), for pysnmp to check
    the community and match the request-id as usual; ``varbinds`` is ``[(oid, value), ...]``.
    """

    __slots__ = ("community", "error_index", "error_status", "head", "request_id", "varbinds")

    def __init__(self, *, community, request_id, error_status, error_index, varbinds, head):
        self.community = community
        self.request_id = request_id
        self.error_status = error_status
        self.error_index = error_index
        self.varbinds = varbinds
        self.head = head


def _length_octets(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def request_id_of(data: bytes) -> int:
    """The request-id of an SNMPv1/v2c message of any PDU type (``BerError`` when it is not one)."""
    try:
        end = len(data)
        tag, start, _stop = _header(data, 0, end)
        if tag != TAG_SEQUENCE:
            raise BerError("not a SEQUENCE")
        tag, _start, stop = _header(data, start, end)  # version
        tag, _start, stop = _header(data, stop, end)  # community
        tag, start, _stop = _header(data, stop, end)
        if not 0xA0 <= tag <= 0xA8:
            raise BerError("not a PDU")
        tag, start, stop = _header(data, start, end)
        if tag != TAG_INTEGER:
            raise BerError("no request-id")
        return _integer(data, start, stop)
    except IndexError as error:
        raise BerError("truncated message") from error


def decode_v2c_response(data: bytes) -> LeanResponse:
    """Read an SNMPv2c Response message (``BerError`` for anything else); see the module docstring."""
    try:
        return _decode_v2c_response(bytes(data))
    except IndexError as error:  # a length pointing past the end of a short message
        raise BerError("truncated message") from error


def _decode_v2c_response(data: bytes) -> LeanResponse:
    end = len(data)
    tag, start, stop = _header(data, 0, end)
    if tag != TAG_SEQUENCE or stop != end:
        raise BerError("not a single SEQUENCE")
    version_at = start
    tag, start, stop = _header(data, start, end)
    if tag != TAG_INTEGER or _integer(data, start, stop) != 1:
        raise BerError("not SNMPv2c")
    tag, start, stop = _header(data, stop, end)
    if tag != TAG_OCTET_STRING:
        raise BerError("no community")
    community = data[start:stop]
    pdu_at = stop
    tag, start, pdu_end = _header(data, stop, end)
    if tag != TAG_RESPONSE or pdu_end != end:
        raise BerError("not a Response PDU")
    fields_at = start
    numbers = []
    offset = start
    for _ in range(3):
        tag, start, offset = _header(data, offset, pdu_end)
        if tag != TAG_INTEGER:
            raise BerError("bad request-id or error fields")
        numbers.append(_integer(data, start, offset))
    list_at = offset
    tag, offset, list_end = _header(data, offset, pdu_end)
    if tag != TAG_SEQUENCE or list_end != pdu_end:
        raise BerError("bad varbind list")

    varbinds = []
    append = varbinds.append
    from_bytes = int.from_bytes
    while offset < list_end:
        # Inlined TLV reads (the loop runs once per varbind): SEQUENCE { name OID, value }.
        if data[offset] != TAG_SEQUENCE:
            raise BerError("varbind is not a SEQUENCE")
        length = data[offset + 1]
        if length & 0x80:
            tag, offset, bind_end = _header(data, offset, list_end)
        else:
            offset += 2
            bind_end = offset + length
            if bind_end > list_end:
                raise BerError("varbind beyond the list")
        if data[offset] != TAG_OID:
            raise BerError("varbind name is not an OID")
        length = data[offset + 1]
        if length & 0x80:
            tag, start, stop = _header(data, offset, bind_end)
        else:
            start = offset + 2
            stop = start + length
        name = _cached_oid(data[start:stop])
        offset = stop
        if offset + 2 > bind_end:
            raise BerError("varbind without a value")
        tag = data[offset]
        length = data[offset + 1]
        if length & 0x80:
            tag, start, stop = _header(data, offset, bind_end)
        else:
            start = offset + 2
            stop = start + length
        if stop != bind_end:
            raise BerError("varbind length mismatch")
        if tag in UNSIGNED_TAGS:
            if start == stop:
                raise BerError("empty unsigned value")
            value = from_bytes(data[start:stop], "big", signed=True)
            if value < 0 or value > UNSIGNED_LIMITS[tag]:
                raise BerError("unsigned value out of range")
        elif tag == TAG_INTEGER:
            if start == stop:
                raise BerError("empty INTEGER")
            value = from_bytes(data[start:stop], "big", signed=True)
            if not -(2**31) <= value < 2**31:
                raise BerError("Integer32 out of range")
        elif tag in BYTES_TAGS:
            value = data[start:stop]
            if tag == 0x40 and len(value) != 4:
                raise BerError("IpAddress is not 4 octets")
        elif tag in EXCEPTIONS:
            if start != stop:
                raise BerError("exception value with contents")
            value = EXCEPTIONS[tag]
        elif tag == TAG_OID:
            value = decode_oid(data[start:stop])
        elif tag == TAG_NULL:
            if start != stop:
                raise BerError("NULL with contents")
            value = None
        else:
            raise BerError(f"unsupported value tag 0x{tag:02x}")
        append((name, value))
        offset = stop
    if offset != list_end:
        raise BerError("varbind list length mismatch")

    fields = data[fields_at:list_at] + b"\x30\x00"
    pdu = b"\xa2" + _length_octets(len(fields)) + fields
    body = data[version_at:pdu_at] + pdu
    head = b"\x30" + _length_octets(len(body)) + body
    return LeanResponse(
        community=community,
        request_id=numbers[0],
        error_status=numbers[1],
        error_index=numbers[2],
        varbinds=varbinds,
        head=head,
    )
