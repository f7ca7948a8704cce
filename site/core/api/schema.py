"""OpenAPI schema helpers for drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_api_endpoints(endpoints, **kwargs):
    """Keep ``/api/`` endpoints only (Wagtail's own admin API is not ours to document)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the portal's Account page: 'Authorization: Bearer ss_…'.",
        }
