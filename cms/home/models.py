"""The marketing site's home page (the CMS issue adds landing pages, plans and forms beneath it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's root page: a headline, an introduction and a call to action."""

    headline = models.CharField(_("headline"), max_length=200, blank=True)
    introduction = RichTextField(_("introduction"), blank=True)
    call_to_action_text = models.CharField(_("call to action"), max_length=60, blank=True)
    call_to_action_url = models.CharField(_("call to action link"), max_length=200, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("introduction"),
        FieldPanel("call_to_action_text"),
        FieldPanel("call_to_action_url"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
