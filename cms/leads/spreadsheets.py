"""Spreadsheet safety for exports of what visitors typed: the project's one neutraliser (core.exports)."""

from core.exports import FORMULA_PREFIXES, neutralise_formula

__all__ = ["FORMULA_PREFIXES", "neutralise_formula"]
