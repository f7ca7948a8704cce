from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_staff_groups(sender, apps=None, **kwargs):
    # Runs once per migrate, after the last app's signal. Keeps the staff groups' permission sets complete
    # as later apps add models (permissions themselves are created by Django's own post_migrate handler).
    from django.apps import apps as global_apps

    from accounts.services import staff_groups_sync

    if sender.label != list(global_apps.get_app_configs())[-1].label:
        return

    staff_groups_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers & staff"

    def ready(self) -> None:
        post_migrate.connect(_sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
