"""StreamField blocks shared by every page of the marketing site (bakerydemo's ``BaseStreamBlock`` idea).

Each block renders through its own template under ``marketing/blocks/``, so a page template only loops over
its body with ``{% include_block %}``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


class LinkValue(blocks.StructValue):
    """A link to a page of the site or to any address; ``href`` is what templates use."""

    @property
    def href(self) -> str:
        page = self.get("page")
        if page is not None and page.live:
            return page.url or ""
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A labelled link: choose a page of the site, or type an address (a page wins when both are set)."""

    label = blocks.CharBlock(label=_("label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.CharBlock(
        label=_("or address"), required=False, max_length=300, help_text=_("e.g. /portal/ or https://…")
    )

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or type an address for this link."))}
            )
        return value

    class Meta:
        value_class = LinkValue
        icon = "link"


class HeadingBlock(blocks.StructBlock):
    heading_text = blocks.CharBlock(label=_("heading"), max_length=120)
    size = blocks.ChoiceBlock(
        label=_("size"), choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "marketing/blocks/heading.html"


class FigureBlock(blocks.StructBlock):
    """An image with its alternative text (or marked decorative) and an optional caption."""

    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "marketing/blocks/figure.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("who said it"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "marketing/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    button = LinkBlock(label=_("button"))

    class Meta:
        icon = "pick"
        template = "marketing/blocks/call_to_action.html"


class ValuePropositionsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("title", blocks.CharBlock(label=_("title"), max_length=80)),
                ("text", blocks.TextBlock(label=_("text"))),
            ],
            label=_("value proposition"),
        ),
        label=_("value propositions"),
    )

    class Meta:
        icon = "tick-inverse"
        template = "marketing/blocks/value_propositions.html"


class ScopeListBlock(blocks.StructBlock):
    """What a service covers: e.g. rack and stack, fiber testing, cross-connects, reboots."""

    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    intro = blocks.TextBlock(label=_("introduction"), required=False)
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("title", blocks.CharBlock(label=_("task"), max_length=80)),
                ("description", blocks.TextBlock(label=_("description"), required=False)),
            ],
            label=_("task"),
        ),
        label=_("tasks"),
    )

    class Meta:
        icon = "list-ul"
        template = "marketing/blocks/scope_list.html"


class ResponseTimesBlock(blocks.StructBlock):
    """Response-time promises: what kind of request, and how soon an engineer is on it."""

    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    rows = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("request_type", blocks.CharBlock(label=_("request"), max_length=80)),
                ("target", blocks.CharBlock(label=_("response within"), max_length=40)),
                ("note", blocks.CharBlock(label=_("note"), required=False, max_length=160)),
            ],
            label=_("promise"),
        ),
        label=_("promises"),
    )
    footnote = blocks.CharBlock(label=_("footnote"), required=False, max_length=200)

    class Meta:
        icon = "time"
        template = "marketing/blocks/response_times.html"


class FAQBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120, default=_("Frequently asked questions"))
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("question", blocks.CharBlock(label=_("question"), max_length=200)),
                ("answer", blocks.RichTextBlock(label=_("answer"), features=RICH_TEXT_FEATURES)),
            ],
            label=_("question"),
        ),
        label=_("questions"),
    )

    class Meta:
        icon = "help"
        template = "marketing/blocks/faq.html"


class PlanValue(blocks.StructValue):
    @property
    def unit_label(self) -> str:
        if self.get("billing_unit") == "block":
            hours = self.get("block_hours")
            return _("per block of %(hours)s hours") % {"hours": hours} if hours else _("per block")
        return {"hour": _("per hour"), "month": _("per month")}.get(self.get("billing_unit"), "")


class PlanBlock(blocks.StructBlock):
    """One plan: price (per hour, per block of hours or per month), included hours, response and after-hours rate."""

    name = blocks.CharBlock(label=_("name"), max_length=60)
    summary = blocks.CharBlock(label=_("summary"), required=False, max_length=160)
    billing_unit = blocks.ChoiceBlock(
        label=_("priced"),
        choices=[("hour", _("per hour")), ("block", _("per block of hours")), ("month", _("per month"))],
        default="hour",
    )
    price = blocks.DecimalBlock(label=_("price"), min_value=0, max_digits=10, decimal_places=2)
    currency = blocks.ChoiceBlock(
        label=_("currency"), choices=[("USD", "USD"), ("EUR", "EUR"), ("GBP", "GBP")], default="USD"
    )
    block_hours = blocks.IntegerBlock(label=_("hours in a block"), required=False, min_value=1)
    included_hours = blocks.CharBlock(
        label=_("included hours"), required=False, max_length=60, help_text=_("e.g. 2 hours a month")
    )
    response_time = blocks.CharBlock(label=_("response time"), max_length=60)
    after_hours_rate = blocks.DecimalBlock(
        label=_("after-hours rate per hour"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    features = blocks.ListBlock(blocks.CharBlock(max_length=120), label=_("features"), required=False)
    highlighted = blocks.BooleanBlock(label=_("highlight as recommended"), required=False)
    button = LinkBlock(label=_("button"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if value.get("billing_unit") == "block" and not value.get("block_hours"):
            raise StructBlockValidationError(
                block_errors={"block_hours": ValidationError(_("Say how many hours a block holds."))}
            )
        return value

    class Meta:
        icon = "doc-full"
        value_class = PlanValue


class PlanTableBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    intro = blocks.TextBlock(label=_("introduction"), required=False)
    plans = blocks.ListBlock(PlanBlock(label=_("plan")), label=_("plans"), min_num=1)
    footnote = blocks.CharBlock(label=_("footnote"), required=False, max_length=240)

    class Meta:
        icon = "table"
        template = "marketing/blocks/plan_table.html"


class AnnouncementsBlock(blocks.StructBlock):
    """The current public announcements (maintenance, incidents, news), newest first."""

    heading = blocks.CharBlock(label=_("heading"), max_length=120, default=_("Service announcements"))
    limit = blocks.IntegerBlock(label=_("how many"), default=5, min_value=1, max_value=50)

    def get_context(self, value, parent_context=None):
        from cms.announcements.selectors import public_announcements

        context = super().get_context(value, parent_context=parent_context)
        context["announcements"] = public_announcements(limit=value.get("limit") or 5)
        return context

    class Meta:
        icon = "warning"
        template = "marketing/blocks/announcements.html"


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every page's body may use."""

    heading = HeadingBlock(label=_("Heading"))
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=RICH_TEXT_FEATURES, template="marketing/blocks/paragraph.html"
    )
    image = FigureBlock(label=_("Image"))
    quote = QuoteBlock(label=_("Quote"))
    call_to_action = CallToActionBlock(label=_("Call to action"))
    value_propositions = ValuePropositionsBlock(label=_("Value propositions"))
    scope_list = ScopeListBlock(label=_("Scope of work"))
    response_times = ResponseTimesBlock(label=_("Response times"))
    faq = FAQBlock(label=_("FAQ"))
    plan_table = PlanTableBlock(label=_("Plan table"))
    announcements = AnnouncementsBlock(label=_("Announcements"))


SOCIAL_NETWORKS = [
    ("linkedin", "LinkedIn"),
    ("github", "GitHub"),
    ("mastodon", "Mastodon"),
    ("x", "X"),
    ("youtube", "YouTube"),
    ("facebook", "Facebook"),
]


class SocialLinkValue(blocks.StructValue):
    @property
    def network_name(self) -> str:
        return dict(SOCIAL_NETWORKS).get(self.get("network"), self.get("network") or "")


class SocialLinkBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(label=_("network"), choices=SOCIAL_NETWORKS)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        icon = "site"
        value_class = SocialLinkValue


class FooterColumnBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=60)
    links = blocks.ListBlock(LinkBlock(label=_("link")), label=_("links"))

    class Meta:
        icon = "list-ul"


class ServerOfferBlock(blocks.StructBlock):
    """A dedicated-server configuration on sale; its stock comes from DCIM by device-type slug."""

    name = blocks.CharBlock(label=_("name"), max_length=80)
    device_type_slug = blocks.CharBlock(
        label=_("DCIM device type"),
        max_length=100,
        required=False,
        help_text=_("The device type's slug in DCIM; its free servers are shown as the stock count."),
    )
    cpu = blocks.CharBlock(label=_("processor"), max_length=120)
    memory = blocks.CharBlock(label=_("memory"), max_length=80)
    storage = blocks.CharBlock(label=_("storage"), max_length=120)
    network = blocks.CharBlock(label=_("network"), max_length=120)
    monthly_price = blocks.DecimalBlock(label=_("price per month"), min_value=0, max_digits=10, decimal_places=2)
    currency = blocks.ChoiceBlock(
        label=_("currency"), choices=[("USD", "USD"), ("EUR", "EUR"), ("GBP", "GBP")], default="USD"
    )
    setup_fee = blocks.DecimalBlock(label=_("set-up fee"), required=False, min_value=0, max_digits=10, decimal_places=2)

    class Meta:
        icon = "cogs"
