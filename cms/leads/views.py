"""The editor's list of form submissions, exporting with spreadsheet formulas neutralised."""

from wagtail.contrib.forms.views import SubmissionsListView

from cms.leads.spreadsheets import neutralise_formula


class NeutralisedSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions list; exported cells starting with =, +, -, @ (…) are kept as text."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
