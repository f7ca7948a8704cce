"""Portal pages of a customer's services: the list and detail (resources, contract dates, status), ordering a new
service or an upgrade, asking for more IPs or a managed service, and cancelling (confirmed by e-mail).

Every queryset comes from ``core.tenancy.for_user`` for the current company; writes go through
``catalog.services``. Ordering and cancelling need the "order" capability (owners and billing contacts).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog import selectors, services
from catalog.choices import CURRENT_STATUSES, OrderStatus, ProductKind, ServiceStatus
from catalog.models import Order, Plan, ProductOption, Service
from core.tenancy import for_user
from core.validation import object_id
from portal.services.forms import CancelForm, IPRequestForm, ManagedServiceForm, OrderForm, UpgradeForm
from portal.views import member_required
from tickets.services import customer_may_write


def _services(request, membership):
    return for_user(Service, request.user, company=membership.company, staff_scope=False)


def _service(request, membership, pk) -> Service:
    service = _services(request, membership).select_related("plan__product__category").filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def _open_tickets(request, membership, service) -> list:
    """The service's open tickets (the service page links them; each ticket links back)."""
    from tickets.models import Ticket

    tickets = for_user(Ticket, request.user, company=membership.company, staff_scope=False)
    return list(tickets.open().filter(service=service).order_by("-last_message_at", "-pk")[:20])


def _offered(*kinds):
    plans = Plan.objects.offered().select_related("product__category").order_by("product__category__position")
    return plans.filter(product__kind__in=kinds) if kinds else plans


def _offered_options(plans):
    """The active add-ons of the products of ``plans`` (the order service refuses one not of the chosen plan)."""
    return (
        ProductOption.objects.filter(is_active=True, product__in=plans.values("product"))
        .select_related("product")
        .order_by("product__name", "name")
    )


def _order_placed_text(order) -> str:
    return _(
        "Order %(number)s received: %(recurring)s %(currency)s recurring, %(one_time)s %(currency)s one-time. "
        "Our team will be in touch."
    ) % {
        "number": order.number,
        "recurring": order.total_recurring,
        "one_time": order.total_one_time,
        "currency": order.currency,
    }


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@member_required()
def service_list(request, membership):
    shown = request.GET.get("show", "current")
    rows = selectors.company_services(_services(request, membership)).order_by("status", "pk")
    rows = rows.filter(status__in=CURRENT_STATUSES) if shown == "current" else rows
    orders = for_user(Order, request.user, company=membership.company, staff_scope=False).order_by("-created")[:10]
    return render(
        request,
        "portal/services/list.html",
        {"services": rows, "orders": orders, "shown": shown, "can_order": membership.can("order")},
    )


@member_required()
def service_detail(request, pk, membership):
    service = _service(request, membership, pk)
    return render(
        request,
        "portal/services/detail.html",
        {
            "service": service,
            "resources": selectors.service_resources(service),
            "tickets": _open_tickets(request, membership, service),
            "can_open_ticket": customer_may_write(membership),
            "can_see_network": membership.can("technical"),
            "can_order": membership.can("order"),
            "can_upgrade": service.status in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED),
            "can_withdraw": (
                membership.can("order")
                and service.status == ServiceStatus.CANCELLATION_REQUESTED
                and (
                    service.cancellation_effective_date is None
                    or service.cancellation_effective_date > timezone.localdate()
                )
            ),
        },
    )


@member_required("order")
@require_http_methods(["POST"])
def service_withdraw_cancellation(request, pk, membership):
    """The "keep this service" button of a service with a pending cancellation (a ticked confirmation box)."""
    service = _service(request, membership, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Tick the box to confirm that %(service)s should keep running.") % {"service": service}
        )
        return redirect("portal:service_detail", service.pk)
    try:
        services.service_withdraw_cancellation(service=service, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(
            request, _("The cancellation of %(service)s is withdrawn; it keeps running.") % {"service": service}
        )
    return redirect("portal:service_detail", service.pk)


@member_required("order")
@require_http_methods(["GET", "POST"])
def service_order(request, membership):
    plans = _offered()
    form = OrderForm(request.POST or None, plans=plans, options=_offered_options(plans))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_place(
                company=membership.company,
                placed_by=request.user,
                lines=[{"plan": data["plan"], "quantity": data["quantity"], "options": data.get("options") or ()}],
                customer_note=data["customer_note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _order_placed_text(order))
            return redirect("portal:order_detail", order.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/services/order.html", {"form": form, "title": _("Order a service")}, status=status)


@member_required("order")
@require_http_methods(["GET", "POST"])
def service_upgrade(request, pk, membership):
    service = _service(request, membership, pk)
    plans = _offered().filter(product__category=service.plan.product.category, currency=service.plan.currency)
    form = UpgradeForm(
        request.POST or None,
        plans=plans,
        options=_offered_options(plans),
        initial={
            "plan": service.plan_id,
            "quantity": service.quantity,
            "options": [option.pk for option in service.options.all()],
            "effective_date": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_place(
                company=membership.company,
                placed_by=request.user,
                kind="upgrade",
                service=service,
                effective_date=data["effective_date"],
                lines=[{"plan": data["plan"], "quantity": data["quantity"], "options": data.get("options") or ()}],
                customer_note=data["customer_note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _order_placed_text(order))
            return redirect("portal:order_detail", order.pk)
    status = 400 if request.method == "POST" else 200
    title = _("Change the plan of %(service)s") % {"service": service}
    return render(
        request, "portal/services/order.html", {"form": form, "title": title, "service": service}, status=status
    )


@member_required("order")
@require_http_methods(["GET", "POST"])
def ip_request(request, membership):
    current = _services(request, membership).current().select_related("plan__product")
    form = IPRequestForm(request.POST or None, plans=_offered(ProductKind.IP_BLOCK), services=current)
    if request.method == "POST" and form.is_valid():
        try:
            ip_request = services.additional_ip_request_create(
                company=membership.company, requested_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Request for a /%(length)s received (order %(number)s); we review the justification first.")
                % {"length": ip_request.requested_prefix_length, "number": ip_request.order.number},
            )
            return redirect("portal:services")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/services/ip_request.html", {"form": form}, status=status)


@member_required("order")
@require_http_methods(["GET", "POST"])
def managed_service_request(request, membership):
    current = _services(request, membership).current().select_related("plan__product")
    form = ManagedServiceForm(request.POST or None, plans=_offered(ProductKind.MANAGED_SERVICE), services=current)
    if request.method == "POST" and form.is_valid():
        try:
            managed = services.managed_service_request_create(
                company=membership.company, requested_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Order %(number)s received.") % {"number": managed.order.number})
            return redirect("portal:services")
    status = 400 if request.method == "POST" else 200
    title = _("Request a managed service")
    return render(request, "portal/services/order.html", {"form": form, "title": title}, status=status)


@member_required("order")
@require_http_methods(["GET", "POST"])
def service_cancel(request, membership):
    cancellable = (
        _services(request, membership)
        .filter(status__in=(ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED))
        .select_related("plan__product")
    )
    chosen = object_id(request.GET.get("service"))
    initial = {"services": [chosen]} if chosen is not None else None
    form = CancelForm(request.POST or None, services=cancellable, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancellation_request_create(
                company=membership.company,
                requested_by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("We sent a confirmation link to %(email)s. Nothing is cancelled until you open it.")
                % {"email": request.user.email},
            )
            return redirect("portal:services")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/services/cancel.html", {"form": form}, status=status)


@member_required()
@require_http_methods(["GET", "POST"])
def service_cancel_confirm(request, token, membership):
    """The e-mailed link: GET shows what will be cancelled, POST confirms (mail scanners only GET)."""
    try:
        cancellation = services.cancellation_from_token(token, user=request.user)
        if request.method == "POST":
            cancellation = services.cancellation_confirm(token=token, user=request.user)
            messages.success(request, _("Cancellation confirmed."))
            return redirect("portal:services")
    except PermissionDenied as error:
        # Another user's link: as if it did not exist, with the reason.
        return render(request, "portal/services/cancel_invalid.html", {"error": str(error)}, status=404)
    except ValidationError as error:
        return render(request, "portal/services/cancel_invalid.html", {"error": " ".join(error.messages)}, status=400)
    rows = [
        (service, services.cancellation_effective_date_for(service=service, requested=cancellation.requested_end_date))
        for service in cancellation.services.select_related("plan__product")
    ]
    return render(request, "portal/services/cancel_confirm.html", {"cancellation": cancellation, "rows": rows})


# --- orders ----------------------------------------------------------------------------------------------


def _orders(request, membership):
    return for_user(Order, request.user, company=membership.company, staff_scope=False)


def _visible_ticket_ids(request, membership, orders) -> set[int]:
    """The provisioning tickets of ``orders`` this member may open in the portal (one query)."""
    from tickets.models import Ticket

    ids = {order.ticket_id for order in orders if order.ticket_id}
    if not ids:
        return set()
    tickets = for_user(Ticket, request.user, company=membership.company, staff_scope=False)
    return set(tickets.filter(pk__in=ids).values_list("pk", flat=True))


@member_required()
def order_list(request, membership):
    """The company's orders, newest first, filterable by status and paginated."""
    shown = request.GET.get("status", "all")
    orders = (
        _orders(request, membership).select_related("placed_by", "service__plan__product").order_by("-created", "-pk")
    )
    if shown in OrderStatus.values:
        orders = orders.filter(status=shown)
    else:
        shown = "all"
    page = Paginator(orders, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/services/orders.html",
        {
            "page": page,
            "shown": shown,
            "filters": [("all", _("All")), *OrderStatus.choices],
            "ticket_ids": _visible_ticket_ids(request, membership, page.object_list),
            "can_order": membership.can("order"),
        },
    )


@member_required()
def order_detail(request, pk, membership):
    """One order: its lines with their options and prices, the totals, the status and decision, the ticket."""
    from catalog.models import OrderLine

    lines = OrderLine.objects.select_related("plan__product", "service").prefetch_related(
        Prefetch("options", queryset=ProductOption.objects.order_by("name"))
    )
    order = (
        _orders(request, membership)
        .select_related("placed_by", "decided_by", "service__plan__product")
        .prefetch_related(Prefetch("lines", queryset=lines.order_by("pk")))
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return render(
        request,
        "portal/services/order_detail.html",
        {"order": order, "ticket_visible": order.ticket_id in _visible_ticket_ids(request, membership, [order])},
    )
