import os
import sys
from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from monitoring import specs  # noqa: F401 - registers the models
        from monitoring.ports import register_scopes

        register_scopes()

        register_collector_process()


def register_collector_process() -> bool:
    """Let ``manage.py serve`` (``make run``) start a collector when a collector token is available.

    The token comes from ``COLLECTOR_TOKEN`` or from ``var/collector_token`` (written by ``manage.py demo``
    through ``monitoring.demo``). The collector is given ``PORTAL_URL`` of the local server.
    """
    from django.conf import settings

    from core.management.commands.serve import SERVE_PROCESSES

    token_file = settings.VAR_DIR / "collector_token"
    if not os.environ.get("COLLECTOR_TOKEN") and not token_file.exists():
        return False
    if any(name == "collector" for name, _argv in SERVE_PROCESSES):
        return True
    # -P: the script's own folder must not go first on sys.path, or site/monitoring/selectors.py would shadow the
    # standard library's selectors module (imported by subprocess).
    launcher = [sys.executable, "-P", str(Path(__file__).with_name("run_collector.py"))]
    SERVE_PROCESSES.append(("collector", launcher))
    return True
