"""Spreadsheet safety for exports of what visitors typed (CSV/formula injection, OWASP)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def neutralise_formula(value):
    """Prefix a string a spreadsheet would read as a formula with an apostrophe, so it stays text.

    Anything that is not a string (numbers, dates, None) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
