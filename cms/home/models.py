"""The marketing site's home page; landing pages, plans, forms and standard pages live beneath it."""

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.marketing.blocks import BaseStreamBlock
from cms.marketing.models import SeoMixin


class HomePage(SeoMixin, Page):
    """The site's root page: a hero (headline, introduction, image, call to action) and a free body."""

    headline = models.CharField(_("headline"), max_length=200, blank=True)
    introduction = RichTextField(_("introduction"), blank=True)
    call_to_action_text = models.CharField(_("call to action"), max_length=60, blank=True)
    call_to_action_url = models.CharField(_("call to action link"), max_length=200, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    show_announcements = models.BooleanField(
        _("show public announcements"),
        default=True,
        help_text=_("Current maintenance windows, incidents and news appear under the hero."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("headline"),
                FieldPanel("introduction"),
                FieldPanel("hero_image"),
                FieldPanel("call_to_action_text"),
                FieldPanel("call_to_action_url"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("show_announcements"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "marketing.ServiceLandingPage",
        "marketing.PlansPage",
        "marketing.DedicatedServersPage",
        "marketing.StandardPage",
        "leads.QuotePage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def meta_description(self) -> str:
        text = self.search_description or strip_tags(self.introduction or "")
        return " ".join(text.split())[:300]

    def get_context(self, request, *args, **kwargs):
        from cms.announcements.selectors import public_announcements

        context = super().get_context(request, *args, **kwargs)
        context["announcements"] = public_announcements(limit=3) if self.show_announcements else []
        return context
