"""The quote / contact form page and the leads it creates for the sales team."""

import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField

from cms.leads.choices import LeadStatus
from cms.leads.forms import QuoteFormBuilder
from cms.marketing.models import SeoMixin
from core.models import PrimaryModel

logger = logging.getLogger(__name__)


class QuoteFormField(AbstractFormField):
    """One field of a quote form, defined by marketers in the editor."""

    page = ParentalKey("leads.QuotePage", on_delete=models.CASCADE, related_name="form_fields")


class QuotePage(SeoMixin, AbstractEmailForm):
    """A quote or contact form: each submission becomes a :class:`Lead` and an e-mail to the sales address.

    Fields named ``name``, ``email``, ``company``, ``phone``, ``service`` and ``message`` fill the lead's
    columns; every field is kept in the lead's details. The honeypot and a per-address rate limit keep
    spam out (``cms.leads.forms``, ``cms.leads.ratelimit``).
    """

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(
        _("thank-you message"), blank=True, help_text=_("Shown to the visitor after a successful submission.")
    )
    form_builder = QuoteFormBuilder

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to the sales team"),
        ),
    ]

    parent_page_types = ["home.HomePage", "marketing.StandardPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quote / contact form page")

    @property
    def submissions_list_view_class(self):
        from cms.leads.views import NeutralisedSubmissionsListView

        return NeutralisedSubmissionsListView

    def meta_description(self) -> str:
        from django.utils.html import strip_tags

        text = self.search_description or strip_tags(self.intro or "")
        return " ".join(text.split())[:300]

    def process_form_submission(self, form):
        """Store the submission and a lead; the e-mail leaves after the transaction commits."""
        from cms.leads.services import lead_create

        return lead_create(page=self, cleaned_data=form.cleaned_data, source_ip=None).form_submission

    def render_form(self, request, form, *, error: str = "", status: int = 200):
        context = self.get_context(request)
        context["form"] = form
        context["form_error"] = error
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def serve(self, request, *args, **kwargs):
        from cms.leads.ratelimit import client_ip, quote_rate_limit_exceeded
        from cms.leads.services import lead_create

        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        ip = client_ip(request)
        if quote_rate_limit_exceeded(ip):
            logger.warning("Quote form rate limit reached for %s", ip)
            return self.render_form(
                request,
                self.get_form(request.POST, page=self, user=request.user),
                error=_(
                    "We have received several requests from your network in the last hour. "
                    "Please try again later, or call or e-mail us directly."
                ),
                status=429,
            )
        form = self.get_form(request.POST, request.FILES, page=self, user=request.user)
        if form.honeypot_filled():
            logger.info("Quote form honeypot filled from %s; submission refused", ip)
            return self.render_form(
                request,
                self.get_form(page=self, user=request.user),
                error=_("Your request could not be sent. Please leave the last field empty, or call us."),
                status=400,
            )
        if not form.is_valid():
            return self.render_form(request, form, error=_("Please correct the fields marked below."))
        lead = lead_create(page=self, cleaned_data=form.cleaned_data, source_ip=ip)
        return self.render_landing_page(request, lead.form_submission, *args, **kwargs)


class Lead(PrimaryModel):
    """A prospective customer's request from the website, for the sales team to follow up."""

    name = models.CharField(_("name"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=255, blank=True)
    service = models.CharField(_("service"), max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)
    details = models.JSONField(_("all answers"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("form page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    form_submission = models.OneToOneField(
        "wagtailforms.FormSubmission",
        verbose_name=_("form submission"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    source_ip = models.GenericIPAddressField(_("sent from"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created"]

    def __str__(self) -> str:
        who = self.name or self.email or _("Anonymous")
        return f"{who} – {self.company_name}" if self.company_name else str(who)
