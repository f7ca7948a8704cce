from django.apps import AppConfig
from django.db.models.signals import post_migrate


def last_app_signalled_by_migrate(app_configs) -> str:
    """The label of the last app ``migrate`` sends post_migrate for: Django signals only apps that have models.

    The last installed app may have none (django.contrib.postgres is added last on PostgreSQL); waiting for it
    meant the sync never ran there, and every staff group of a PostgreSQL install had no permission.
    """
    return [config for config in app_configs if config.models_module is not None][-1].label


def _sync_staff_groups(sender, apps=None, **kwargs):
    # Runs once per migrate, after the last app's signal. Keeps the staff groups' permission sets complete
    # as later apps add models (permissions themselves are created by Django's own post_migrate handler).
    from django.apps import apps as global_apps

    from accounts.services import staff_groups_sync

    if sender.label != last_app_signalled_by_migrate(global_apps.get_app_configs()):
        return

    staff_groups_sync()


def _record_last_login(sender, user, **kwargs):
    # Django's own receiver saves the user, which would write a history row on every sign-in.
    from django.utils import timezone

    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())


def _member_company_ids(user) -> list[int]:
    from accounts.models import Membership

    return list(
        Membership.objects.filter(user=user, is_active=True)
        .exclude(company__status="closed")
        .values_list("company_id", flat=True)
    )


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers & staff"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts.mfa import staff_mfa_refusal
        from core.consumers import register_staff_session_check
        from core.tenancy import register_membership_lookup

        register_membership_lookup(_member_company_ids)
        register_staff_session_check(staff_mfa_refusal)

        post_migrate.connect(_sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_record_last_login, dispatch_uid="accounts.record_last_login")

        from accounts import signals

        signals.connect()
