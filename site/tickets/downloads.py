"""Serving attachment files: always through a permission-checked view, never from a public directory."""

from django.http import FileResponse, Http404

from tickets import files


def attachment_response(attachment, *, inline: bool = False) -> FileResponse:
    """The file as a download (``inline`` only for raster images being previewed), with ``nosniff``.

    The stored type came from the content, so a preview cannot turn into HTML; a sandboxing CSP is added
    anyway in case a browser opens the file directly.
    """
    try:
        handle = files.path_of(attachment.stored_name).open("rb")
    except (OSError, ValueError) as error:
        raise Http404("The file is missing.") from error
    inline = inline and attachment.content_type in files.PREVIEWABLE_TYPES
    # The stored type was detected from the content, and nosniff stops the browser from guessing another.
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
