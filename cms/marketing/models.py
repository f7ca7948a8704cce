"""Marketing pages beneath the home page, and the site-wide settings marketers edit (contact details, menus)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.marketing.blocks import (
    RICH_TEXT_FEATURES,
    BaseStreamBlock,
    FooterColumnBlock,
    LinkBlock,
    ServerOfferBlock,
    SocialLinkBlock,
)


class SeoMixin:
    """Meta description and Open Graph image for the page templates (``site_base.html``)."""

    def meta_description(self) -> str:
        for candidate in (
            self.search_description,
            getattr(self, "hero_text", ""),
            getattr(self, "intro", ""),
        ):
            if candidate:
                return " ".join(str(candidate).split())[:300]
        return ""

    def og_image(self):
        return getattr(self, "hero_image", None)


class HeroMixin(models.Model):
    """The block at the top of a landing page: heading, text, an image and one call to action."""

    hero_heading = models.CharField(_("hero heading"), max_length=200, blank=True)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_text = models.CharField(_("button text"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button links to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    hero_panels = [
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def hero_cta_url(self) -> str:
        page = self.hero_cta_page
        return page.url if page is not None and page.live else ""


class ServiceLandingPage(SeoMixin, HeroMixin, Page):  # noqa: DJ008 - Page has __str__
    """A service's landing page (Remote Hands, Smart Hands): value, scope of work, response times, FAQs."""

    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, *HeroMixin.hero_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("hero_text"), index.SearchField("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["marketing.StandardPage"]

    class Meta:
        verbose_name = _("service landing page")


class PlansPage(SeoMixin, HeroMixin, Page):  # noqa: DJ008 - Page has __str__
    """Plans and prices: one or more plan tables in the body, with whatever copy surrounds them."""

    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, *HeroMixin.hero_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage", "marketing.ServiceLandingPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("plans page")


class DedicatedServersPage(SeoMixin, HeroMixin, Page):  # noqa: DJ008 - Page has __str__
    """Dedicated-server configurations with live stock counts from DCIM ("3 in stock")."""

    offers = StreamField(
        [("server", ServerOfferBlock(label=_("Server")))], verbose_name=_("server configurations"), blank=True
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, *HeroMixin.hero_panels, FieldPanel("offers"), FieldPanel("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("dedicated servers page")

    def offers_with_stock(self) -> tuple[list[dict], bool]:
        """Each offer with its ``available`` count (None when unknown), and whether stock data exists at all."""
        from cms.marketing.stock import server_stock

        stock = server_stock()
        offers = []
        for block in self.offers:
            value = block.value
            row = (stock or {}).get(value.get("device_type_slug") or "")
            offers.append({"offer": value, "available": row["available"] if row else None})
        return offers, stock is not None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["offers"], context["stock_known"] = self.offers_with_stock()
        return context


class StandardPage(SeoMixin, Page):
    """A plain page: about, contact, legal, status."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "marketing.StandardPage", "marketing.ServiceLandingPage"]
    subpage_types = ["marketing.StandardPage", "leads.QuotePage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Who we are, as shown in the header, footer and Open Graph tags of every public page."""

    company_name = models.CharField(_("company name"), max_length=100, default="ServerStock")
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.TextField(_("postal address"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    social_links = StreamField([("link", SocialLinkBlock())], verbose_name=_("social links"), blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("company_name"), FieldPanel("tagline"), FieldPanel("logo")], heading=_("Brand")),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email"), FieldPanel("address")], heading=_("Contact")),
        FieldPanel("social_links"),
    ]

    class Meta:
        verbose_name = _("company details")


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The header menu, its call-to-action button and the footer's link columns."""

    header_links = StreamField([("link", LinkBlock())], verbose_name=_("header menu"), blank=True, max_num=8)
    header_button = StreamField([("link", LinkBlock())], verbose_name=_("header button"), blank=True, max_num=1)
    footer_columns = StreamField(
        [("column", FooterColumnBlock())], verbose_name=_("footer columns"), blank=True, max_num=4
    )
    footer_text = RichTextField(_("footer text"), blank=True, features=RICH_TEXT_FEATURES)

    panels = [
        FieldPanel("header_links"),
        FieldPanel("header_button"),
        FieldPanel("footer_columns"),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("navigation and footer")
