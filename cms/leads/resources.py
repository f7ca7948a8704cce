"""Lead exports: the generated resource, whose base neutralises every cell against spreadsheet formulas."""

from cms.leads.models import Lead
from core.registry import generated_resource

LeadResource = generated_resource(Lead)
