"""Human units for traffic: ``{{ bps|bitrate }}`` → "12.3 Mbit/s", ``{{ bytes|bytesize }}`` → "1.24 TB"."""

from django import template

register = template.Library()

_RATE_UNITS = (("Tbit/s", 1e12), ("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3))
_SIZE_UNITS = (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3))


def _scaled(value: float, units) -> tuple[float, str] | None:
    for name, size in units:
        if abs(value) >= size:
            return value / size, name
    return None


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


@register.filter
def bitrate(value) -> str:
    """A rate in bit/s as Mbit/s, Gbit/s…; "—" when unknown."""
    if value is None or value == "":
        return "—"
    value = float(value)
    scaled = _scaled(value, _RATE_UNITS)
    return f"{_number(scaled[0])} {scaled[1]}" if scaled else f"{value:,.0f} bit/s"


@register.filter
def mbps(value) -> str:
    """A rate given in Mbit/s, in human units ("1.5 Gbit/s")."""
    return "—" if value is None or value == "" else bitrate(float(value) * 1e6)


@register.filter
def bytesize(value) -> str:
    """A volume in bytes as GB, TB… (decimal units, as transfer is billed)."""
    if value is None or value == "":
        return "—"
    value = float(value)
    scaled = _scaled(value, _SIZE_UNITS)
    return f"{_number(scaled[0])} {scaled[1]}" if scaled else f"{value:,.0f} B"
