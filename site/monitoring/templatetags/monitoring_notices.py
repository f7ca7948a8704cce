"""``{% monitoring_notices as notices %}``: the bandwidth, overage and abuse notices of the portal's current
company (``monitoring.selectors.NOTICE_PROVIDERS``). Stands in until the dashboard gathers every app's notices
in ``portal.notices.PROVIDERS`` (issue 20); then the providers go there and this tag goes."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def monitoring_notices(context) -> list[dict]:
    from monitoring.selectors import NOTICE_PROVIDERS

    membership = context.get("membership")
    if membership is None:
        return []
    return [notice for provider in NOTICE_PROVIDERS for notice in provider(membership.company)]
