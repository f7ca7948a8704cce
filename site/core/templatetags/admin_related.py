"""``{% related_objects original %}`` on every admin change page: the objects this one points to and the
objects that point to it, each linked (a server links to its rack, ports, IP assignments, services, tickets;
each of those links back), limited to what the staff member may view.

Generic over ``_meta``: forward foreign keys link to the target's change page; reverse relations show a
count and link to the related changelist filtered on this object (one COUNT per relation, on a detail page).
"""

from django import template
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

register = template.Library()


def _admin_url(model, view: str, *args) -> str | None:
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _may_view(user, model) -> bool:
    opts = model._meta
    return model in admin.site._registry and (
        user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )


@register.inclusion_tag("admin/_related_objects.html", takes_context=True)
def related_objects(context, obj):
    request = context.get("request")
    if obj is None or getattr(obj, "pk", None) is None or request is None:
        return {"outgoing": [], "incoming": []}
    user = request.user
    outgoing = []
    for field in obj._meta.get_fields():
        if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
            continue
        target_id = getattr(obj, field.attname, None)
        if target_id is None or not _may_view(user, field.related_model):
            continue
        url = _admin_url(field.related_model, "change", target_id)
        if url:
            outgoing.append({"label": field.verbose_name, "text": getattr(obj, field.name), "url": url})
    incoming = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if relation.field.model is not model or not _may_view(user, model):
            continue
        changelist = _admin_url(model, "changelist")
        if changelist is None:
            continue
        lookup = relation.field.name
        count = model._default_manager.filter(**{lookup: obj.pk}).count()
        if not count:
            continue
        incoming.append(
            {
                "label": model._meta.verbose_name_plural if count != 1 else model._meta.verbose_name,
                "via": relation.field.verbose_name,
                "count": count,
                "url": f"{changelist}?{lookup}__exact={obj.pk}",
            }
        )
    incoming.sort(key=lambda row: str(row["label"]))
    return {"outgoing": outgoing, "incoming": incoming}
