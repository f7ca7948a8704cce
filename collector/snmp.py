"""SNMP polling with pysnmp 7 (asyncio): one engine, GETBULK table walks, v2c and v3 (SHA/AES).

Responses are requested with ``lookupMib=False`` and handled as plain ``(oid tuple, value)`` pairs (int, bytes,
OID tuple, None or one of :mod:`collector.ber`'s exception markers), decoded here by OID prefix: no MIB
resolution on the hot path. With ``lean_decode`` (the default) the varbinds of SNMPv2c GETBULK responses are
decoded by :mod:`collector.lean` instead of pysnmp's generic pyasn1 decoder; pysnmp still sends, retries,
checks the community and matches the request-id, and SNMPv3 stays on its generic path.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    set_cmd,
    usmAesCfb128Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
    usmNoAuthProtocol,
    usmNoPrivProtocol,
)
from pysnmp.proto.rfc1902 import Integer32

from collector import lean
from collector.ber import SnmpException

SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3)
SYS_NAME_0 = "1.3.6.1.2.1.1.5.0"
IF_ENTRY = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)

# Column name -> (OID, counter width in bits or None for gauges/strings).
POLL_COLUMNS: dict[str, tuple[tuple[int, ...], int | None]] = {
    "in_octets": ((*IFX_ENTRY, 6), 64),
    "out_octets": ((*IFX_ENTRY, 10), 64),
    "in_ucast": ((*IFX_ENTRY, 7), 64),
    "out_ucast": ((*IFX_ENTRY, 11), 64),
    "in_errors": ((*IF_ENTRY, 14), 32),
    "out_errors": ((*IF_ENTRY, 20), 32),
    "in_discards": ((*IF_ENTRY, 13), 32),
    "out_discards": ((*IF_ENTRY, 19), 32),
    "oper_status": ((*IF_ENTRY, 8), None),
    "high_speed": ((*IFX_ENTRY, 15), None),
}
DISCOVERY_COLUMNS: dict[str, tuple[int, ...]] = {
    "descr": (*IF_ENTRY, 2),
    "name": (*IFX_ENTRY, 1),
    "alias": (*IFX_ENTRY, 18),
    "high_speed": (*IFX_ENTRY, 15),
    "oper_status": (*IF_ENTRY, 8),
}
OPER_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}

AUTH_PROTOCOLS = {
    "": usmNoAuthProtocol,
    "MD5": usmHMACMD5AuthProtocol,
    "SHA": usmHMACSHAAuthProtocol,
    "SHA256": usmHMAC192SHA256AuthProtocol,
    "SHA512": usmHMAC384SHA512AuthProtocol,
}
PRIV_PROTOCOLS = {
    "": usmNoPrivProtocol,
    "DES": usmDESPrivProtocol,
    "AES": usmAesCfb128Protocol,
    "AES256": usmAesCfb256Protocol,
}


class SnmpError(Exception):
    """The agent did not answer (timeout) or answered with an error."""


@dataclass(frozen=True)
class Target:
    """How to reach one device's agent; built from the portal's targets."""

    device_id: int
    host: str
    port: int = 161
    version: str = "v2c"
    community: str = "public"
    user: str = ""
    auth_protocol: str = ""
    auth_key: str = ""
    priv_protocol: str = ""
    priv_key: str = ""
    timeout: float = 2.0
    retries: int = 1

    def auth_data(self):
        """pysnmp credentials: ``CommunityData`` for v2c, ``UsmUserData`` for v3."""
        if self.version == "v3":
            return UsmUserData(
                self.user,
                authKey=self.auth_key or None,
                privKey=self.priv_key or None,
                authProtocol=AUTH_PROTOCOLS[self.auth_protocol.upper()],
                privProtocol=PRIV_PROTOCOLS[self.priv_protocol.upper()],
            )
        return CommunityData(self.community, mpModel=1)


@dataclass
class InterfaceSample:
    """One interface's values from one poll (``values`` keyed by POLL_COLUMNS names)."""

    if_index: int
    values: dict[str, int] = field(default_factory=dict)


@dataclass
class DeviceSample:
    """One poll of a device: its sysUpTime, the monotonic and wall time of the answer, every interface."""

    device_id: int
    uptime: int | None
    monotonic: float
    wall: float
    interfaces: dict[int, InterfaceSample]
    varbinds: int = 0


@dataclass(frozen=True)
class DiscoveredInterface:
    """An interface as IF-MIB describes it."""

    if_index: int
    name: str
    descr: str
    alias: str
    speed_mbps: int | None
    oper_status: str

    def as_dict(self) -> dict:
        return {
            "if_index": self.if_index,
            "name": self.name,
            "descr": self.descr,
            "alias": self.alias,
            "speed_mbps": self.speed_mbps,
            "oper_status": self.oper_status,
        }


def _is_end(value) -> bool:
    return isinstance(value, SnmpException)


def _plain(value):
    """A plain varbind value (see the module docstring) as int or str."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, tuple):
        return ".".join(str(arc) for arc in value)
    return value


class SnmpClient:
    """One SNMP engine shared by every poll of the process; concurrency bounded by a semaphore."""

    def __init__(
        self, *, concurrency: int = 200, max_repetitions: int = 25, lean_decode: bool = True, verify_lean: bool = False
    ):
        self.engine = SnmpEngine()
        # The lean v2c decoder (collector.lean); ``verify_lean`` checks each lean decode against pysnmp's (tests).
        self.lean_model = lean.install(self.engine, verify=verify_lean) if lean_decode else None
        self.semaphore = asyncio.Semaphore(concurrency)
        self.max_repetitions = max_repetitions
        self._transports: dict[tuple[str, int, float, int], UdpTransportTarget] = {}
        self._request_objects: dict[tuple[int, ...], ObjectType] = {}

    # pysnmp resolves every requested OID against its MIB tree before sending (about 15 % of a poll's CPU),
    # unless the ObjectType was resolved before. A poll asks for the same OIDs every time (the column starts
    # and the same row offsets), so the resolved request objects are kept, up to a bound.
    REQUEST_OBJECTS_KEPT = 20_000

    def _request_object(self, oid: tuple[int, ...]) -> ObjectType:
        found = self._request_objects.get(oid)
        if found is None:
            if len(self._request_objects) >= self.REQUEST_OBJECTS_KEPT:
                self._request_objects.clear()
            found = self._request_objects[oid] = ObjectType(ObjectIdentity(oid))
        return found

    def close(self) -> None:
        """Close the engine's sockets."""
        self.engine.close_dispatcher()

    async def _transport(self, target: Target) -> UdpTransportTarget:
        key = (target.host, target.port, target.timeout, target.retries)
        transport = self._transports.get(key)
        if transport is None:
            transport = await UdpTransportTarget.create(
                (target.host, target.port), timeout=target.timeout, retries=target.retries
            )
            self._transports[key] = transport
        return transport

    async def get_scalar(self, target: Target, oid: str):
        """GET one value (int or str); None when the agent has no such object."""
        async with self.semaphore:
            error, status, _index, varbinds = await get_cmd(
                self.engine,
                target.auth_data(),
                await self._transport(target),
                ContextData(),
                ObjectType(ObjectIdentity(oid)),
                lookupMib=False,
            )
        if error:
            raise SnmpError(str(error))
        if status:
            raise SnmpError(str(status))
        value = lean.plain_value(varbinds[0][1])
        return None if _is_end(value) else _plain(value)

    async def set_integer(self, target: Target, oid: str, value: int) -> None:
        """SET one INTEGER (used by tests and the demo to take a simulated port down)."""
        async with self.semaphore:
            error, status, _index, _varbinds = await set_cmd(
                self.engine,
                target.auth_data(),
                await self._transport(target),
                ContextData(),
                ObjectType(ObjectIdentity(oid), Integer32(value)),
                lookupMib=False,
            )
        if error or status:
            raise SnmpError(str(error or status))

    async def walk_columns(
        self, target: Target, columns: list[tuple[int, ...]], *, scalar: tuple[int, ...] | None = None
    ) -> tuple[dict[int, dict[int, object]], object, int]:
        """Walk several table columns side by side with GETBULK.

        Returns ``(rows, scalar_value, varbind_count)`` where ``rows[if_index][column_number]`` is the value
        and ``scalar`` (e.g. sysUpTime) is fetched once as a non-repeater in the first request.
        """
        rows: dict[int, dict[int, object]] = {}
        current = list(columns)
        active = list(range(len(columns)))
        scalar_value = None
        count = 0
        first = True
        transport = await self._transport(target)
        auth = target.auth_data()
        while active:
            request = [self._request_object(tuple(current[i])) for i in active]
            non_repeaters = 0
            if first and scalar is not None:
                request.insert(0, self._request_object(scalar))
                non_repeaters = 1
            async with self.semaphore:
                if self.lean_model is not None:
                    error, status, _index, varbinds = await lean.bulk(
                        self.engine, auth, transport, ContextData(), non_repeaters, self.max_repetitions, request
                    )
                else:
                    error, status, _index, varbinds = await bulk_cmd(
                        self.engine,
                        auth,
                        transport,
                        ContextData(),
                        non_repeaters,
                        self.max_repetitions,
                        *request,
                        lookupMib=False,
                    )
                    varbinds = lean.plain_varbinds(varbinds)
            if error:
                raise SnmpError(str(error))
            if status:
                raise SnmpError(str(status))
            count += len(varbinds)
            if non_repeaters:
                name, value = varbinds[0]
                if name[: len(scalar)] == scalar and not _is_end(value):
                    scalar_value = _plain(value)
                varbinds = varbinds[1:]
            first = False
            width = len(active)
            finished: set[int] = set()
            for position, (name, value) in enumerate(varbinds):
                column = active[position % width]
                if column in finished:
                    continue
                oid = name
                prefix = columns[column]
                if _is_end(value) or oid[: len(prefix)] != prefix or len(oid) != len(prefix) + 1:
                    finished.add(column)
                    continue
                rows.setdefault(oid[-1], {})[column] = value
                current[column] = oid
            if not varbinds:
                break
            active = [column for column in active if column not in finished]
        return rows, scalar_value, count

    async def poll_interfaces(self, target: Target) -> DeviceSample:
        """GETBULK of the IF-MIB counters, status and speed of every interface, plus sysUpTime."""
        names = list(POLL_COLUMNS)
        oids = [POLL_COLUMNS[name][0] for name in names]
        rows, uptime, count = await self.walk_columns(target, oids, scalar=SYS_UPTIME)
        interfaces = {
            if_index: InterfaceSample(if_index, {names[column]: int(value) for column, value in values.items()})
            for if_index, values in rows.items()
        }
        return DeviceSample(
            device_id=target.device_id,
            uptime=uptime,
            monotonic=time.monotonic(),
            wall=time.time(),
            interfaces=interfaces,
            varbinds=count,
        )

    async def discover(self, target: Target) -> list[DiscoveredInterface]:
        """ifDescr, ifName, ifAlias, ifHighSpeed and ifOperStatus of every interface."""
        names = list(DISCOVERY_COLUMNS)
        rows, _uptime, _count = await self.walk_columns(target, [DISCOVERY_COLUMNS[name] for name in names])
        found = []
        for if_index, values in sorted(rows.items()):
            plain = {names[column]: _plain(value) for column, value in values.items()}
            descr = str(plain.get("descr", ""))
            found.append(
                DiscoveredInterface(
                    if_index=if_index,
                    name=str(plain.get("name") or descr or f"ifIndex {if_index}"),
                    descr=descr,
                    alias=str(plain.get("alias", "")),
                    speed_mbps=int(plain["high_speed"]) if plain.get("high_speed") else None,
                    oper_status=OPER_STATUS.get(int(plain.get("oper_status", 4)), "unknown"),
                )
            )
        return found
