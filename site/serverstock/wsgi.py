"""WSGI entry point: production serves HTTP from a WSGI server (granian or gunicorn workers)."""

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serverstock.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# What start-up loaded (Django, the apps, their modules) lives as long as the worker: frozen out of the cyclic
# garbage collector's sight, its full collections stop walking those objects on every request that triggers one.
gc.freeze()
