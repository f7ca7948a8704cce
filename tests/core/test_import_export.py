"""Generic suite over every declared model: spreadsheet export, then import of the same rows, round-trips."""

import pytest
import tablib
from import_export.formats import base_formats

from core.imports import import_allowed
from core.registry import all_specs, resolved
from tests.accounts.factories import CompanyFactory
from tests.factories import OBJECT_FACTORIES

IMPORTABLE = [pytest.param(s, id=s.label) for s in all_specs() if import_allowed(s) and s.model in OBJECT_FACTORIES]


@pytest.mark.django_db
@pytest.mark.parametrize("spec", IMPORTABLE)
def test_export_then_import_round_trips(spec):
    instance = OBJECT_FACTORIES[spec.model](CompanyFactory())
    resource = resolved(spec.model, "resource")()
    exported = resource.export(queryset=spec.model._default_manager.filter(pk=instance.pk))
    assert len(exported) == 1

    dry_run = resource.import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=True)
    assert not dry_run.has_errors(), [row.errors for row in dry_run.rows]
    assert not dry_run.has_validation_errors(), [row.error_dict for row in dry_run.invalid_rows]

    count = spec.model._default_manager.count()
    result = resource.import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert spec.model._default_manager.count() == count  # matched by its id fields, not duplicated


@pytest.mark.django_db
def test_import_reports_bad_rows_and_writes_nothing():
    from accounts.models import Company

    resource = resolved(Company, "resource")()
    dataset = tablib.Dataset(headers=["account_number", "name", "status"])
    dataset.append(["900001", "Valid Co", "active"])
    dataset.append(["900002", "Broken Co", "not-a-status"])
    # The admin imports with these flags: a file with a bad row writes nothing, and says which row and why.
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert result.invalid_rows[0].number == 2
    assert "status" in result.invalid_rows[0].error_dict
    assert not Company.objects.filter(name__in=["Valid Co", "Broken Co"]).exists()


@pytest.mark.django_db
def test_exports_neutralise_spreadsheet_formulas(settings):
    from accounts.models import Company

    company = CompanyFactory(name='=HYPERLINK("http://evil.example")')
    dataset = resolved(Company, "resource")().export(queryset=Company.objects.filter(pk=company.pk))
    csv = base_formats.CSV().export_data(dataset)
    assert '"=HYPERLINK' not in csv and ",=HYPERLINK" not in csv
    assert "'=HYPERLINK" in csv  # the text is kept, only made inert (core.exports)


@pytest.mark.django_db
def test_imported_rows_are_written_by_the_specs_services():
    from accounts.models import Company

    existing = CompanyFactory(name="Old name")
    resource = resolved(Company, "resource")()
    dataset = tablib.Dataset(headers=["account_number", "name", "status", "country"])
    dataset.append(["", "Imported Co", "active", "NL"])  # new: numbered by company_register
    dataset.append([existing.account_number, "New name", "active", "DE"])  # matched: through company_update
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert not result.has_errors() and not result.has_validation_errors(), [r.errors for r in result.rows]
    imported = Company.objects.get(name="Imported Co")
    assert imported.account_number  # the service numbered it; the file had none
    assert [row.import_type for row in result.rows] == ["new", "update"]
    existing.refresh_from_db()
    assert (existing.name, existing.country) == ("New name", "DE")


@pytest.mark.django_db
def test_a_service_refusal_is_the_rows_error_and_nothing_is_written():
    from accounts.models import Company

    existing = CompanyFactory(name="Keep me")
    resource = resolved(Company, "resource")()
    dataset = tablib.Dataset(headers=["account_number", "name", "status"])
    dataset.append([existing.account_number, "Renamed", "active"])
    dataset.append(["", "   ", "active"])  # a name of spaces only: company_create strips it, full_clean refuses
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert result.invalid_rows[0].number == 2 and "name" in result.invalid_rows[0].error_dict
    existing.refresh_from_db()
    assert existing.name == "Keep me"


def test_models_without_write_services_cannot_be_imported(rf):
    from django.contrib import admin

    read_only = [spec for spec in all_specs() if spec.is_read_only or not spec.importable]
    assert read_only  # the suite covers some
    for spec in read_only:
        model_admin = admin.site._registry.get(spec.model)
        if model_admin is not None:
            assert not model_admin.has_import_permission(rf.get("/")), spec.label
