from django import template

from cms.announcements.selectors import announcements_for_company, public_announcements

register = template.Library()


@register.simple_tag
def company_announcements(company, limit=5):
    """``{% company_announcements company as items %}``: what the portal dashboard shows to ``company``."""
    if company is None:
        return []
    return announcements_for_company(company, limit=limit)


@register.simple_tag
def current_public_announcements(limit=3):
    return public_announcements(limit=limit)
