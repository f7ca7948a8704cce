"""Rack elevations as SVG (front or rear), for the admin and the portal. Pure drawing: data from selectors."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from dcim.choices import DeviceRole, RackFace
from dcim.selectors import rack_elevation

UNIT_PX = 22
LABEL_PX = 34
WIDTH_PX = 300
ROLE_FILL = {
    DeviceRole.SERVER: "#dbe7fb",
    DeviceRole.SWITCH: "#d3f2e3",
    DeviceRole.ROUTER: "#d3f2e3",
    DeviceRole.PDU: "#fde9c8",
    DeviceRole.PATCH_PANEL: "#e9e3fb",
    DeviceRole.BLANKING: "#eceff3",
    DeviceRole.OTHER: "#eef2f8",
}


def rack_elevation_svg(rack, *, face: str = RackFace.FRONT, devices=None, visible_ids=None, link=None) -> str:
    """An accessible SVG drawing of one face of ``rack``.

    ``visible_ids``: when given, devices not in it are drawn as "Occupied" without name or owner (a customer
    never learns about another's hardware). ``link(device) -> url`` makes device boxes links.
    """
    rows = rack_elevation(rack, face=face, devices=devices)
    height = len(rows) * UNIT_PX + 2
    face_label = RackFace(face).label
    title = _("Rack %(rack)s, %(face)s") % {"rack": rack, "face": str(face_label).lower()}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rack-elevation" role="img" '
        f'aria-labelledby="rack-{rack.pk}-{face}-title" width="{LABEL_PX + WIDTH_PX + 2}" height="{height}" '
        f'viewBox="0 0 {LABEL_PX + WIDTH_PX + 2} {height}" font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="rack-{rack.pk}-{face}-title">{escape(title)}</title>',
        f'<rect x="{LABEL_PX}" y="1" width="{WIDTH_PX}" height="{height - 2}" fill="#ffffff" stroke="#1b2330"/>',
    ]
    for index, row in enumerate(rows):
        y = 1 + index * UNIT_PX
        parts.append(
            f'<text x="{LABEL_PX - 6}" y="{y + 15}" text-anchor="end" fill="#5b6678">{row["unit"]}</text>'
            f'<line x1="{LABEL_PX}" y1="{y + UNIT_PX}" x2="{LABEL_PX + WIDTH_PX}" y2="{y + UNIT_PX}" stroke="#eef0f3"/>'
        )
        if row["covered"]:
            pass
        elif row["reservation"] is not None:
            label = _("Reserved for %(company)s") % {"company": row["reservation"].company}
            if visible_ids is not None:
                label = _("Reserved")
            parts.append(
                f'<rect x="{LABEL_PX + 1}" y="{y + 1}" width="{WIDTH_PX - 2}" height="{UNIT_PX - 2}" fill="#fff7e0" '
                f'stroke="#e4b94c" stroke-dasharray="4 2"><title>{escape(label)}</title></rect>'
                f'<text x="{LABEL_PX + 8}" y="{y + 15}" fill="#8a5a00">{escape(label)}</text>'
            )
        elif row["other_face"] is not None:
            device = row["other_face"]
            name = device.name if visible_ids is None or device.pk in visible_ids else _("Occupied")
            label = _("%(name)s (other face)") % {"name": name}
            parts.append(
                f'<rect x="{LABEL_PX + 1}" y="{y + 1}" width="{WIDTH_PX - 2}" height="{UNIT_PX - 2}" fill="#f4f5f7"/>'
                f'<text x="{LABEL_PX + 8}" y="{y + 15}" fill="#8a93a3">{escape(label)}</text>'
            )
        device = row["device"]
        if device is None:
            continue
        units = device.device_type.u_height
        box_y = y
        box_h = units * UNIT_PX
        shown = visible_ids is None or device.pk in visible_ids
        if shown:
            name = device.name
            caption = f"{device.name} · {device.device_type} · {device.owner_display}"
            fill = ROLE_FILL.get(device.role, "#eef2f8")
        else:
            name = _("Occupied")
            caption = name
            fill = "#e3e6eb"
        box = (
            f'<rect x="{LABEL_PX + 2}" y="{box_y + 2}" width="{WIDTH_PX - 4}" height="{box_h - 3}" rx="3" '
            f'fill="{fill}" stroke="#4a5568"><title>{escape(caption)} ({escape(device.unit_range)})</title></rect>'
            f'<text x="{LABEL_PX + 10}" y="{box_y + box_h / 2 + 4:.0f}" fill="#1b2330" font-weight="600">'
            f"{escape(name)}</text>"
        )
        if shown:
            box += (
                f'<text x="{LABEL_PX + WIDTH_PX - 10}" y="{box_y + box_h / 2 + 4:.0f}" text-anchor="end" '
                f'fill="#5b6678">{escape(device.owner_display)}</text>'
            )
        if shown and link is not None:
            box = f'<a href="{escape(link(device))}">{box}</a>'
        parts.append(box)
    parts.append("</svg>")
    return "".join(parts)
