"""The physical source of truth: sites, rooms, rows, racks, devices, interfaces, cables, cross-connects, power.

Invariants of one object live in ``clean()``; rules that span objects (placement, reservations, cable ends,
power budgets) live in ``dcim.services``, which lock the rows they check.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from core.fields import EncryptedTextField
from core.models import Model, PrimaryModel
from dcim.choices import (
    CableMedia,
    CableStatus,
    CrossConnectMedia,
    CrossConnectStatus,
    DeviceRole,
    DeviceStatus,
    InterfaceType,
    Ownership,
    PowerCircuitStatus,
    PowerFeedSide,
    PowerPhase,
    PowerPortType,
    RackFace,
    RackNumbering,
    RackStatus,
    RoomKind,
    SecretField,
    SnmpAuthProtocol,
    SnmpPrivProtocol,
    SnmpVersion,
)
from dcim.querysets import DeviceQuerySet, PowerCircuitQuerySet, RackQuerySet

COMPANY = "accounts.Company"
DEFAULT_USABLE_FRACTION = Decimal("0.80")
SQRT3 = Decimal("1.7320508")

mac_validator = RegexValidator(
    r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$", _("Enter a MAC address such as 00:1a:2b:3c:4d:5e.")
)


def usable_fraction_default() -> Decimal:
    """The share of a breaker's rating that may be allocated (``DCIM_CIRCUIT_USABLE_FRACTION``, 80%)."""
    return Decimal(str(getattr(settings, "DCIM_CIRCUIT_USABLE_FRACTION", DEFAULT_USABLE_FRACTION)))


def unit_range_text(first: int, last: int) -> str:
    """'U 12' or 'U 12–13'."""
    return f"U {first}" if first == last else f"U {first}–{last}"


# --- locations -------------------------------------------------------------------------------------------


class Site(PrimaryModel):
    """A datacenter building or campus."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("Short code, e.g. IAD1."))
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(PrimaryModel):
    """A room, suite or cage inside a site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RoomKind, default=RoomKind.ROOM)

    class Meta:
        verbose_name = _("room or cage")
        verbose_name_plural = _("rooms and cages")
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="dcim_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Row(PrimaryModel):
    """A row of racks in a room."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="rows", verbose_name=_("room"))
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("row")
        verbose_name_plural = _("rows")
        ordering = ["room__name", "name"]
        constraints = [models.UniqueConstraint(fields=["room", "name"], name="dcim_row_unique_name")]

    def __str__(self) -> str:
        return self.name


class Rack(PrimaryModel):
    """A cabinet of ``u_height`` units, owned by the datacenter or by a customer (``company``)."""

    name = models.CharField(_("name"), max_length=50)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="racks", verbose_name=_("site"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="racks", null=True, blank=True, verbose_name=_("room or cage")
    )
    row = models.ForeignKey(Row, on_delete=models.PROTECT, related_name="racks", null=True, blank=True)
    company = models.ForeignKey(
        COMPANY,
        on_delete=models.PROTECT,
        related_name="dcim_racks",
        null=True,
        blank=True,
        verbose_name=_("owner"),
        help_text=_("The customer who has this whole cabinet; empty when the datacenter owns it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=RackStatus, default=RackStatus.ACTIVE)
    u_height = models.PositiveSmallIntegerField(
        _("height (U)"), default=42, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    numbering = models.CharField(
        _("unit numbering"), max_length=20, choices=RackNumbering, default=RackNumbering.BOTTOM_TO_TOP
    )
    power_budget_kw = models.DecimalField(_("power budget (kW)"), max_digits=7, decimal_places=2, null=True, blank=True)
    weight_budget_kg = models.DecimalField(
        _("weight budget (kg)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    facility_id = models.CharField(_("facility id"), max_length=50, blank=True)

    tags = TaggableManager(blank=True)
    objects = RackQuerySet.as_manager()

    class Meta:
        verbose_name = _("rack")
        verbose_name_plural = _("racks")
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="dcim_rack_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.room_id and self.site_id and self.room.site_id != self.site_id:
            raise ValidationError({"room": _("%(room)s is not in %(site)s.") % {"room": self.room, "site": self.site}})
        if self.row_id and self.room_id and self.row.room_id != self.room_id:
            raise ValidationError({"row": _("Row %(row)s is not in %(room)s.") % {"row": self.row, "room": self.room}})
        if self.row_id and not self.room_id:
            self.room = self.row.room

    @property
    def owner_display(self) -> str:
        return str(self.company) if self.company_id else str(_("Datacenter"))

    @property
    def units(self) -> list[int]:
        """Unit numbers from top to bottom, as drawn."""
        if self.numbering == RackNumbering.TOP_TO_BOTTOM:
            return list(range(1, self.u_height + 1))
        return list(range(self.u_height, 0, -1))


class RackReservation(PrimaryModel):
    """Units ``first_u``..``last_u`` of a rack held for a customer; placement respects it."""

    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("rack"))
    company = models.ForeignKey(
        COMPANY, on_delete=models.PROTECT, related_name="dcim_rack_reservations", verbose_name=_("customer")
    )
    first_u = models.PositiveSmallIntegerField(_("first unit"), validators=[MinValueValidator(1)])
    last_u = models.PositiveSmallIntegerField(_("last unit"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rack reservation")
        verbose_name_plural = _("rack reservations")
        ordering = ["rack__name", "first_u"]

    def __str__(self) -> str:
        return f"{self.rack} {unit_range_text(self.first_u, self.last_u)}"

    def clean(self):
        super().clean()
        if self.first_u and self.last_u and self.last_u < self.first_u:
            raise ValidationError({"last_u": _("The last unit must not be below the first.")})
        if self.rack_id and self.last_u and self.last_u > self.rack.u_height:
            message = _("Rack %(rack)s has only %(height)d units.") % {"rack": self.rack, "height": self.rack.u_height}
            raise ValidationError({"last_u": message})

    @property
    def units(self) -> range:
        return range(self.first_u, self.last_u + 1)


# --- device types ----------------------------------------------------------------------------------------


class Manufacturer(PrimaryModel):
    """A hardware vendor."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def validate_interface_template(value) -> None:
    """The template is a list of ``{"name": ..., "type": ..., "speed": ...}`` objects."""
    if not isinstance(value, list) or not all(isinstance(item, dict) and item.get("name") for item in value):
        raise ValidationError(_('Give a list of interfaces such as [{"name": "eth0", "type": "10gbase-x-sfpp"}].'))


def validate_power_port_template(value) -> None:
    """The template is a list of ``{"name": ..., "type": ..., "maximum_draw": W, "allocated_draw": W}`` objects."""
    if not isinstance(value, list) or not all(isinstance(item, dict) and item.get("name") for item in value):
        raise ValidationError(
            _('Give a list of power ports such as [{"name": "PSU1", "type": "iec-c14", "allocated_draw": 250}].')
        )
    for item in value:
        for key in ("maximum_draw", "allocated_draw"):
            if item.get(key) is not None and (not isinstance(item[key], int) or item[key] < 0):
                raise ValidationError(
                    _("%(key)s of power port %(name)s must be a whole number of watts.")
                    % {"key": key, "name": item["name"]}
                )


class DeviceType(PrimaryModel):
    """A hardware model (and, for servers, a hardware configuration counted as stock)."""

    manufacturer = models.ForeignKey(
        Manufacturer, on_delete=models.PROTECT, related_name="device_types", verbose_name=_("manufacturer")
    )
    model = models.CharField(_("model"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    default_role = models.CharField(_("default role"), max_length=20, choices=DeviceRole, default=DeviceRole.SERVER)
    u_height = models.PositiveSmallIntegerField(
        _("height (U)"), default=1, help_text=_("0 for devices that take no rack units (zero-U PDUs).")
    )
    is_full_depth = models.BooleanField(
        _("full depth"), default=True, help_text=_("A full-depth device blocks its units at the front and rear.")
    )
    power_draw_watts = models.PositiveIntegerField(_("typical power draw (W)"), default=0)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=6, decimal_places=1, null=True, blank=True)
    interface_template = models.JSONField(
        _("interfaces template"),
        default=list,
        blank=True,
        validators=[validate_interface_template],
        help_text=_("Interfaces created on each new device of this type."),
    )
    power_port_template = models.JSONField(
        _("power ports template"),
        default=list,
        blank=True,
        validators=[validate_power_port_template],
        help_text=_(
            "Power ports created on each new device of this type. Empty: one PSU1 drawing the typical power "
            "draw, when the type draws power."
        ),
    )
    cpu = models.CharField(_("CPU"), max_length=120, blank=True)
    memory_gb = models.PositiveIntegerField(_("RAM (GB)"), null=True, blank=True)
    storage = models.CharField(_("disks"), max_length=200, blank=True)
    nics = models.CharField(_("NICs"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("device type")
        verbose_name_plural = _("device types")
        ordering = ["manufacturer__name", "model"]
        constraints = [models.UniqueConstraint(fields=["manufacturer", "model"], name="dcim_devicetype_unique")]

    def __str__(self) -> str:
        return self.model

    @property
    def hardware_summary(self) -> str:
        """'2× Xeon 6338 · 256 GB · 2× 1.92 TB NVMe · 2× 25GE' for stock listings."""
        memory = f"{self.memory_gb} GB" if self.memory_gb else ""
        return " · ".join(part for part in (self.cpu, memory, self.storage, self.nics) if part)


# --- devices ---------------------------------------------------------------------------------------------


class Device(PrimaryModel):
    """A piece of hardware: the datacenter's own or a customer's, in stock or racked at ``position``.

    ``company`` is the customer the device belongs to or is assigned to (a rented dedicated server); empty
    means the datacenter's own, and a server in inventory without a customer is stock for sale.
    ``position`` is the lowest unit the device occupies.
    """

    name = models.CharField(_("name"), max_length=100)
    device_type = models.ForeignKey(
        DeviceType, on_delete=models.PROTECT, related_name="devices", verbose_name=_("device type")
    )
    role = models.CharField(_("role"), max_length=20, choices=DeviceRole, default=DeviceRole.SERVER)
    company = models.ForeignKey(
        COMPANY,
        on_delete=models.PROTECT,
        related_name="dcim_devices",
        null=True,
        blank=True,
        verbose_name=_("customer"),
        help_text=_("The customer who owns or rents this device; empty for the datacenter's own and stock."),
    )
    ownership = models.CharField(
        _("owned by"),
        max_length=20,
        choices=Ownership,
        default=Ownership.DATACENTER,
        help_text=_("Who owns the hardware: the datacenter (rented or stock) or the customer (colocated)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=DeviceStatus, default=DeviceStatus.INVENTORY)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=50, unique=True, null=True, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="devices", null=True, blank=True, verbose_name=_("site")
    )
    rack = models.ForeignKey(
        Rack, on_delete=models.PROTECT, related_name="devices", null=True, blank=True, verbose_name=_("rack")
    )
    position = models.PositiveSmallIntegerField(
        _("position (U)"), null=True, blank=True, help_text=_("The lowest unit the device occupies.")
    )
    face = models.CharField(_("rack face"), max_length=10, choices=RackFace, default=RackFace.FRONT)
    power_circuit = models.ForeignKey(
        "PowerCircuit",
        on_delete=models.SET_NULL,
        related_name="fed_devices",
        null=True,
        blank=True,
        verbose_name=_("power circuit"),
        help_text=_("For PDUs: the circuit that feeds it."),
    )

    management_ip = models.GenericIPAddressField(_("management IP"), null=True, blank=True)
    snmp_enabled = models.BooleanField(_("poll over SNMP"), default=False)
    snmp_version = models.CharField(_("SNMP version"), max_length=5, choices=SnmpVersion, default=SnmpVersion.V2C)
    snmp_port = models.PositiveIntegerField(_("SNMP port"), default=161)
    snmp_community = EncryptedTextField(_("SNMP community"), blank=True)
    snmp_v3_user = models.CharField(_("SNMPv3 user"), max_length=64, blank=True)
    snmp_auth_protocol = models.CharField(
        _("SNMPv3 auth protocol"), max_length=10, choices=SnmpAuthProtocol, default=SnmpAuthProtocol.NONE, blank=True
    )
    snmp_auth_key = EncryptedTextField(_("SNMPv3 auth key"), blank=True)
    snmp_priv_protocol = models.CharField(
        _("SNMPv3 privacy protocol"), max_length=10, choices=SnmpPrivProtocol, default=SnmpPrivProtocol.NONE, blank=True
    )
    snmp_priv_key = EncryptedTextField(_("SNMPv3 privacy key"), blank=True)
    snmp_polling_interval = models.PositiveIntegerField(
        _("SNMP polling interval (s)"), default=60, validators=[MinValueValidator(10)]
    )

    ipmi_address = models.GenericIPAddressField(_("IPMI address"), null=True, blank=True)
    ipmi_port = models.PositiveIntegerField(_("IPMI port"), default=623)
    ipmi_username = models.CharField(_("IPMI username"), max_length=64, blank=True)
    ipmi_password = EncryptedTextField(_("IPMI password"), blank=True)
    root_password = EncryptedTextField(_("root password"), blank=True)

    welcome_email_sent_at = models.DateTimeField(_("welcome e-mail sent"), null=True, blank=True, editable=False)

    tags = TaggableManager(blank=True)
    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name", "pk"]
        permissions = [("reveal_device_secret", _("Can reveal device secrets (root, IPMI, SNMP)"))]
        indexes = [models.Index(fields=["management_ip"]), models.Index(fields=["role", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(rack__isnull=False), name="dcim_device_position_needs_rack"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.ownership == Ownership.CUSTOMER and not self.company_id:
            raise ValidationError({"company": _("A customer-owned device needs its customer.")})
        if self.position is not None and not self.rack_id:
            raise ValidationError({"position": _("Choose the rack before the unit.")})
        if self.rack_id and self.position is not None and self.device_type_id:
            top = self.position + max(self.device_type.u_height, 1) - 1
            if self.position < 1 or top > self.rack.u_height:
                raise ValidationError(
                    {
                        "position": _("%(units)s is outside rack %(rack)s, which has units 1–%(height)d.")
                        % {
                            "units": unit_range_text(self.position, top),
                            "rack": self.rack,
                            "height": self.rack.u_height,
                        }
                    }
                )
        if self.snmp_version == SnmpVersion.V3 and self.snmp_enabled and not self.snmp_v3_user:
            raise ValidationError({"snmp_v3_user": _("SNMP v3 needs a user name.")})

    @property
    def owner_display(self) -> str:
        """Who owns the hardware, as shown everywhere: the customer's name or 'Datacenter'."""
        if self.ownership == Ownership.CUSTOMER and self.company_id:
            return str(self.company)
        return str(_("Datacenter"))

    @property
    def units(self) -> range:
        """The rack units this device occupies (empty when not racked or zero-U)."""
        if self.position is None:
            return range(0)
        return range(self.position, self.position + self.device_type.u_height)

    @property
    def unit_range(self) -> str:
        if self.position is None:
            return ""
        return unit_range_text(self.position, self.position + max(self.device_type.u_height, 1) - 1)

    @property
    def faces(self) -> set[str]:
        """The rack faces the device blocks: both when full depth."""
        return {RackFace.FRONT, RackFace.REAR} if self.device_type.is_full_depth else {self.face}


class Interface(PrimaryModel):
    """A network port of a device (or a patch panel's front/rear port)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="interfaces", verbose_name=_("device"))
    name = models.CharField(_("name"), max_length=64)
    type = models.CharField(_("type"), max_length=30, choices=InterfaceType, default=InterfaceType.BASE_T_1G)
    speed = models.PositiveIntegerField(_("speed (Mbit/s)"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    mgmt_only = models.BooleanField(_("management only"), default=False)
    mac_address = models.CharField(_("MAC address"), max_length=17, blank=True, validators=[mac_validator])
    rear_port = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="front_ports",
        verbose_name=_("rear port"),
        help_text=_("For a patch panel's front port: the rear port it is wired to."),
    )

    class Meta:
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")
        ordering = ["device__name", "name"]
        constraints = [models.UniqueConstraint(fields=["device", "name"], name="dcim_interface_unique_name")]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name}"

    def clean(self):
        super().clean()
        if self.mac_address:
            self.mac_address = self.mac_address.replace("-", ":").lower()

    @property
    def speed_display(self) -> str:
        if not self.speed:
            return ""
        if self.speed >= 1000 and self.speed % 1000 == 0:
            return f"{self.speed // 1000} Gbit/s"
        return f"{self.speed} Mbit/s"


class Cable(PrimaryModel):
    """A cable between two interfaces; an interface takes one cable at most (checked by ``cable_connect``)."""

    label = models.CharField(_("label"), max_length=50, blank=True)
    a_interface = models.OneToOneField(
        Interface, on_delete=models.PROTECT, related_name="cable_as_a", verbose_name=_("A end")
    )
    b_interface = models.OneToOneField(
        Interface, on_delete=models.PROTECT, related_name="cable_as_b", verbose_name=_("B end")
    )
    media = models.CharField(_("media"), max_length=20, choices=CableMedia, default=CableMedia.COPPER)
    status = models.CharField(_("status"), max_length=20, choices=CableStatus, default=CableStatus.CONNECTED)
    length_m = models.DecimalField(_("length (m)"), max_digits=6, decimal_places=1, null=True, blank=True)
    color = models.CharField(_("colour"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("cable")
        verbose_name_plural = _("cables")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"

    def clean(self):
        super().clean()
        if self.a_interface_id and self.a_interface_id == self.b_interface_id:
            raise ValidationError(_("A cable needs two different ends."))


class CrossConnect(PrimaryModel):
    """A customer's cross-connect between two points (rack, panel, port on each side), with its test results."""

    circuit_id = models.CharField(_("circuit id"), max_length=50, unique=True)
    company = models.ForeignKey(
        COMPANY, on_delete=models.PROTECT, related_name="dcim_cross_connects", verbose_name=_("customer")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CrossConnectStatus, default=CrossConnectStatus.REQUESTED
    )
    media = models.CharField(
        _("media"), max_length=20, choices=CrossConnectMedia, default=CrossConnectMedia.SINGLE_MODE
    )
    a_rack = models.ForeignKey(Rack, on_delete=models.PROTECT, related_name="+", verbose_name=_("A side rack"))
    a_panel = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("A side panel")
    )
    a_port = models.CharField(_("A side port"), max_length=50, blank=True)
    z_rack = models.ForeignKey(
        Rack, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("Z side rack")
    )
    z_panel = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("Z side panel")
    )
    z_port = models.CharField(_("Z side port"), max_length=50, blank=True)
    z_party = models.CharField(
        _("Z side party"), max_length=100, blank=True, help_text=_("Carrier or other customer on the Z side.")
    )
    loss_db = models.DecimalField(_("measured loss (dB)"), max_digits=5, decimal_places=2, null=True, blank=True)
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    test_result = models.TextField(_("test result"), blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("cross-connect")
        verbose_name_plural = _("cross-connects")
        ordering = ["circuit_id"]

    def __str__(self) -> str:
        return self.circuit_id

    def clean(self):
        super().clean()
        if self.loss_db is not None and self.media == CrossConnectMedia.COPPER:
            raise ValidationError({"loss_db": _("Optical loss is measured on fiber, not copper.")})


# --- power -----------------------------------------------------------------------------------------------


class PowerPanel(PrimaryModel):
    """A distribution panel in a site (or room) from which circuits are taken."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="power_panels", verbose_name=_("site"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="power_panels", null=True, blank=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("power panel")
        verbose_name_plural = _("power panels")
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="dcim_powerpanel_unique_name")]

    def __str__(self) -> str:
        return self.name


class PowerCircuit(PrimaryModel):
    """A breaker on a panel feeding a rack: usable capacity is ``usable_fraction`` (80%) of its rating.

    ``allocated_kw`` is what is contracted on it for its customer; ``measured_amps`` the last reading.
    """

    panel = models.ForeignKey(PowerPanel, on_delete=models.PROTECT, related_name="circuits", verbose_name=_("panel"))
    name = models.CharField(_("name"), max_length=50)
    breaker_position = models.CharField(_("breaker position"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PowerCircuitStatus, default=PowerCircuitStatus.ACTIVE)
    voltage = models.PositiveSmallIntegerField(_("voltage (V)"), default=230)
    amperage = models.PositiveSmallIntegerField(_("breaker (A)"), default=16)
    phase = models.CharField(_("phase"), max_length=10, choices=PowerPhase, default=PowerPhase.SINGLE)
    feed = models.CharField(_("feed"), max_length=1, choices=PowerFeedSide, default=PowerFeedSide.A)
    redundancy_partner = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("redundant partner")
    )
    usable_fraction = models.DecimalField(
        _("usable share"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Share of the breaker that may be allocated; empty: the site default (80%)."),
    )
    rack = models.ForeignKey(
        Rack, on_delete=models.SET_NULL, null=True, blank=True, related_name="power_circuits", verbose_name=_("rack")
    )
    company = models.ForeignKey(
        COMPANY,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dcim_power_circuits",
        verbose_name=_("customer"),
    )
    allocated_kw = models.DecimalField(_("allocated (kW)"), max_digits=7, decimal_places=2, default=Decimal("0"))
    measured_amps = models.DecimalField(_("measured (A)"), max_digits=6, decimal_places=2, null=True, blank=True)

    objects = PowerCircuitQuerySet.as_manager()

    class Meta:
        verbose_name = _("power circuit")
        verbose_name_plural = _("power circuits")
        ordering = ["panel__name", "name"]
        constraints = [models.UniqueConstraint(fields=["panel", "name"], name="dcim_powercircuit_unique_name")]

    def __str__(self) -> str:
        return f"{self.panel.name}/{self.name}"

    @property
    def fraction(self) -> Decimal:
        return self.usable_fraction if self.usable_fraction is not None else usable_fraction_default()

    @property
    def rated_kw(self) -> Decimal:
        """The breaker's full rating in kW (V × A, × √3 for three phase)."""
        watts = Decimal(self.voltage) * Decimal(self.amperage)
        if self.phase == PowerPhase.THREE:
            watts *= SQRT3
        return (watts / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def usable_amps(self) -> Decimal:
        return (Decimal(self.amperage) * self.fraction).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def capacity_kw(self) -> Decimal:
        """What may be allocated: the rating times the usable share."""
        return (self.rated_kw * self.fraction).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def measured_kw(self) -> Decimal | None:
        if self.measured_amps is None:
            return None
        watts = Decimal(self.voltage) * self.measured_amps
        if self.phase == PowerPhase.THREE:
            watts *= SQRT3
        return (watts / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def headroom_kw(self) -> Decimal:
        return self.capacity_kw - self.allocated_kw

    @property
    def connected_kw(self) -> Decimal:
        """The draw of the power ports plugged in, from ``with_connected_draw()`` (a query otherwise)."""
        watts = getattr(self, "connected_w", None)
        if watts is None:
            from django.db.models import Sum

            watts = (
                PowerPort.objects.filter(outlet__pdu__power_circuit=self).aggregate(total=Sum("allocated_draw_w"))[
                    "total"
                ]
                or 0
            )
        return (Decimal(watts) / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class PowerPort(PrimaryModel):
    """A power inlet of a device (a PSU): plugged into at most one PDU outlet (``outlet``, the reverse side).

    ``allocated_draw_w`` is what the power budget counts for it (circuit, rack, customer); ``maximum_draw_w``
    the nameplate maximum of the supply.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="power_ports", verbose_name=_("device"))
    name = models.CharField(_("name"), max_length=50)
    type = models.CharField(_("type"), max_length=20, choices=PowerPortType, blank=True)
    maximum_draw_w = models.PositiveIntegerField(_("maximum draw (W)"), null=True, blank=True)
    allocated_draw_w = models.PositiveIntegerField(
        _("allocated draw (W)"), default=0, help_text=_("What the power budget of its circuit and rack counts.")
    )

    class Meta:
        verbose_name = _("power port")
        verbose_name_plural = _("power ports")
        ordering = ["device__name", "name"]
        constraints = [models.UniqueConstraint(fields=["device", "name"], name="dcim_powerport_unique_name")]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name}"

    def clean(self):
        super().clean()
        if self.maximum_draw_w is not None and self.allocated_draw_w > self.maximum_draw_w:
            raise ValidationError(
                {
                    "allocated_draw_w": _("%(allocated)d W is more than the %(maximum)d W this supply can draw.")
                    % {"allocated": self.allocated_draw_w, "maximum": self.maximum_draw_w}
                }
            )


class PowerOutlet(PrimaryModel):
    """An outlet of a PDU; ``power_port`` is the device power port plugged into it (one at most, each way)."""

    pdu = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="outlets", verbose_name=_("PDU"))
    name = models.CharField(_("name"), max_length=30)
    feed = models.CharField(_("feed"), max_length=1, choices=PowerFeedSide, default=PowerFeedSide.A)
    power_port = models.OneToOneField(
        PowerPort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outlet",
        verbose_name=_("connected power port"),
    )

    class Meta:
        verbose_name = _("power outlet")
        verbose_name_plural = _("power outlets")
        ordering = ["pdu__name", "name"]
        constraints = [models.UniqueConstraint(fields=["pdu", "name"], name="dcim_poweroutlet_unique_name")]

    def __str__(self) -> str:
        return f"{self.pdu.name} {self.name}"


# --- audit -----------------------------------------------------------------------------------------------


class SecretReveal(Model):
    """One reveal of a device secret: who saw which secret of which device, when, and from where."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="secret_reveals")
    field = models.CharField(_("secret"), max_length=30, choices=SecretField)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    as_customer = models.BooleanField(_("as customer"), default=False)

    class Meta:
        verbose_name = _("secret reveal")
        verbose_name_plural = _("secret reveals")
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of {self.device_id} by {self.user_id}"


class ServerWelcome(Model):
    """One welcome e-mail sent for a dedicated server: when, by whom, to whom, and exactly what it said."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="welcome_emails")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField(_("recipients"), default=list)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("server welcome e-mail")
        verbose_name_plural = _("server welcome e-mails")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"Welcome e-mail for {self.device_id} at {self.sent_at:%Y-%m-%d %H:%M}"
