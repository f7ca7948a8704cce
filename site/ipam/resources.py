"""Import/export overrides: addresses and prefixes come in by their text (phpIPAM / Ubersmith CSV); their
bounds, containing prefix and aggregate are derived by the models' validation. Status of an address is
exported but never imported: it changes only through assignment, reservation and release. An import saves
rows directly, so the per-prefix figures (``ipam.counters``) are recounted after it."""

from import_export.fields import Field

from core.registry import generated_resource, override
from ipam import counters
from ipam.models import IPAddress, Prefix


class CountersAfterImport:
    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        counters.counters_refresh()


@override(IPAddress, "resource")
class IPAddressResource(CountersAfterImport, generated_resource(IPAddress)):
    status = Field(attribute="status", column_name="status", readonly=True)


@override(Prefix, "resource")
class PrefixResource(CountersAfterImport, generated_resource(Prefix)):
    pass
