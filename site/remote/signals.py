"""Sign-out closes the user's open consoles (in every process, through the channel layer)."""

from asgiref.sync import async_to_sync
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver


@receiver(user_logged_out, dispatch_uid="remote-close-consoles")
def close_consoles_at_sign_out(sender, request, user, **kwargs):
    if user is None:
        return
    from channels.layers import get_channel_layer

    from remote.consumers import user_group

    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(user_group(user.pk), {"type": "console.signed_out"})
