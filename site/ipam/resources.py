"""Import/export overrides: addresses and prefixes come in by their text (phpIPAM / Ubersmith CSV); their
bounds, containing prefix and aggregate are derived by the models' validation. Status of an address is
exported but never imported: it changes only through assignment, reservation and release."""

from import_export.fields import Field

from core.registry import generated_resource, override
from ipam.models import IPAddress


@override(IPAddress, "resource")
class IPAddressResource(generated_resource(IPAddress)):
    status = Field(attribute="status", column_name="status", readonly=True)
