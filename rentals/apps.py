from django.apps import AppConfig


class RentalsConfig(AppConfig):
    name = "rentals"
    verbose_name = "Vacation rentals"

    def ready(self) -> None:
        # Checkout sessions this app starts carry ``metadata.purpose = rental_booking``;
        # billing's one webhook endpoint hands their events to these handlers.
        from rentals import webhooks

        webhooks.register()
