from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    label = "tickets"
    verbose_name = "Tickets"
