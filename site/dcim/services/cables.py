"""Cables between interfaces: connect, disconnect."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dcim.models import (
    Cable,
    Interface,
)

# --- cables ----------------------------------------------------------------------------------------------


def _existing_cable(interface: Interface) -> Cable | None:
    return (
        Cable.objects.filter(Q(a_interface=interface) | Q(b_interface=interface))
        .select_related("a_interface__device", "b_interface__device")
        .first()
    )


@transaction.atomic
def cable_connect(*, a: Interface, b: Interface, label: str = "", **fields) -> Cable:
    """Connect two interfaces; each end takes one cable, so a booked interface is refused with its peer."""
    a, b = (
        Interface.objects.select_for_update(of=("self",)).select_related("device").get(pk=pk) for pk in (a.pk, b.pk)
    )
    if a.pk == b.pk:
        raise ValidationError(_("A cable needs two different ends; both are %(interface)s.") % {"interface": a})
    problems = []
    for end in (a, b):
        cable = _existing_cable(end)
        if cable is not None:
            peer = cable.b_interface if cable.a_interface_id == end.pk else cable.a_interface
            problems.append(
                _("%(interface)s is already connected to %(peer)s (cable %(cable)s).")
                % {"interface": end, "peer": peer, "cable": cable}
            )
    if problems:
        raise ValidationError(problems)
    cable = Cable(a_interface=a, b_interface=b, label=label.strip(), **fields)
    cable.full_clean()
    cable.save()
    return cable


@transaction.atomic
def cable_disconnect(*, cable: Cable) -> None:
    """Remove a cable; both interfaces become free."""
    cable.delete()
