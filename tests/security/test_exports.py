"""A formula payload through every export: every admin resource in every format it offers (CSV, XLSX...), the
billing and IPAM reports, the CMS's lead submissions. No cell may reach a spreadsheet as a formula."""

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.db import IntegrityError, models, transaction

from core.exports import FORMULA_PREFIXES, neutralise_formula
from tests.accounts.factories import CompanyFactory
from tests.factories import OBJECT_FACTORIES
from tests.security import REPORT

pytestmark = pytest.mark.django_db

PAYLOADS = ["==cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "\t=1+1", "\r=1+1"]
PLAIN_NUMBERS = {"-12.50", "+3", "-1"}


def test_the_neutraliser():
    for payload in PAYLOADS:
        assert neutralise_formula(payload) == "'" + payload
    for number in PLAIN_NUMBERS:
        assert neutralise_formula(number) == number
    assert neutralise_formula(12) == 12 and neutralise_formula(None) is None
    assert neutralise_formula("plain text") == "plain text"


def _dangerous(cell) -> bool:
    text = "" if cell is None else str(cell)
    return text.startswith(FORMULA_PREFIXES) and neutralise_formula(text) != text


def _cells(content: bytes | str, extension: str):
    if extension in ("xlsx",):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    yield "=" + str(cell.value) if cell.data_type == "f" else cell.value
        return
    if extension == "ods":  # OpenDocument: a formula is a cell's table:formula attribute
        import zipfile

        xml = zipfile.ZipFile(io.BytesIO(content)).read("content.xml").decode()
        yield from (f"={formula}" for formula in re.findall(r'table:formula="([^"]*)"', xml))
        return
    text = content.decode(errors="replace") if isinstance(content, bytes) else content
    if extension in ("csv", "tsv"):
        for row in csv.reader(io.StringIO(text), delimiter="\t" if extension == "tsv" else ","):
            yield from row
    else:  # json, yaml, html...: a payload's text must not appear un-neutralised at a cell's start
        for payload in PAYLOADS:
            if f'"{payload}' in text or f">{payload}" in text:
                yield payload


def _poison(instance) -> int:
    """Every text column of ``instance`` set to a payload (written directly, as a stored value would be)."""
    values = {}
    for index, field in enumerate(type(instance)._meta.concrete_fields):
        if isinstance(field, (models.CharField, models.TextField)) and not field.primary_key:
            if field.unique or getattr(field, "choices", None) or type(field).__name__ == "EncryptedTextField":
                continue
            payload = PAYLOADS[index % len(PAYLOADS)]
            if field.max_length and field.max_length < len(payload):
                continue
            values[field.name] = payload
    poisoned = 0
    for name, value in values.items():  # one column at a time: a constraint may tie a column to others
        try:
            with transaction.atomic():
                type(instance)._default_manager.filter(pk=instance.pk).update(**{name: value})
        except IntegrityError:  # e.g. a check's host name beside its device: exactly one target
            continue
        poisoned += 1
    return poisoned


def _exportable_admins():
    return [
        (model, model_admin)
        for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
        if hasattr(model_admin, "get_export_resource_classes")
    ]


def test_every_admin_export_in_every_format_neutralises_formulas(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    company = CompanyFactory()
    # Every object is made first, then poisoned: a poisoned shared row (a calendar's time zone) would break
    # the factories that come after it.
    instances = {}
    for model, _model_admin in _exportable_admins():
        made = OBJECT_FACTORIES[model](company) if model in OBJECT_FACTORIES else model._default_manager.first()
        if made is not None:
            instances[model] = made
    exported_models = 0
    for model, model_admin in _exportable_admins():
        instance = instances.get(model)
        if instance is None or not _poison(instance):
            continue
        exported_models += 1
        for resource_class in model_admin.get_export_resource_classes(request):
            dataset = resource_class().export(model._default_manager.filter(pk=instance.pk))
            for file_format in model_admin.get_export_formats():
                output = file_format().export_data(dataset)
                REPORT["export_files"] += 1
                bad = [cell for cell in _cells(output, file_format().get_extension()) if _dangerous(cell)]
                assert bad == [], f"{model._meta.label} as {file_format().get_extension()}: {bad[:3]}"
    REPORT["export_models"] += exported_models
    assert exported_models >= 20


def test_the_admin_export_view_neutralises_a_ticket_subject(client_for, superuser, acme):
    from tickets.models import Ticket

    ticket = OBJECT_FACTORIES[Ticket](acme)
    Ticket.objects.filter(pk=ticket.pk).update(subject=PAYLOADS[0])
    client = client_for(superuser)
    from tests.security.forms import forms_of

    page = client.get("/admin/tickets/ticket/export/")
    form = next(form for form in forms_of(page.content.decode()) if "format" in form.field_names())
    formats = next(field for field in form.fields if field.name == "format").options
    for file_format in [value for value in formats if value]:
        data = form.data()
        data["format"] = file_format
        for field in form.fields:
            if field.kind == "checkbox":
                data[field.name] = field.value or "on"
        response = client.post("/admin/tickets/ticket/export/", data)
        REPORT["export_files"] += 1
        assert response.status_code == 200
        extension = response["Content-Disposition"].rsplit(".", 1)[-1].strip('"')
        cells = list(_cells(response.content, extension))
        assert "'" + PAYLOADS[0] in cells or extension not in ("csv", "xlsx"), extension
        assert not any(_dangerous(cell) for cell in cells), extension


def test_billing_and_ipam_reports_neutralise_formulas(acme, superuser):
    from billing.models import Invoice, InvoiceLine, Payment
    from billing.reports import invoices_csv_rows, payments_csv_rows
    from ipam import reports
    from ipam.models import IPAddress, Prefix

    for model in (Invoice, Payment, Prefix, IPAddress):
        _poison(OBJECT_FACTORIES[model](acme))
    InvoiceLine.objects.update(description=PAYLOADS[2])
    type(acme).objects.filter(pk=acme.pk).update(name=PAYLOADS[1], tax_id=PAYLOADS[3][:20])
    today = date.today()
    outputs = [
        "".join(invoices_csv_rows(start=today - timedelta(days=400), end=today + timedelta(days=400))),
        "".join(payments_csv_rows(start=today - timedelta(days=400), end=today + timedelta(days=400))),
        reports.utilisation_csv(),
        reports.reassignments_csv(),
    ]
    for output in outputs:
        REPORT["export_files"] += 1
        assert not any(_dangerous(cell) for cell in _cells(output, "csv"))
    assert "'" + PAYLOADS[1] in outputs[0] and "'" + PAYLOADS[2] in outputs[0]  # the payloads did get exported
    # And the writer itself, whatever the report puts in a row:
    from core.exports import csv_writer

    buffer = io.StringIO()
    csv_writer(buffer).writerow([*PAYLOADS, "-12.50", 3])
    assert not any(_dangerous(cell) for cell in _cells(buffer.getvalue(), "csv"))
    assert "-12.50" in buffer.getvalue()
