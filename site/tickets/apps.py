from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from catalog.services.orders import register_order_placed_hook
        from tickets.provisioning import order_provisioning_ticket_open

        register_order_placed_hook(order_provisioning_ticket_open)
