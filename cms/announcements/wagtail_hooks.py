from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.announcements.models import Announcement


class AnnouncementViewSet(SnippetViewSet):
    model = Announcement
    icon = "warning"
    menu_label = _("Announcements")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "severity", "audience", "site_reference", "display_from", "display_until"]
    list_filter = ["severity", "audience"]
    search_fields = ["title", "summary"]
    ordering = ["-display_from"]


register_snippet(AnnouncementViewSet)
