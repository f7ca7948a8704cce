"""Template filters for numbers people read: ``{% load units %}`` then ``{{ state.out_bps|bitrate }}``,
``{{ commit|mbitrate }}``, ``{{ size|filesize }}``, ``{{ watts|power }}``, ``{{ start|period:end }}``
(exclusive end shown as the last day included). See ``core.units``."""

from django import template

from core import units

register = template.Library()

register.filter("bitrate", units.bitrate)
register.filter("mbitrate", units.mbitrate)
register.filter("filesize", units.filesize)
register.filter("power", units.power)
# The bandwidth pages' names: a rate given in Mbit/s, a volume in bytes.
register.filter("mbps", units.mbitrate)
register.filter("bytesize", units.filesize)


@register.filter
def period(start, end):
    """``{{ invoice.period_start|period:invoice.period_end }}``: both days included."""
    return units.period(start, end)


@register.filter
def percent_of(part, whole):
    """``{{ used|percent_of:total }}`` → "42 %"."""
    return units.percent(part, whole)
