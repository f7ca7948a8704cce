"""Choices of the DCIM app, with the badge colours the admin shows beside them (maps kept outside the enums)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RackStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


RACK_STATUS_COLOURS = {
    RackStatus.PLANNED: "info",
    RackStatus.ACTIVE: "success",
    RackStatus.RESERVED: "warning",
    RackStatus.DECOMMISSIONED: "danger",
}


class RackNumbering(models.TextChoices):
    BOTTOM_TO_TOP = "bottom_to_top", _("U1 at the bottom")
    TOP_TO_BOTTOM = "top_to_bottom", _("U1 at the top")


class RoomKind(models.TextChoices):
    ROOM = "room", _("Room")
    CAGE = "cage", _("Cage")
    SUITE = "suite", _("Suite")


class DeviceRole(models.TextChoices):
    SERVER = "server", _("Server")
    SWITCH = "switch", _("Switch")
    ROUTER = "router", _("Router")
    PDU = "pdu", _("PDU")
    PATCH_PANEL = "patch_panel", _("Patch panel")
    BLANKING = "blanking", _("Blanking panel")
    OTHER = "other", _("Other")


DEVICE_ROLE_COLOURS = {
    DeviceRole.SERVER: "primary",
    DeviceRole.SWITCH: "info",
    DeviceRole.ROUTER: "info",
    DeviceRole.PDU: "warning",
    DeviceRole.PATCH_PANEL: "info",
    DeviceRole.BLANKING: "info",
    DeviceRole.OTHER: "info",
}


class DeviceStatus(models.TextChoices):
    INVENTORY = "inventory", _("Inventory")
    STAGED = "staged", _("Staged")
    ACTIVE = "active", _("Active")
    FAULTY = "faulty", _("Faulty")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


DEVICE_STATUS_COLOURS = {
    DeviceStatus.INVENTORY: "info",
    DeviceStatus.STAGED: "warning",
    DeviceStatus.ACTIVE: "success",
    DeviceStatus.FAULTY: "danger",
    DeviceStatus.DECOMMISSIONED: "danger",
}


class Ownership(models.TextChoices):
    DATACENTER = "datacenter", _("Datacenter")
    CUSTOMER = "customer", _("Customer")


class RackFace(models.TextChoices):
    FRONT = "front", _("Front")
    REAR = "rear", _("Rear")


class SnmpVersion(models.TextChoices):
    V2C = "v2c", _("SNMP v2c")
    V3 = "v3", _("SNMP v3")


class SnmpAuthProtocol(models.TextChoices):
    NONE = "", _("None")
    MD5 = "MD5", "MD5"
    SHA = "SHA", "SHA"
    SHA256 = "SHA256", "SHA-256"
    SHA512 = "SHA512", "SHA-512"


class SnmpPrivProtocol(models.TextChoices):
    NONE = "", _("None")
    DES = "DES", "DES"
    AES = "AES", "AES-128"
    AES256 = "AES256", "AES-256"


class InterfaceType(models.TextChoices):
    BASE_T_1G = "1000base-t", _("1GBASE-T (copper)")
    BASE_T_10G = "10gbase-t", _("10GBASE-T (copper)")
    SFP_1G = "1000base-x-sfp", _("SFP (1GE)")
    SFPP_10G = "10gbase-x-sfpp", _("SFP+ (10GE)")
    SFP28_25G = "25gbase-x-sfp28", _("SFP28 (25GE)")
    QSFP28_100G = "100gbase-x-qsfp28", _("QSFP28 (100GE)")
    FRONT_PORT = "front-port", _("Patch panel front port")
    REAR_PORT = "rear-port", _("Patch panel rear port")
    VIRTUAL = "virtual", _("Virtual")
    OTHER = "other", _("Other")


class CableStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONNECTED = "connected", _("Connected")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")


CABLE_STATUS_COLOURS = {
    CableStatus.PLANNED: "info",
    CableStatus.CONNECTED: "success",
    CableStatus.DECOMMISSIONING: "warning",
}


class CableMedia(models.TextChoices):
    SINGLE_MODE = "single_mode", _("Single-mode fiber")
    MULTI_MODE = "multi_mode", _("Multi-mode fiber")
    COPPER = "copper", _("Copper")
    DAC = "dac", _("Direct-attach copper")


class CrossConnectMedia(models.TextChoices):
    SINGLE_MODE = "single_mode", _("Single-mode fiber")
    MULTI_MODE = "multi_mode", _("Multi-mode fiber")
    COPPER = "copper", _("Copper")


class CrossConnectStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


CROSS_CONNECT_STATUS_COLOURS = {
    CrossConnectStatus.REQUESTED: "info",
    CrossConnectStatus.PROVISIONING: "warning",
    CrossConnectStatus.ACTIVE: "success",
    CrossConnectStatus.DECOMMISSIONED: "danger",
}


class PowerPhase(models.TextChoices):
    SINGLE = "single", _("Single phase")
    THREE = "three", _("Three phase")


class PowerFeedSide(models.TextChoices):
    A = "A", _("A feed")
    B = "B", _("B feed")


class PowerCircuitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    OFFLINE = "offline", _("Offline")


POWER_CIRCUIT_STATUS_COLOURS = {
    PowerCircuitStatus.PLANNED: "info",
    PowerCircuitStatus.ACTIVE: "success",
    PowerCircuitStatus.OFFLINE: "danger",
}


class PowerPortType(models.TextChoices):
    """The inlet of a device power supply (what its cord plugs into on the device side)."""

    IEC_C14 = "iec-c14", _("IEC C14 (10 A)")
    IEC_C20 = "iec-c20", _("IEC C20 (16 A)")
    NEMA_5_15P = "nema-5-15p", _("NEMA 5-15P")
    NEMA_L6_30P = "nema-l6-30p", _("NEMA L6-30P")
    DC = "dc", _("DC terminal")
    OTHER = "other", _("Other")


class SecretField(models.TextChoices):
    """The device secrets that can be revealed (each reveal is audited)."""

    ROOT_PASSWORD = "root_password", _("Root password")
    IPMI_PASSWORD = "ipmi_password", _("IPMI password")
    SNMP_COMMUNITY = "snmp_community", _("SNMP community")
    SNMP_AUTH_KEY = "snmp_auth_key", _("SNMPv3 authentication key")
    SNMP_PRIV_KEY = "snmp_priv_key", _("SNMPv3 privacy key")


# Secrets the owning customer may reveal for their own device; the rest are for permitted staff only.
CUSTOMER_REVEALABLE_SECRETS = frozenset({SecretField.ROOT_PASSWORD, SecretField.IPMI_PASSWORD})
