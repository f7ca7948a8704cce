"""The lean SNMPv2c response decoder (collector/ber.py) against pysnmp's own (pyasn1) decoding of the same bytes.

Messages come from two places: built with pysnmp's message classes for the edge cases (Counter64 near 2^64,
negative INTEGER, long OIDs, exception values, long-form lengths), and captured from the real simulated
agents (snmpsim and Net-SNMP snmpd on 127.0.0.1) answering GETBULK and GET requests sent over a plain socket.
"""

import socket

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.api import v2c

from collector.ber import (
    END_OF_MIB_VIEW,
    NO_SUCH_INSTANCE,
    NO_SUCH_OBJECT,
    BerError,
    decode_oid,
    decode_v2c_response,
    request_id_of,
)
from collector.lean import plain_varbinds
from collector.snmp import DISCOVERY_COLUMNS, POLL_COLUMNS, SYS_UPTIME

IF_DESCR = DISCOVERY_COLUMNS["descr"]


def message(varbinds, *, community=b"public", request_id=4242, error_status=0, error_index=0, pdu=None) -> bytes:
    """An SNMPv2c message encoded by pysnmp (a Response unless ``pdu`` is given)."""
    if pdu is None:
        pdu = v2c.ResponsePDU()
        v2c.apiPDU.set_defaults(pdu)
        v2c.apiPDU.set_error_status(pdu, error_status)
        v2c.apiPDU.set_error_index(pdu, error_index)
    elif not isinstance(pdu, v2c.GetBulkRequestPDU):  # a GETBULK's fields are set by the caller
        v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_request_id(pdu, request_id)
    v2c.apiPDU.set_varbinds(pdu, [(rfc1902.ObjectName(oid), value) for oid, value in varbinds])
    msg = v2c.Message()
    v2c.apiMessage.set_defaults(msg)
    v2c.apiMessage.set_community(msg, community)
    v2c.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def generic(data: bytes):
    """pysnmp's reading of a v2c message: ``(community, request_id, status, index, plain varbinds)``."""
    msg, rest = decoder.decode(data, asn1Spec=v2c.Message())
    assert rest == b""
    pdu = v2c.apiMessage.get_pdu(msg)
    return (
        bytes(v2c.apiMessage.get_community(msg)),
        int(v2c.apiPDU.get_request_id(pdu)),
        int(v2c.apiPDU.get_error_status(pdu)),
        int(pdu.getComponentByPosition(2)),  # as sent, even beyond the varbinds
        plain_varbinds(v2c.apiPDU.get_varbinds(pdu)),
    )


def assert_same_as_pysnmp(data: bytes):
    """The lean decode equals pysnmp's, value types included, and its ``head`` is the message without varbinds."""
    lean = decode_v2c_response(data)
    community, request_id, status, index, varbinds = generic(data)
    assert (lean.community, lean.request_id, lean.error_status, lean.error_index) == (
        community,
        request_id,
        status,
        index,
    )
    assert lean.varbinds == varbinds
    assert [type(value) for _name, value in lean.varbinds] == [type(value) for _name, value in varbinds]
    assert generic(lean.head) == (community, request_id, status, index, [])
    return lean


# Edge cases built with pysnmp ------------------------------------------------------------------------


EDGE_VALUES = [
    ("Counter64 2^64-1", rfc1902.Counter64(2**64 - 1), 2**64 - 1),
    ("Counter64 2^64-2", rfc1902.Counter64(2**64 - 2), 2**64 - 2),
    ("Counter64 2^63", rfc1902.Counter64(2**63), 2**63),
    ("Counter64 0", rfc1902.Counter64(0), 0),
    ("Counter32 2^32-1", rfc1902.Counter32(2**32 - 1), 2**32 - 1),
    ("Counter32 128", rfc1902.Counter32(128), 128),
    ("Gauge32 2^31", rfc1902.Gauge32(2**31), 2**31),
    ("TimeTicks", rfc1902.TimeTicks(123456789), 123456789),
    ("Integer -1", rfc1902.Integer32(-1), -1),
    ("Integer -128", rfc1902.Integer32(-128), -128),
    ("Integer -129", rfc1902.Integer32(-129), -129),
    ("Integer -2^31", rfc1902.Integer32(-(2**31)), -(2**31)),
    ("Integer 2^31-1", rfc1902.Integer32(2**31 - 1), 2**31 - 1),
    ("Integer 0", rfc1902.Integer32(0), 0),
    ("OctetString empty", rfc1902.OctetString(b""), b""),
    ("OctetString binary", rfc1902.OctetString(b"\x00\xff\x80"), b"\x00\xff\x80"),
    ("OctetString long form", rfc1902.OctetString(b"x" * 300), b"x" * 300),
    ("IpAddress", rfc1902.IpAddress("10.0.255.1"), b"\x0a\x00\xff\x01"),
    ("Opaque", rfc1902.Opaque(b"\x9f\x78\x04"), b"\x9f\x78\x04"),
    ("OID value", rfc1902.ObjectIdentifier((1, 3, 6, 1, 4, 1, 9, 1, 1208)), (1, 3, 6, 1, 4, 1, 9, 1, 1208)),
    ("Null", rfc1902.Null(""), None),
    ("endOfMibView", rfc1905.endOfMibView, END_OF_MIB_VIEW),
    ("noSuchObject", rfc1905.noSuchObject, NO_SUCH_OBJECT),
    ("noSuchInstance", rfc1905.noSuchInstance, NO_SUCH_INSTANCE),
]


@pytest.mark.parametrize(("label", "value", "expected"), EDGE_VALUES, ids=[item[0] for item in EDGE_VALUES])
def test_each_value_type(label, value, expected):
    oid = (*POLL_COLUMNS["in_octets"][0], 17)
    lean = assert_same_as_pysnmp(message([(oid, value)]))
    assert lean.varbinds == [(oid, expected)]
    assert type(lean.varbinds[0][1]) is type(expected)


@pytest.mark.parametrize(
    "oid",
    [
        (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 127),
        (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 128),
        (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 16383),
        (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 16384),
        (1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 5, 2**32 - 1),
        (1, 3, 6, 1, 4, 1, 99999, *range(120, 250)),  # long OID: long-form varbind length
        (0, 39),
        (1, 0),
        (2, 999, 3),  # first sub-identifier above 127
    ],
)
def test_object_names(oid):
    lean = assert_same_as_pysnmp(message([(oid, rfc1902.Counter64(1))]))
    assert lean.varbinds[0][0] == oid


def test_decode_oid_directly():
    assert decode_oid(bytes([0x2B, 6, 1, 2, 1, 0x81, 0x00, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F])) == (
        1,
        3,
        6,
        1,
        2,
        1,
        128,
        2**32 - 1,
    )
    for bad in (b"", b"\x2b\x81", b"\x2b\x80\x01"):
        with pytest.raises(BerError):
            decode_oid(bad)


def test_many_varbinds_error_fields_and_long_lengths():
    varbinds = [
        ((*POLL_COLUMNS[name][0], index), rfc1902.Counter64(2**64 - index))
        for name in ("in_octets", "out_octets")
        for index in range(1, 80)
    ]
    varbinds += [((*IF_DESCR, index), rfc1902.OctetString(f"GigabitEthernet1/0/{index}")) for index in range(1, 60)]
    data = message(varbinds, request_id=2**31 - 1, error_status=5, error_index=3, community=b"c" * 200)
    assert len(data) > 65535 // 16  # lengths in the long form, two octets
    lean = assert_same_as_pysnmp(data)
    assert len(lean.varbinds) == len(varbinds)
    assert (lean.request_id, lean.error_status, lean.error_index) == (2**31 - 1, 5, 3)


def test_negative_request_id_and_empty_list():
    lean = assert_same_as_pysnmp(message([], request_id=-5))
    assert lean.varbinds == [] and lean.request_id == -5


def test_request_id_of_any_pdu():
    bulk = v2c.GetBulkRequestPDU()
    v2c.apiBulkPDU.set_defaults(bulk)
    assert request_id_of(message([], request_id=77, pdu=bulk)) == 77
    assert request_id_of(message([], request_id=78)) == 78


@pytest.mark.parametrize(
    "pdu", [v2c.GetRequestPDU(), v2c.GetBulkRequestPDU(), v2c.ReportPDU(), v2c.SNMPv2TrapPDU()], ids=type
)
def test_other_pdus_are_left_to_pysnmp(pdu):
    v2c.apiPDU.set_defaults(pdu)
    with pytest.raises(BerError):
        decode_v2c_response(message([((1, 3, 6, 1), rfc1902.Integer32(1))], pdu=pdu))


def test_other_versions_and_odd_encodings_are_left_to_pysnmp():
    good = message([((1, 3, 6, 1, 2, 1, 1, 3, 0), rfc1902.TimeTicks(5))])
    assert good[2:5] == b"\x02\x01\x01"
    refused = [
        good[:2] + b"\x02\x01\x00" + good[5:],  # SNMPv1
        good[:2] + b"\x02\x01\x03" + good[5:],  # SNMPv3's version number
        good + b"\x00",  # trailing byte
        b"\x30\x80" + good[2:] + b"\x00\x00",  # indefinite length
    ]
    # Counter32 encoded negative (a known agent bug): pysnmp refuses it too, so it stays pysnmp's call.
    negative = message([((1, 3, 6, 1, 2, 1, 2, 2, 1, 14, 1), rfc1902.Integer32(-1))])
    refused.append(negative.replace(b"\x02\x01\xff", b"\x41\x01\xff"))
    # An unsigned value longer than its type allows (Counter64 of 2^64).
    big = message([((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), rfc1902.OctetString(b"\x01" + b"\x00" * 8))])
    refused.append(big.replace(b"\x04\x09\x01", b"\x46\x09\x01"))
    for data in refused:
        with pytest.raises(BerError):
            decode_v2c_response(data)


def test_every_truncation_is_refused():
    data = message([((*POLL_COLUMNS["in_octets"][0], index), rfc1902.Counter64(index * 1000)) for index in range(5)])
    for end in range(len(data)):
        with pytest.raises(BerError):
            decode_v2c_response(data[:end])


# Real agents ------------------------------------------------------------------------------------------


def exchange(port: int, request: bytes) -> bytes:
    """One request to the agent on 127.0.0.1:port and its answer (a few tries: UDP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for _attempt in range(3):
            sock.sendto(request, ("127.0.0.1", port))
            try:
                return sock.recv(65535)
            except TimeoutError:
                continue
    raise AssertionError(f"no answer from 127.0.0.1:{port}")


def bulk_request(oids, *, non_repeaters=0, repetitions=25, request_id=1000) -> bytes:
    pdu = v2c.GetBulkRequestPDU()
    v2c.apiBulkPDU.set_defaults(pdu)
    v2c.apiBulkPDU.set_non_repeaters(pdu, non_repeaters)
    v2c.apiBulkPDU.set_max_repetitions(pdu, repetitions)
    return message([(oid, v2c.null) for oid in oids], request_id=request_id, pdu=pdu)


def captured_responses(port: int) -> list[bytes]:
    """Real answers: the poll's GETBULK (sysUpTime + counters), the strings of discovery, the end of the MIB,
    a GET of objects that do not exist, and a GETBULK from inside the counter table."""
    counters = [column for column, _bits in POLL_COLUMNS.values()]
    requests = [
        bulk_request([SYS_UPTIME, *counters], non_repeaters=1, request_id=1001),
        bulk_request(list(DISCOVERY_COLUMNS.values()), repetitions=10, request_id=1002),
        bulk_request([(1, 3, 6, 1, 6, 3, 99, 99), (2, 99)], repetitions=3, request_id=1003),
        message(
            [((1, 3, 6, 1, 2, 1, 1, 99, 0), v2c.null), ((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 9999), v2c.null)],
            request_id=1004,
            pdu=v2c.GetRequestPDU(),
        ),
        bulk_request([(*POLL_COLUMNS["in_octets"][0], 40), (*POLL_COLUMNS["in_errors"][0], 47)], request_id=1005),
    ]
    return [exchange(port, request) for request in requests]


def check_agent_answers(port: int) -> list:
    decoded = [assert_same_as_pysnmp(data) for data in captured_responses(port)]
    assert [item.request_id for item in decoded] == [1001, 1002, 1003, 1004, 1005]
    poll, discovery, end, missing, tail = decoded
    assert poll.varbinds[0][0] == (*SYS_UPTIME, 0) and poll.varbinds[0][1] > 0
    assert len(poll.varbinds) >= 1 + 10 * 5
    octets = [value for name, value in poll.varbinds if name[:-1] == POLL_COLUMNS["in_octets"][0]]
    assert octets and all(isinstance(value, int) and value >= 0 for value in octets)
    descr = dict(discovery.varbinds)[(*IF_DESCR, 1)]
    assert descr == b"GigabitEthernet1/0/1"
    assert {value for _name, value in end.varbinds} == {END_OF_MIB_VIEW}
    assert all(value in (NO_SUCH_OBJECT, NO_SUCH_INSTANCE) for _name, value in missing.varbinds)
    assert tail.varbinds[0][0] == (*POLL_COLUMNS["in_octets"][0], 41)
    return decoded


@pytest.mark.slow
def test_snmpsim_answers(snmp_agent):
    check_agent_answers(snmp_agent.port)


@pytest.mark.slow
def test_snmpd_answers(snmpd_agent):
    check_agent_answers(snmpd_agent.port)
