import sys
from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemoteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "remote"
    label = "remote"
    verbose_name = _("Remote access")

    def ready(self):
        from remote import signals  # noqa: F401 - closes consoles at sign-out

        register_simulator_process()


def register_simulator_process() -> bool:
    """Let ``manage.py serve`` (``make run``) start the simulated BMCs of the demo's dedicated servers.

    Only when ``var/bmc_simulators.json`` exists (written by ``manage.py demo`` through ``remote.demo``).
    """
    from django.conf import settings

    from core.management.commands.serve import SERVE_PROCESSES

    if not (settings.VAR_DIR / "bmc_simulators.json").exists():
        return False
    if any(name == "bmc-simulators" for name, _argv in SERVE_PROCESSES):
        return True
    launcher = [sys.executable, "-P", str(Path(__file__).with_name("run_simulators.py"))]
    SERVE_PROCESSES.append(("bmc-simulators", launcher))
    return True
