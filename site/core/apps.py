from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Every app declares its models in specs.py; collect them before admin or API are built.
        from core import lookups
        from core.api.schema import install_enum_name_overrides
        from core.registry import autodiscover

        autodiscover()

        install_enum_name_overrides()
        lookups.install()


class ServerStockAdminConfig(admin_apps.AdminConfig):
    """Admin whose default site registers every declared model that admin.py did not register by hand."""

    default = False
    default_site = "core.admin.ServerStockAdminSite"

    def ready(self) -> None:
        from core.registry import autodiscover

        autodiscover()
        super().ready()
        from django.contrib import admin

        from core.admin import restyle_third_party_admins
        from core.registry import register_admins

        register_admins(admin.site)
        restyle_third_party_admins(admin.site)
