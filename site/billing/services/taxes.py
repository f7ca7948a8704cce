"""Tax rates: reference data staff maintain; the model's own validation is the only rule."""

from billing.models import TaxRate
from core.services import plain_services

taxrate_create, taxrate_update, taxrate_delete = plain_services(TaxRate)
