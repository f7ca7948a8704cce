"""Where IPAM code lives: the querysets sit below the models (no import cycle), reads are selectors."""

import ast
from pathlib import Path

from ipam import querysets, selectors, services


def imported_modules(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names


def test_querysets_never_import_the_models():
    assert "ipam.models" not in imported_modules(querysets)
    # Only what the models themselves build on (choices, the address encoding), so there is no cycle.
    below_the_models = {"ipam.choices", "ipam.addressing"}
    assert not any(name.startswith("ipam.") and name not in below_the_models for name in imported_modules(querysets))


def test_next_free_lookups_are_reads_in_selectors():
    for name in ("next_free_ip", "next_free_block"):
        assert callable(getattr(selectors, name))
        assert not hasattr(services, name), f"{name} is a read: it belongs in ipam.selectors"
