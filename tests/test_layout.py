"""The repository's shape (ARCHITECTURE.md "Layout"; CONVENTIONS.md "Layout and imports")."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def top_level_packages() -> set[str]:
    names = set()
    for base in (ROOT, ROOT / "site"):
        for child in base.iterdir():
            if child.is_dir() and (child / "__init__.py").exists():
                names.add(child.name)
            elif child.suffix == ".py":
                names.add(child.stem)
    return names


def test_no_top_level_package_takes_a_stdlib_name():
    clashes = top_level_packages() & set(sys.stdlib_module_names)
    assert not clashes


def test_site_is_a_plain_folder_and_tests_a_package():
    assert not (ROOT / "site" / "__init__.py").exists()
    assert (ROOT / "tests" / "__init__.py").exists()
    for name in (
        "site",
        "collector",
        "cms",
        "fixtures",
        "deploy",
        "tests",
        "manage.py",
        "pyproject.toml",
        "README.md",
        "Makefile",
        ".python-version",
        "requirements.lock",
    ):
        assert (ROOT / name).exists(), name


def collector_modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "collector").rglob("*.py")
        if path.name != "__main__.py"
    )


@pytest.mark.parametrize("module", collector_modules())
def test_collector_modules_import_without_django(module):
    code = f"import sys, importlib; importlib.import_module({module!r}); sys.exit('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr or f"{module} imported Django"
