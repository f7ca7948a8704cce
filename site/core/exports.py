"""Spreadsheet safety for every export (CSV and XLSX): formula injection neutralised once, here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (and ``|``, ``%`` or a line
feed, which some spreadsheets also act on) is read by Excel, LibreOffice and Google Sheets as a formula,
so a ticket subject such as ``=cmd|' /C calc'!A0`` typed by a customer would run on a staff member's
machine (OWASP "CSV injection"). Such a cell gets a leading apostrophe and stays text. Plain numbers
(``-12.50``) are left alone so that amounts stay numeric.

Every export uses this: generated import-export resources (:class:`FormulaSafeResource`), the billing and
IPAM reports (:func:`neutralise_row`) and the CMS's lead exports.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from import_export import resources

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SAFE_TYPES = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def neutralise_formula(value):
    """``value`` as a spreadsheet will keep it as text: an apostrophe before anything read as a formula.

    Numbers, dates and None are returned unchanged; other objects are neutralised as their text.
    """
    if value is None or isinstance(value, _SAFE_TYPES):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return value


def neutralise_row(row: Iterable) -> list:
    """Every cell of ``row`` neutralised (for ``csv.writer`` and tablib rows)."""
    return [neutralise_formula(cell) for cell in row]


class FormulaSafeResource(resources.ModelResource):
    """The base of every generated import-export resource: each exported cell is neutralised."""

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


class FormulaSafeWriter:
    """``csv.writer`` whose every row is neutralised first (same ``writerow``/``writerows`` interface)."""

    def __init__(self, stream, **options):
        import csv

        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow(neutralise_row(row))

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self._writer.writerow(neutralise_row(row))


def csv_writer(stream, **options) -> FormulaSafeWriter:
    """A CSV writer for exports: like ``csv.writer``, with formula cells neutralised."""
    return FormulaSafeWriter(stream, **options)
