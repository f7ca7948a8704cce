"""Every write of the DCIM app: placement, reservations, cables, power allocation, secrets, resale.

One module per concern; this package re-exports every public name, so callers keep writing
``from dcim import services`` / ``from dcim.services import device_place``.

Each function is keyword-only and atomic; it locks the rows whose invariants it checks, so two people
placing into the same units cannot both succeed. Errors name what collides with what, in the user's terms.

* ``devices``: create, place, unrack, assign; servers held for wipe and returned to stock.
* ``bulk``: the admin's bulk actions over devices and interfaces.
* ``racks``: rack reservations.  ``cables``: connecting interfaces.
* ``power``: power ports, outlets, circuit allocation and the power budgets they check.
* ``secrets``: the audited reveal of device secrets.  ``welcome``: the delivered server's welcome e-mail.
"""

# Reads the services check before writing live in dcim.selectors; re-exported for older callers.
from dcim.selectors import (
    circuit_connected_watts,
    device_placement_problems,
    power_connection_problems,
    power_draw_problems,
    rack_connected_watts,
)
from dcim.services.bulk import (
    PASSIVE_INTERFACE_TYPES,
    device_bulk_add_tag,
    device_bulk_decommission,
    device_bulk_move,
    device_bulk_set_status,
    interface_bulk_set_enabled,
)
from dcim.services.cables import cable_connect, cable_disconnect
from dcim.services.common import SECRET_REVEAL_PERMISSION
from dcim.services.devices import (
    WIPE_CHECKLIST,
    device_assign,
    device_create,
    device_place,
    device_power_port_template,
    device_unrack,
    server_hold_for_wipe,
    server_return_to_stock,
)
from dcim.services.power import (
    power_circuit_allocate,
    power_circuit_release,
    power_port_connect,
    power_port_create,
    power_port_disconnect,
    power_port_update,
)
from dcim.services.racks import rack_reservation_release, rack_reserve
from dcim.services.records import (
    PLACEMENT_FIELDS,
    cable_create,
    crossconnect_create,
    crossconnect_delete,
    crossconnect_update,
    device_add,
    device_delete,
    device_update,
    devicetype_create,
    devicetype_delete,
    devicetype_update,
    interface_create,
    interface_delete,
    interface_update,
    manufacturer_create,
    manufacturer_delete,
    manufacturer_update,
    powercircuit_create,
    powercircuit_delete,
    powercircuit_update,
    poweroutlet_create,
    poweroutlet_delete,
    poweroutlet_update,
    powerpanel_create,
    powerpanel_delete,
    powerpanel_update,
    rack_create,
    rack_delete,
    rack_update,
    room_create,
    room_delete,
    room_update,
    row_create,
    row_delete,
    row_update,
    site_create,
    site_delete,
    site_update,
)
from dcim.services.secrets import device_secret_reveal, device_secret_set, may_reveal_secret
from dcim.services.welcome import WELCOME_ROLES, server_welcome_recipients, server_welcome_send

__all__ = [
    "PLACEMENT_FIELDS",
    "cable_create",
    "crossconnect_create",
    "crossconnect_delete",
    "crossconnect_update",
    "device_add",
    "device_delete",
    "device_update",
    "devicetype_create",
    "devicetype_delete",
    "devicetype_update",
    "interface_create",
    "interface_delete",
    "interface_update",
    "manufacturer_create",
    "manufacturer_delete",
    "manufacturer_update",
    "powercircuit_create",
    "powercircuit_delete",
    "powercircuit_update",
    "poweroutlet_create",
    "poweroutlet_delete",
    "poweroutlet_update",
    "powerpanel_create",
    "powerpanel_delete",
    "powerpanel_update",
    "rack_create",
    "rack_delete",
    "rack_update",
    "room_create",
    "room_delete",
    "room_update",
    "row_create",
    "row_delete",
    "row_update",
    "site_create",
    "site_delete",
    "site_update",
    "PASSIVE_INTERFACE_TYPES",
    "SECRET_REVEAL_PERMISSION",
    "WELCOME_ROLES",
    "WIPE_CHECKLIST",
    "cable_connect",
    "cable_disconnect",
    "circuit_connected_watts",
    "device_assign",
    "device_bulk_add_tag",
    "device_bulk_decommission",
    "device_bulk_move",
    "device_bulk_set_status",
    "device_create",
    "device_place",
    "device_placement_problems",
    "device_power_port_template",
    "device_secret_reveal",
    "device_secret_set",
    "device_unrack",
    "interface_bulk_set_enabled",
    "may_reveal_secret",
    "power_circuit_allocate",
    "power_circuit_release",
    "power_connection_problems",
    "power_draw_problems",
    "power_port_connect",
    "power_port_create",
    "power_port_disconnect",
    "power_port_update",
    "rack_connected_watts",
    "rack_reservation_release",
    "rack_reserve",
    "server_hold_for_wipe",
    "server_return_to_stock",
    "server_welcome_recipients",
    "server_welcome_send",
]
