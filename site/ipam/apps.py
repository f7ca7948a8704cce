from django.apps import AppConfig


class IpamConfig(AppConfig):
    name = "ipam"
    verbose_name = "IP addresses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ipam import signals  # noqa: F401  (the counters' delete receivers)
