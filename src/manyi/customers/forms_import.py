"""The upload form of the import page; the file itself is checked by the import service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file contains"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx) with a header row; the first sheet is read."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx"}),
    )
