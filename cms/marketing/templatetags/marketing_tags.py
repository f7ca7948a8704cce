from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from cms.marketing.blocks import CURRENCY_SYMBOLS

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """``{{ price|money:"USD" }}`` -> ``$1,250`` or ``$95.50`` (whole amounts lose their cents)."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    symbol = CURRENCY_SYMBOLS.get(str(currency))
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """An absolute address for ``url`` (Open Graph and canonical links need them)."""
    request = context.get("request")
    if not url:
        return ""
    if request is None or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def is_current(context, href):
    """True when ``href`` is the page being shown (for ``aria-current``)."""
    request = context.get("request")
    return bool(request is not None and href and request.path == href)
