"""The layers import downwards only: core → accounts → dcim, ipam → catalog → billing, tickets → monitoring,
remote → portal (cms beside). An upper app that must react to a lower one registers a hook the lower one calls.

Imports inside functions count too: a deferred import is still a dependency."""

import ast
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parent.parent / "site"
LAYERS = {
    "core": 0,
    "accounts": 1,
    "dcim": 2,
    "ipam": 2,
    "catalog": 3,
    "billing": 4,
    "tickets": 4,
    "monitoring": 5,
    "remote": 5,
    "portal": 6,
}
# Upward imports allowed, each with its reason (none today: upper apps register hooks the lower ones call —
# tickets in catalog's ORDER_PLACED_HOOKS, accounts in core.consumers' STAFF_SESSION_CHECKS). The test fails
# when one listed here goes away or an unlisted one appears.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> where, for every import between two layered apps."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in SITE.rglob("*.py"):
        app = path.relative_to(SITE).parts[0]
        if app not in LAYERS or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                target = module.split(".")[0]
                if target in LAYERS and target != app:
                    found.setdefault((app, target), []).append(f"{path.relative_to(SITE)}:{node.lineno}")
    return found


IMPORTS = app_imports()


def test_the_graph_was_read():
    assert ("catalog", "dcim") in IMPORTS and ("portal", "billing") in IMPORTS


def test_lower_layers_never_import_upper_ones():
    upward = {
        pair: places
        for pair, places in IMPORTS.items()
        if LAYERS[pair[1]] > LAYERS[pair[0]] and pair not in KNOWN_UPWARD
    }
    assert not upward, upward


def test_known_exceptions_still_exist():
    gone = [pair for pair in KNOWN_UPWARD if pair not in IMPORTS]
    assert not gone, f"these no longer import upwards; remove them from KNOWN_UPWARD: {gone}"


def test_apps_of_one_layer_do_not_depend_on_each_other_both_ways():
    mutual = [(a, b) for (a, b) in IMPORTS if LAYERS[a] == LAYERS[b] and (b, a) in IMPORTS and a < b]
    assert not mutual, mutual


@pytest.mark.parametrize("module", ["core/api/urls.py", "core/tenancy.py", "core/registry.py", "core/admin.py"])
def test_core_names_no_app(module):
    source = (SITE / module).read_text()
    for app in LAYERS:
        if app != "core":
            assert f'"{app}.' not in source and f"from {app}" not in source and f"import {app}" not in source, app
