"""Requests refused before any view: a NUL character in the path or query string.

PostgreSQL's text types cannot hold NUL (psycopg raises for such a parameter), so a NUL reaching a lookup —
a search box, a filter, Wagtail's redirect lookup on a 404 — would be a 500. It is never meaningful input:
answer 400 at once (JSON under ``/api/``)."""

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "The address may not contain NUL characters."


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)
