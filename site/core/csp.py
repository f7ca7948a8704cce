"""Content-Security-Policy (Django's own ``ContentSecurityPolicyMiddleware``), with the few per-area exceptions.

The policy (``settings.SECURE_CSP``) allows scripts from this site and inline scripts carrying the request's
nonce (``<script nonce="{{ csp_nonce }}">``) only: no ``'unsafe-inline'`` for scripts anywhere. Two areas run
third-party front ends that need more:

* the staff admin (django-unfold) evaluates Alpine.js expressions, which needs ``'unsafe-eval'``;
* Wagtail's editor (``/cms/``) still ships inline ``<script>`` blocks in its panels and date widgets (Wagtail 8),
  which cannot carry a nonce; it gets ``'unsafe-inline'`` for scripts (and no nonce, which would disable it).
  Both areas are staff only, behind a session that passed MFA.
"""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.utils.csp import CSP

# Path prefix -> extra script-src values (and whether the nonce must be dropped for them to apply).
AREA_SCRIPT_SOURCES = {
    "/admin/": ([CSP.UNSAFE_EVAL], False),
    "/cms/": ([CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL], True),
}


def policy_for(path: str) -> dict:
    """The policy for a request path: the site's, widened for the areas named in AREA_SCRIPT_SOURCES."""
    policy = settings.SECURE_CSP
    for prefix, (extra, drop_nonce) in AREA_SCRIPT_SOURCES.items():
        if path.startswith(prefix) and policy:
            sources = [source for source in policy.get("script-src", []) if not (drop_nonce and source == CSP.NONCE)]
            return {**policy, "script-src": [*sources, *extra]}
    return policy


class AreaContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, choosing the policy by area (a view's own ``csp_override`` still wins)."""

    def process_response(self, request, response):
        if not hasattr(response, "_csp_config"):
            area_policy = policy_for(request.path)
            if area_policy is not settings.SECURE_CSP:
                response._csp_config = area_policy
        return super().process_response(request, response)


def redoc_policy() -> dict:
    """The policy of the ReDoc page (its start-up script is inline and its search runs in a blob worker)."""
    policy = settings.SECURE_CSP
    sources = [source for source in policy.get("script-src", []) if source != CSP.NONCE]
    return {**policy, "script-src": [*sources, CSP.UNSAFE_INLINE, "blob:"]}
