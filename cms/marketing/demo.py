"""Demo website: the page tree, company details, menus, the quote form and two announcements.

Idempotent: a page that already exists (by slug under the home page) is left as a marketer may have edited it.
"""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page, Site

from core.demo import demo_step

SALES_ADDRESS = "sales@serverstock.example"


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _link(label: str, page: Page | None = None, url: str = "") -> dict:
    return {"label": label, "page": page.pk if page else None, "url": url}


def _faq(heading: str, items: list[tuple[str, str]]) -> dict:
    return {
        "type": "faq",
        "value": {"heading": heading, "items": [{"question": q, "answer": _p(a)} for q, a in items]},
    }


def _cta(heading: str, text: str, label: str, page: Page | None) -> dict:
    return {"type": "call_to_action", "value": {"heading": heading, "text": text, "button": _link(label, page)}}


def _child(parent: Page, model, slug: str, **fields):
    """The child page of ``parent`` with ``slug``, created (and published) when missing; (page, created)."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        page = existing.specific
        # Fill streams left empty (e.g. by an older demo) without touching what a marketer wrote.
        empty = [name for name in ("body", "offers") if name in fields and not getattr(page, name)]
        for name in empty:
            setattr(page, name, fields[name])
        if empty:
            page.save_revision().publish()
        return page, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


REMOTE_HANDS_SCOPE = [
    ("Reboots and power cycles", "Soft reboots, hard power cycles at the PDU, and checks that the host comes back."),
    ("Visual checks", "Status lights, link lights, error displays and photographs of the front and back of your rack."),
    ("Cable re-seating", "Re-seating copper and fiber patch cables, transceivers and power cords, labelled as we go."),
    ("Media handling", "Swapping USB keys and backup tapes, inserting install media, returning media to you."),
    ("Console access", "Attaching a crash cart or KVM so you can see what your server is doing."),
    ("Shipping and receiving", "Signing for deliveries, storing them safely, reporting what arrived."),
]
SMART_HANDS_SCOPE = [
    ("Rack and stack", "Unboxing, mounting, cabling and powering servers, switches and storage to your rack diagram."),
    ("Fiber testing and troubleshooting", "Light-level measurements, OTDR traces, cleaning and inspecting connectors."),
    ("Cross-connects", "Ordering, patching and testing cross-connects to carriers, clouds and other customers."),
    ("Hardware replacement", "Swapping failed drives, memory, power supplies and fans, with your spares or ours."),
    ("Network changes", "Console into switches and routers, configuration changes you approve, and tested rollbacks."),
    ("Project-based datacenter work", "Migrations, refreshes, decommissioning and audits, run by our engineers."),
]


# The datacenter work the company offers (the seed's list). Each landing page names those that apply to it.
CAPABILITIES = {
    "rack_and_stack": "Rack and stack",
    "fiber": "Fiber testing and troubleshooting",
    "cross_connects": "Cross-connects",
    "hardware": "Hardware replacement",
    "projects": "Project-based datacenter work",
}


def _capabilities(heading: str, intro: str, offered: dict[str, str]) -> dict:
    """A scope list naming the ``offered`` capabilities (key → what it means on this page)."""
    items = [{"title": CAPABILITIES[key], "description": text} for key, text in offered.items()]
    return {"type": "scope_list", "value": {"heading": heading, "intro": intro, "items": items}}


def _home_body(remote: Page, smart: Page, plans: Page, servers: Page, quote: Page) -> list[dict]:
    return [
        {
            "type": "value_propositions",
            "value": {
                "heading": "Why teams run their infrastructure with us",
                "items": [
                    {
                        "title": "Engineers on site, day and night",
                        "text": "Every facility is staffed around the clock by our own engineers, not a call centre.",
                    },
                    {
                        "title": "Clear prices, no surprises",
                        "text": "Published hourly rates and prepaid blocks; every minute is logged on your ticket.",
                    },
                    {
                        "title": "One portal for everything",
                        "text": "Order, raise tickets, power-cycle, watch bandwidth and pay invoices in one place.",
                    },
                ],
            },
        },
        {
            "type": "scope_list",
            "value": {
                "heading": "What we do",
                "intro": "Colocation space and power, dedicated servers and the hands to look after them.",
                "items": [
                    {"title": "Remote Hands", "description": "Quick tasks at your rack: reboots, checks, cabling."},
                    {"title": "Smart Hands", "description": "Skilled work: installs, fiber, replacements, projects."},
                    {"title": "Dedicated servers", "description": "Ready-to-deploy machines, counted live from stock."},
                    {"title": "Colocation", "description": "Quarter, half and full racks with A+B power."},
                ],
            },
        },
        _capabilities(
            "Datacenter work we do for you",
            "Our engineers on site take on the work your own team would otherwise travel for.",
            {
                "rack_and_stack": "New servers, switches and storage mounted, cabled and powered to your diagram.",
                "fiber": "Light levels, OTDR traces and clean connectors when a link misbehaves.",
                "cross_connects": "Patched and tested to carriers, clouds and other customers in the building.",
                "hardware": "Failed drives, memory, power supplies and fans swapped with your spares or ours.",
                "projects": "Migrations, refreshes, decommissioning and audits with a project lead.",
            },
        ),
        _cta(
            "Tell us what you need",
            "Send us your rack count, power draw and the services you want. A solutions engineer replies within "
            "one business day with a written quote.",
            "Request a quote",
            quote,
        ),
    ]


def _remote_hands_body(plans: Page, quote: Page) -> list[dict]:
    return [
        {
            "type": "value_propositions",
            "value": {
                "heading": "Your eyes and hands in the datacenter",
                "items": [
                    {"title": "15-minute response", "text": "An engineer is at your rack within 15 minutes, 24/7."},
                    {"title": "Photo evidence", "text": "We photograph before and after so you see what we did."},
                    {"title": "Billed in 15 minutes", "text": "Short tasks cost short money: quarter-hour billing."},
                ],
            },
        },
        {
            "type": "scope_list",
            "value": {
                "heading": "What Remote Hands covers",
                "intro": "Simple, well-defined tasks you describe in a ticket and we carry out straight away.",
                "items": [{"title": t, "description": d} for t, d in REMOTE_HANDS_SCOPE],
            },
        },
        {
            "type": "response_times",
            "value": {
                "heading": "Response-time promises",
                "rows": [
                    {"request_type": "Emergency (service down)", "target": "15 minutes", "note": "24/7/365"},
                    {"request_type": "Urgent", "target": "1 hour", "note": "24/7/365"},
                    {"request_type": "Scheduled", "target": "At the time you book", "note": "Book 24 hours ahead"},
                ],
                "footnote": "Response means an engineer has started work on your ticket. Misses are credited.",
            },
        },
        _capabilities(
            "Bigger jobs, same ticket",
            "Ask in the same ticket and we bring in Smart Hands engineers, at the Smart Hands rate, once you agree.",
            {
                "rack_and_stack": "Installing new equipment in your rack.",
                "fiber": "Finding why a fiber link is down or dropping errors.",
                "cross_connects": "New cross-connects, and testing the ones you have.",
                "hardware": "Replacing failed drives, power supplies and other parts.",
                "projects": "Planned work over days or weeks.",
            },
        ),
        _faq(
            "Remote Hands questions",
            [
                (
                    "How do I request Remote Hands?",
                    "Open a ticket in the customer portal, by e-mail or by phone. Choose the Remote Hands category.",
                ),
                (
                    "Who may ask for work on my equipment?",
                    "Only people you have authorised in the portal. We confirm the request against your contacts.",
                ),
                (
                    "What if the task turns out to need Smart Hands?",
                    "We stop, tell you what we found and ask before continuing at the Smart Hands rate.",
                ),
            ],
        ),
        _cta("Prices and prepaid blocks", "Pay by the hour or save with a monthly block.", "See plans", plans),
    ]


def _smart_hands_body(plans: Page, quote: Page) -> list[dict]:
    return [
        {
            "type": "value_propositions",
            "value": {
                "heading": "Skilled engineers, working to your runbook",
                "items": [
                    {"title": "Certified staff", "text": "Network, fiber and server-vendor certified engineers."},
                    {"title": "Change control", "text": "Each change is planned, approved by you and documented."},
                    {"title": "Projects, too", "text": "From one server to a hall migration, with a project lead."},
                ],
            },
        },
        {
            "type": "scope_list",
            "value": {
                "heading": "What Smart Hands covers",
                "intro": "Work that needs skills, tools or planning, from a single install to a full refresh.",
                "items": [{"title": t, "description": d} for t, d in SMART_HANDS_SCOPE],
            },
        },
        {
            "type": "response_times",
            "value": {
                "heading": "Response-time promises",
                "rows": [
                    {"request_type": "Emergency hardware replacement", "target": "30 minutes", "note": "24/7/365"},
                    {"request_type": "Standard request", "target": "4 hours", "note": "Business hours"},
                    {"request_type": "Project work", "target": "Agreed plan", "note": "Scoped and quoted first"},
                ],
                "footnote": "After-hours work is billed at the after-hours rate shown on the plans page.",
            },
        },
        _faq(
            "Smart Hands questions",
            [
                (
                    "Can you keep spare parts for us?",
                    "Yes. We store your spares in a locked cage and keep a live inventory in your portal.",
                ),
                (
                    "Do you test fiber before and after a change?",
                    "Always: light levels are measured and recorded on the ticket, with OTDR traces on request.",
                ),
                (
                    "How are projects priced?",
                    "We scope the work with you and send a fixed quote or a not-to-exceed estimate before we start.",
                ),
            ],
        ),
        _cta("Planning a project?", "Tell us the scope and dates; we reply with a plan.", "Request a quote", quote),
    ]


def _plans_body(quote: Page) -> list[dict]:
    return [
        {
            "type": "plan_table",
            "value": {
                "heading": "Remote and Smart Hands plans",
                "intro": "Pay as you go, or prepay a monthly block and save. Unused block hours roll over one month.",
                "plans": [
                    {
                        "name": "Pay as you go",
                        "summary": "For the occasional reboot or check.",
                        "billing_unit": "hour",
                        "price": "95.00",
                        "currency": "USD",
                        "block_hours": None,
                        "included_hours": "None: billed per 15 minutes",
                        "response_time": "1 hour (15 min emergency)",
                        "after_hours_rate": "145.00",
                        "features": ["Remote Hands tasks", "Photo evidence", "Ticket and phone requests"],
                        "highlighted": False,
                        "button": _link("Get started", quote),
                    },
                    {
                        "name": "Block of 10",
                        "summary": "For teams with regular on-site work.",
                        "billing_unit": "block",
                        "price": "800.00",
                        "currency": "USD",
                        "block_hours": 10,
                        "included_hours": "10 hours a month",
                        "response_time": "30 minutes",
                        "after_hours_rate": "120.00",
                        "features": ["Remote and Smart Hands", "Hours roll over one month", "Named engineer"],
                        "highlighted": True,
                        "button": _link("Choose Block of 10", quote),
                    },
                    {
                        "name": "Dedicated engineer",
                        "summary": "For fleets that need a standing team.",
                        "billing_unit": "month",
                        "price": "6500.00",
                        "currency": "USD",
                        "block_hours": None,
                        "included_hours": "80 hours a month",
                        "response_time": "15 minutes",
                        "after_hours_rate": "110.00",
                        "features": ["Runbooks kept by us", "Monthly service review", "Project work included"],
                        "highlighted": False,
                        "button": _link("Talk to sales", quote),
                    },
                ],
                "footnote": "Prices exclude sales tax. After-hours means outside 08:00–18:00 local time on weekdays.",
            },
        },
        _capabilities(
            "What your hours cover",
            "Block and dedicated-engineer hours are spent on any Remote or Smart Hands work, including:",
            {
                "rack_and_stack": "Counted per device installed, cabled and powered.",
                "fiber": "Including the test report for your carrier.",
                "cross_connects": "Patching and testing; the cross-connect's own monthly fee is separate.",
                "hardware": "Our labour; parts at list price or your spares.",
                "projects": "Included in the dedicated-engineer plan; quoted on the others.",
            },
        ),
        _faq(
            "Billing questions",
            [
                ("How is time counted?", "From the moment an engineer starts on your ticket, in 15-minute steps."),
                ("Can I change plans?", "Yes, from the next month, in the customer portal or by asking us."),
            ],
        ),
    ]


SERVER_OFFERS = [
    {
        "name": "Edge 1U",
        "device_type_slug": "edge-1u",
        "cpu": "AMD EPYC 4244P, 6 cores",
        "memory": "64 GB DDR5 ECC",
        "storage": "2 × 960 GB NVMe",
        "network": "1 Gbit/s unmetered, 1 IPv4 + /64",
        "monthly_price": "129.00",
        "currency": "USD",
        "setup_fee": None,
    },
    {
        "name": "Compute 1U",
        "device_type_slug": "compute-1u",
        "cpu": "AMD EPYC 9124, 16 cores",
        "memory": "128 GB DDR5 ECC",
        "storage": "2 × 1.92 TB NVMe",
        "network": "10 Gbit/s, 100 TB included",
        "monthly_price": "289.00",
        "currency": "USD",
        "setup_fee": None,
    },
    {
        "name": "Storage 2U",
        "device_type_slug": "storage-2u",
        "cpu": "Intel Xeon Silver 4410Y, 12 cores",
        "memory": "128 GB DDR5 ECC",
        "storage": "12 × 16 TB SAS + 2 × 960 GB NVMe",
        "network": "10 Gbit/s, 100 TB included",
        "monthly_price": "449.00",
        "currency": "USD",
        "setup_fee": "99.00",
    },
]
QUOTE_FIELDS = [
    ("Name", "singleline", True, "", ""),
    ("Email", "email", True, "", "We reply to this address."),
    ("Company", "singleline", False, "", ""),
    ("Phone", "singleline", False, "", ""),
    ("Service", "dropdown", True, "Remote Hands\nSmart Hands\nDedicated servers\nColocation\nSomething else", ""),
    ("Message", "multiline", True, "", "Racks, power, locations, dates: whatever helps us quote."),
]


def _build_pages(home) -> tuple[int, dict]:
    from cms.leads.models import QuoteFormField, QuotePage
    from cms.marketing.models import DedicatedServersPage, PlansPage, ServiceLandingPage, StandardPage

    created = 0
    pages = {}
    pages["quote"], new = _child(
        home,
        QuotePage,
        "request-a-quote",
        title="Request a quote",
        intro=_p("Tell us about your racks, servers and the help you need. We reply within one business day."),
        thank_you_text=_p("Thank you. A solutions engineer will reply within one business day."),
        to_address=SALES_ADDRESS,
        subject="New quote request from the website",
        search_description="Request a quote for colocation, dedicated servers, Remote Hands or Smart Hands.",
    )
    if new:
        created += 1
        for order, (label, kind, required, choices, help_text) in enumerate(QUOTE_FIELDS):
            QuoteFormField.objects.create(
                page=pages["quote"],
                sort_order=order,
                label=label,
                field_type=kind,
                required=required,
                choices=choices,
                help_text=help_text,
            )
    pages["plans"], new = _child(
        home,
        PlansPage,
        "plans",
        title="Plans and prices",
        hero_heading="Simple plans for hands-on help",
        hero_text="Hourly, prepaid blocks or a dedicated engineer: pick what fits your fleet.",
        search_description="Remote Hands and Smart Hands prices: hourly rates, prepaid blocks, after-hours rates.",
        body=_plans_body(pages["quote"]),
    )
    created += new
    pages["remote"], new = _child(
        home,
        ServiceLandingPage,
        "remote-hands",
        title="Remote Hands",
        hero_heading="An engineer at your rack in 15 minutes",
        hero_text="Reboots, visual checks, cable re-seating and media swaps, around the clock, without a trip.",
        hero_cta_text="Request Remote Hands",
        hero_cta_page=pages["quote"],
        search_description="24/7 Remote Hands: reboots, power cycles, visual checks and media handling in 15 min.",
        body=_remote_hands_body(pages["plans"], pages["quote"]),
    )
    created += new
    pages["smart"], new = _child(
        home,
        ServiceLandingPage,
        "smart-hands",
        title="Smart Hands",
        hero_heading="Skilled datacenter work, done to your runbook",
        hero_text="Rack and stack, fiber testing, cross-connects, hardware replacement and whole projects.",
        hero_cta_text="Plan your work with us",
        hero_cta_page=pages["quote"],
        search_description="Smart Hands: rack and stack, fiber testing, cross-connects, hardware replacement.",
        body=_smart_hands_body(pages["plans"], pages["quote"]),
    )
    created += new
    pages["servers"], new = _child(
        home,
        DedicatedServersPage,
        "dedicated-servers",
        title="Dedicated servers",
        hero_heading="Dedicated servers, racked and ready",
        hero_text="Current-generation hardware in our own datacenters, delivered within hours.",
        hero_cta_text="Order a server",
        hero_cta_page=pages["quote"],
        offers=[{"type": "server", "value": offer} for offer in SERVER_OFFERS],
        body=[
            _capabilities(
                "Looked after by our engineers",
                "Every dedicated server lives in our racks, so the hands-on work is ours.",
                {
                    "rack_and_stack": "Your server is racked, cabled and tested before you get the keys.",
                    "hardware": "Failed drives, memory and power supplies replaced at no charge.",
                    "cross_connects": "Connect your server to carriers and clouds in the building.",
                    "projects": "Moving from your own hardware? We plan and run the migration.",
                },
            )
        ],
        search_description="Dedicated servers in stock now, with live availability, IPv4 and IPv6 included.",
    )
    created += new
    pages["about"], new = _child(
        home,
        StandardPage,
        "about",
        title="About us",
        intro="We run datacenters for people who run the internet.",
        body=[
            {
                "type": "paragraph",
                "value": _p(
                    "ServerStock has operated colocation facilities since 2009. Our engineers work in every "
                    "hall, every shift, and know the racks they look after.",
                    "We publish our prices, log every minute we bill and give customers one portal for "
                    "services, tickets, power, bandwidth and invoices.",
                ),
            },
            {"type": "quote", "value": {"text": "They fix things before we notice.", "attribution": "CTO, Acme"}},
        ],
        search_description="About ServerStock: colocation and dedicated servers with our own engineers on site.",
    )
    created += new
    pages["status"], new = _child(
        home,
        StandardPage,
        "status",
        title="Service status",
        intro="Planned maintenance, incidents and news from our datacenters.",
        body=[{"type": "announcements", "value": {"heading": "Current announcements", "limit": 20}}],
        search_description="ServerStock service status: maintenance windows, incidents and news.",
    )
    created += new
    pages["legal"], new = _child(
        home,
        StandardPage,
        "legal",
        title="Legal",
        intro="Terms of service, acceptable use and privacy.",
        body=[
            {"type": "heading", "value": {"heading_text": "Terms of service", "size": "h2"}},
            {
                "type": "paragraph",
                "value": _p(
                    "Services are provided under the master services agreement signed with each customer. "
                    "Service levels and credits are set out in the service-level agreement for each product."
                ),
            },
            {"type": "heading", "value": {"heading_text": "Privacy", "size": "h2"}},
            {
                "type": "paragraph",
                "value": _p(
                    "Details you send through our forms are used only to answer your request and are deleted "
                    "after 24 months if you do not become a customer. Write to privacy@serverstock.example."
                ),
            },
        ],
        search_description="ServerStock terms of service, acceptable use and privacy policy.",
    )
    created += new
    return created, pages


@demo_step("Website", order=70)
def load_website() -> str:
    """Home page copy, landing pages, plans, servers, about/status/legal, quote form, menus, announcements."""
    from cms.announcements.choices import Audience, Severity
    from cms.announcements.models import Announcement
    from cms.home.models import HomePage
    from cms.marketing.models import NavigationSettings, SiteSettings

    home = HomePage.objects.first()
    if home is None:
        return "no home page (run migrations first)"
    site = Site.objects.filter(root_page=home).first() or Site.objects.filter(is_default_site=True).first()
    created, pages = _build_pages(home)

    if not home.body:
        home.title = "ServerStock"
        home.headline = "Colocation, dedicated servers and hands you can trust"
        home.introduction = _p(
            "Space, power and bandwidth in our own datacenters, with engineers on site 24/7 for Remote Hands "
            "and Smart Hands."
        )
        home.call_to_action_text = "Request a quote"
        home.call_to_action_url = pages["quote"].url or "/request-a-quote/"
        home.search_description = "Colocation, dedicated servers, Remote Hands and Smart Hands with 24/7 engineers."
        home.body = _home_body(pages["remote"], pages["smart"], pages["plans"], pages["servers"], pages["quote"])
        home.save_revision().publish()

    if site is not None:
        details = SiteSettings.for_site(site)
        if not details.phone:
            details.company_name = "ServerStock"
            details.tagline = "Colocation, dedicated servers and 24/7 engineers."
            details.phone = "+1 571 555 0142"
            details.email = "hello@serverstock.example"
            details.address = "ServerStock Datacenters\n21830 Beaumeade Circle\nAshburn, VA 20147\nUnited States"
            details.social_links = [
                {"type": "link", "value": {"network": "linkedin", "url": "https://www.linkedin.com/"}},
                {"type": "link", "value": {"network": "github", "url": "https://github.com/"}},
            ]
            details.save()
        navigation = NavigationSettings.for_site(site)
        if not navigation.header_links:
            navigation.header_links = [
                {"type": "link", "value": _link("Remote Hands", pages["remote"])},
                {"type": "link", "value": _link("Smart Hands", pages["smart"])},
                {"type": "link", "value": _link("Dedicated servers", pages["servers"])},
                {"type": "link", "value": _link("Plans", pages["plans"])},
                {"type": "link", "value": _link("Customer portal", url="/portal/")},
            ]
            navigation.header_button = [{"type": "link", "value": _link("Request a quote", pages["quote"])}]
            navigation.footer_columns = [
                {
                    "type": "column",
                    "value": {
                        "heading": "Services",
                        "links": [
                            _link("Remote Hands", pages["remote"]),
                            _link("Smart Hands", pages["smart"]),
                            _link("Dedicated servers", pages["servers"]),
                            _link("Plans and prices", pages["plans"]),
                        ],
                    },
                },
                {
                    "type": "column",
                    "value": {
                        "heading": "Company",
                        "links": [
                            _link("About us", pages["about"]),
                            _link("Service status", pages["status"]),
                            _link("Request a quote", pages["quote"]),
                            _link("Legal", pages["legal"]),
                        ],
                    },
                },
            ]
            navigation.footer_text = _p("Member of the Open Compute datacenter operators' group.")
            navigation.save()

    now = timezone.now()
    announcements = [
        {
            "title": "Planned power maintenance in ASH1 hall B",
            "summary": "UPS B is serviced; racks on the B feed run on A only. Single-corded equipment may lose power.",
            "severity": Severity.MAINTENANCE,
            "audience": Audience.PUBLIC,
            "event_starts": (now + timedelta(days=6)).replace(hour=6, minute=0, second=0, microsecond=0),
            "event_ends": (now + timedelta(days=6)).replace(hour=10, minute=0, second=0, microsecond=0),
            "display_until": now + timedelta(days=7),
        },
        {
            "title": "New: 10 Gbit/s dedicated servers in stock",
            "summary": "Compute 1U servers with 10 Gbit/s uplinks are now available for same-day delivery.",
            "severity": Severity.NEWS,
            "audience": Audience.PUBLIC,
            "event_starts": None,
            "event_ends": None,
            "display_until": None,
        },
    ]
    for data in announcements:
        Announcement.objects.get_or_create(title=data["title"], defaults={**data, "display_from": now})
    return f"{created} pages created, {Announcement.objects.count()} announcements"
