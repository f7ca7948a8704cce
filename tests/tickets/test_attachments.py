"""Attachment safety: size, emptiness, type by content, private random names, download headers, tenancy."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.tickets.factories import PNG_BYTES, make_attachment, make_ticket, png_upload
from tickets import files, services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db


def test_oversize_is_refused(acme, alice, settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(ValidationError, match="at most"):
        make_ticket(acme, requester=alice, attachments=[png_upload()])
    assert not Attachment.objects.exists()


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        files.inspect_upload(ContentFile(b"", name="notes.txt"))


def test_html_disguised_as_an_image_is_refused(acme, alice):
    html = ContentFile(b"<html><script>alert(document.cookie)</script></html>", name="screenshot.png")
    with pytest.raises(ValidationError, match="does not contain what its name says"):
        make_ticket(acme, requester=alice, attachments=[html])


def test_image_renamed_to_pdf_and_binary_junk_are_refused():
    with pytest.raises(ValidationError, match="does not contain what its name says"):
        files.inspect_upload(ContentFile(PNG_BYTES, name="invoice.pdf"))
    with pytest.raises(ValidationError, match="not a file type we accept"):
        files.inspect_upload(ContentFile(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, name="tool.exe"))


def test_plain_text_and_png_pass():
    assert files.inspect_upload(ContentFile(b"kernel: panic\n", name="dmesg.log")).content_type == "text/plain"
    assert files.inspect_upload(png_upload()).content_type == "image/png"


def test_stored_outside_the_web_root_under_a_random_name(acme, settings, private_media):
    attachment = make_attachment(acme)
    path = files.path_of(attachment.stored_name)
    assert path.read_bytes() == PNG_BYTES
    assert str(path).startswith(str(private_media))
    assert "photo" not in attachment.stored_name and len(attachment.stored_name) == 32
    assert not str(path).startswith(str(settings.MEDIA_ROOT)) and not str(path).startswith(str(settings.STATIC_ROOT))
    with pytest.raises(ValueError):
        files.path_of("../../etc/passwd")


def test_download_headers(acme, alice, client_for):
    attachment = make_attachment(acme)
    ticket_id = attachment.message.ticket_id
    response = client_for(alice).get(reverse("portal:ticket_attachment", args=[ticket_id, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES
    preview = client_for(alice).get(reverse("portal:ticket_attachment_preview", args=[ticket_id, attachment.pk]))
    assert preview["Content-Type"] == "image/png" and preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff" and "sandbox" in preview["Content-Security-Policy"]


def test_text_is_never_previewed(acme, alice, client_for):
    ticket = make_ticket(acme, requester=alice, attachments=[ContentFile(b"<script>x</script>", name="a.txt")])
    attachment = Attachment.objects.get(message__ticket=ticket)
    url = reverse("portal:ticket_attachment_preview", args=[ticket.pk, attachment.pk])
    assert client_for(alice).get(url).status_code == 404


def test_attachment_of_another_ticket_or_company_is_not_found(acme, globex, alice, client_for):
    mine = make_ticket(acme, requester=alice)
    other_ticket_attachment = make_attachment(acme)
    theirs = make_attachment(globex)
    client = client_for(alice)
    assert (
        client.get(reverse("portal:ticket_attachment", args=[mine.pk, other_ticket_attachment.pk])).status_code == 404
    )
    assert client.get(reverse("portal:ticket_attachment", args=[mine.pk, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("portal:ticket_attachment", args=[theirs.message.ticket_id, theirs.pk])).status_code == 404
    )


def test_portal_upload_that_lies_is_refused_with_a_message(acme, alice, client_for):
    response = client_for(alice).post(
        reverse("portal:ticket_create"),
        {
            "subject": "Disk",
            "category": "remote_hands",
            "priority": "normal",
            "body": "Please swap it",
            "attachments": [ContentFile(b"<html></html>", name="photo.jpg")],
        },
    )
    assert response.status_code == 400
    assert b"does not contain what its name says" in response.content


def test_api_download_is_permission_checked(acme, alice, bob):
    from tests.core.test_api_tenancy import token_client

    attachment = make_attachment(acme)
    url = f"/api/tickets/attachments/{attachment.pk}/download/"
    response = token_client(alice).get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert token_client(bob).get(url).status_code == 404


def test_author_may_add_a_file_later(acme, alice, bob):
    ticket = make_ticket(acme, requester=alice)
    message = ticket.messages.get()
    assert services.attachment_add(message=message, upload=png_upload(), actor=alice).size == len(PNG_BYTES)
