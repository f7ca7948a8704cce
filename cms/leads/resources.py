"""Lead exports: every text cell neutralised against spreadsheet formulas (visitors typed these)."""

from cms.leads.models import Lead
from cms.leads.spreadsheets import neutralise_formula
from core.registry import generated_resource, override


@override(Lead, "resource")
class LeadResource(generated_resource(Lead)):
    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))
