"""Receivers that keep open WebSockets and sessions in line with who the user is now.

Sockets (``core.consumers.AuthenticatedConsumer``) are told to close when their session signs out and to
re-check at once when the user's staff flag, groups, company memberships or second factors change.
A TOTP set-up counts as the session's second factor (the user has just given a valid code).
"""

from __future__ import annotations

import asyncio

from django.db import transaction


def _send(group: str, message_type: str) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:  # called from code running inside an event loop (a consumer, a test's browser): schedule it there
            loop = asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(layer.group_send)(group, {"type": message_type})
        else:
            loop.create_task(layer.group_send(group, {"type": message_type}))

    transaction.on_commit(send)


def recheck_user_sockets(user_id: int | None) -> None:
    """Ask every open socket of ``user_id`` to check its permission again (after the commit)."""
    from core.consumers import user_socket_group

    if user_id is not None:
        _send(user_socket_group(user_id), "socket.recheck")


def close_session_sockets(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_out``: close the sockets this session opened."""
    from core.consumers import session_socket_group

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        _send(session_socket_group(session_key), "socket.close")


def user_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        recheck_user_sockets(instance.pk)


def membership_changed(sender, instance, **kwargs) -> None:
    recheck_user_sockets(instance.user_id)


def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.contrib.auth import get_user_model

    if isinstance(instance, get_user_model()):
        recheck_user_sockets(instance.pk)
    elif pk_set:  # group.user_set changed: each user named
        for user_id in pk_set:
            recheck_user_sockets(user_id)
    else:  # group.user_set.clear(): the users are gone from pk_set; re-check all members once more
        for user_id in get_user_model().objects.filter(groups=instance).values_list("pk", flat=True):
            recheck_user_sockets(user_id)


def authenticator_removed(sender, instance, **kwargs) -> None:
    recheck_user_sockets(instance.user_id)


def totp_activated(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    from accounts.mfa import record_mfa_setup

    if authenticator is not None and authenticator.type == "totp":
        record_mfa_setup(request=request, user=user, authenticator=authenticator)


def connect() -> None:
    """Wire the receivers (``AccountsConfig.ready``)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_added
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from accounts.models import Membership

    user_model = get_user_model()
    user_logged_out.connect(close_session_sockets, dispatch_uid="accounts.close_session_sockets")
    post_save.connect(user_changed, sender=user_model, dispatch_uid="accounts.user_sockets_recheck")
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="accounts.membership_saved_recheck")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid="accounts.membership_deleted_recheck")
    m2m_changed.connect(user_groups_changed, sender=user_model.groups.through, dispatch_uid="accounts.groups_recheck")
    post_delete.connect(authenticator_removed, sender=Authenticator, dispatch_uid="accounts.authenticator_recheck")
    authenticator_added.connect(totp_activated, dispatch_uid="accounts.totp_activated_counts_as_mfa")
