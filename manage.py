#!/usr/bin/env python
"""Django's command-line utility for ServerStock.

``site/`` is a plain folder on ``sys.path`` (like NetBox's ``netbox/``); it has no ``__init__.py``
because ``site`` is a standard-library module name.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(ROOT / "site"))
    sys.path.insert(1, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serverstock.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
