from django.apps import AppConfig


class IpamConfig(AppConfig):
    name = "ipam"
    verbose_name = "IP addresses"
    default_auto_field = "django.db.models.BigAutoField"
