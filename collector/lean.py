"""The lean decode path for SNMPv2c responses, plugged into pysnmp 7 at its message-processing layer.

pysnmp keeps everything but the varbind decoding: it builds and sends the requests, retries, times out,
checks the community and matches the response to its request by request-id. Only the v2c message
processing model of one engine is replaced (:class:`LeanV2cMessageProcessingModel`): when a message is an
SNMPv2c Response that :mod:`collector.ber` can read, the varbind list is decoded there into plain Python
values and pysnmp is handed the same message with an empty varbind list, which it decodes and checks as
usual; the decoded varbinds ride on the PDU object it returns. Only answers to requests sent by
:class:`LeanBulkCommandGenerator` (marked on their PDU; their wire request-ids are noted when the message
is built, retries included) are taken this way, so pysnmp's own commands on the same engine (``get_cmd``,
``set_cmd``) still see full PDUs; the generator passes the lean varbinds to the caller. Any other message
(SNMPv1, SNMPv3, a Report, a message the lean decoder does not read) takes pysnmp's generic path unchanged.
"""

from __future__ import annotations

import asyncio
import logging

from pyasn1.codec.ber import decoder
from pyasn1.type import univ
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio.cmdgen import LCD, VB_PROCESSOR
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v2c
from pysnmp.proto.mpmod.rfc2576 import SnmpV2cMessageProcessingModel

from collector.ber import (
    END_OF_MIB_VIEW,
    NO_SUCH_INSTANCE,
    NO_SUCH_OBJECT,
    BerError,
    decode_v2c_response,
    request_id_of,
)

log = logging.getLogger("collector.lean")
LEAN_ATTRIBUTE = "_collector_lean_response"
LEAN_REQUEST = "_collector_lean_request"
# Wire request-ids of lean requests awaiting an answer; a request that is never answered leaves its id
# behind, so the oldest are forgotten beyond this bound (far more than the requests in flight).
PENDING_KEPT = 100_000


def plain_value(value):
    """A pysnmp (pyasn1) varbind value in the lean decoder's terms: int, bytes, OID tuple, None or a marker."""
    if isinstance(value, rfc1905.EndOfMibView):
        return END_OF_MIB_VIEW
    if isinstance(value, rfc1905.NoSuchInstance):
        return NO_SUCH_INSTANCE
    if isinstance(value, rfc1905.NoSuchObject):
        return NO_SUCH_OBJECT
    if isinstance(value, univ.ObjectIdentifier):
        return tuple(value)
    if isinstance(value, univ.Null):  # before OctetString: pyasn1's Null is one
        return None
    if isinstance(value, univ.OctetString):  # also IpAddress and Opaque
        return value.asOctets()
    return int(value)


def plain_varbinds(varbinds) -> list[tuple[tuple[int, ...], object]]:
    """pysnmp's ``(ObjectName, value)`` pairs as the lean decoder returns them."""
    return [(tuple(name), plain_value(value)) for name, value in varbinds]


class LeanV2cMessageProcessingModel(SnmpV2cMessageProcessingModel):
    """pysnmp's SNMPv2c message processing with the varbinds of Response messages decoded leanly.

    With ``verify`` every lean decode is checked against pysnmp's full decode of the same message and the
    differences are kept in ``mismatches`` (for tests; it costs what the lean path saves).
    """

    def __init__(self, *, verify: bool = False):
        super().__init__()
        self.verify = verify
        self.lean_messages = 0
        self.generic_messages = 0
        self.mismatches: list[tuple[bytes, object, object]] = []
        self._pending: dict[int, None] = {}

    def prepare_outgoing_message(self, snmpEngine, *args, **kwargs):  # noqa: N803
        prepared = super().prepare_outgoing_message(snmpEngine, *args, **kwargs)
        # pysnmp passes (transportDomain, ..., pduVersion, pdu, expectResponse, sendPduHandle): pdu is the 10th.
        pdu = kwargs["pdu"] if "pdu" in kwargs else args[9]
        if getattr(pdu, LEAN_REQUEST, False):
            if len(self._pending) >= PENDING_KEPT:
                for request_id in list(self._pending)[: PENDING_KEPT // 10]:
                    del self._pending[request_id]
            self._pending[request_id_of(prepared[2])] = None
        return prepared

    def prepare_data_elements(self, snmpEngine, transportDomain, transportAddress, wholeMsg):  # noqa: N803
        try:
            lean = decode_v2c_response(wholeMsg)
            if self._pending.pop(lean.request_id, True):  # not an answer to a lean request
                raise BerError("not a lean request")
        except BerError:
            self.generic_messages += 1
            return super().prepare_data_elements(snmpEngine, transportDomain, transportAddress, wholeMsg)
        elements = super().prepare_data_elements(snmpEngine, transportDomain, transportAddress, lean.head)
        pdu = elements[7]
        setattr(pdu, LEAN_ATTRIBUTE, lean)
        self.lean_messages += 1
        if self.verify:
            self._verify(wholeMsg, lean.varbinds)
        return elements

    def _verify(self, whole_message: bytes, varbinds) -> None:
        message, _rest = decoder.decode(bytes(whole_message), asn1Spec=self._snmpMsgSpec)
        pdu = message.getComponentByPosition(2).getComponent()
        generic = plain_varbinds(v2c.apiPDU.get_varbinds(pdu))
        if generic != varbinds or [type(value) for _n, value in generic] != [type(value) for _n, value in varbinds]:
            self.mismatches.append((bytes(whole_message), generic, varbinds))


def install(engine, *, verify: bool = False) -> LeanV2cMessageProcessingModel:
    """Give ``engine`` the lean v2c message processing model (before it sends anything)."""
    key = SnmpV2cMessageProcessingModel.MESSAGE_PROCESSING_MODEL_ID
    model = LeanV2cMessageProcessingModel(verify=verify)
    engine.message_processing_subsystems[key] = model
    return model


class LeanBulkCommandGenerator(cmdgen.BulkCommandGeneratorSingleRun):
    """One GETBULK whose callback receives plain varbinds: the lean ones when present, else pysnmp's converted."""

    def send_pdu(self, snmpEngine, targetName, contextEngineId, contextName, PDU, cbFun, cbCtx):  # noqa: N803
        setattr(PDU, LEAN_REQUEST, True)
        return super().send_pdu(snmpEngine, targetName, contextEngineId, contextName, PDU, cbFun, cbCtx)

    def process_response_varbinds(self, snmpEngine, sendRequestHandle, errorIndication, PDU, cbCtx):  # noqa: N803
        _target, _non_repeaters, _repetitions, _engine_id, _context, _request, callback, context = cbCtx
        if PDU is None:
            callback(errorIndication, 0, 0, [], context)
            return
        status = v2c.apiPDU.get_error_status(PDU)
        lean = getattr(PDU, LEAN_ATTRIBUTE, None)
        if lean is None:
            varbinds = plain_varbinds(v2c.apiPDU.get_varbinds(PDU))
            index = int(v2c.apiPDU.get_error_index(PDU, muteErrors=True))
        else:
            varbinds = lean.varbinds
            index = min(lean.error_index, len(varbinds))  # as pysnmp's muteErrors does
        callback(errorIndication, status, index, varbinds, context)


async def bulk(engine, auth, transport, context_data, non_repeaters: int, max_repetitions: int, request):
    """GETBULK as ``hlapi.bulk_cmd`` does it, answering ``(error, status, index, plain varbinds)``."""
    target_name, _params = LCD.configure(engine, auth, transport, context_data.contextName)
    future = asyncio.get_running_loop().create_future()

    def done(error, status, index, varbinds, _context):
        if not future.cancelled():
            future.set_result((error, status, index, varbinds))

    LeanBulkCommandGenerator().send_varbinds(
        engine,
        target_name,
        context_data.contextEngineId,
        context_data.contextName,
        non_repeaters,
        max_repetitions,
        VB_PROCESSOR.make_varbinds(engine.cache, request),
        done,
    )
    return await future
