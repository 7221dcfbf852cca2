"""Forms of the case pages. Every form that changes a case carries the version the user read
(optimistic locking: `services.CaseChanged`)."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from manyi.accounts.choices import Role
from manyi.accounts.models import User
from manyi.core.widgets import PERIOD_BOUNDS, IsoDateInput
from manyi.customers.models import Purchase

from .choices import TRANSITIONS, EntryKind, ReplyChannel, Status
from .models import Case, CaseTag, Category, MessageTemplate

MAX_ATTACHMENT_BYTES = getattr(settings, "MANYI_CASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_ATTACHMENTS = 5
SENT_CHANNELS = (ReplyChannel.EMAIL, ReplyChannel.SMS)
# Allowed types: extension -> (content type, how the file must begin; None: any text)
ALLOWED = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


def check_attachment(upload) -> None:
    """Size, and type by the name's extension and the file's first bytes (a renamed program
    is refused); the content type stored is the one the extension allows, never the
    browser's."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s."),
            params={"name": upload.name, "limit": filesizeformat(MAX_ATTACHMENT_BYTES)},
        )
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(
            _("“%(name)s”: only images, PDF, Word, Excel, text and CSV files can be attached."),
            params={"name": upload.name},
        )
    content_type, magic = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if len(head) < 2048 or error.start < len(head) - 4:
                raise ValidationError(
                    _("“%(name)s” is not a text file."), params={"name": upload.name}
                ) from error
        if b"\x00" in head:
            raise ValidationError(_("“%(name)s” is not a text file."), params={"name": upload.name})
    elif not any(head.startswith(m) for m in magic):
        raise ValidationError(
            _("“%(name)s” is not the kind of file its name says."), params={"name": upload.name}
        )
    upload.content_type = content_type


def plain_newlines(text: str) -> str:
    """Browsers send CRLF line ends; the thread, e-mails and SMS keep plain newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(AttachmentsField, self).clean(f, initial) for f in files]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("At most %(count)d files at once."), params={"count": MAX_ATTACHMENTS}
            )
        for upload in files:
            check_attachment(upload)
        return files


def _workers():
    people = User.objects.filter(is_active=True).exclude(role=Role.VIEWER)
    return people.order_by("username")


class TagsField(forms.CharField):
    """Tags as one line, separated by commas (、 and ， too)."""

    def clean(self, value):
        value = super().clean(value) or ""
        for separator in ("，", "、", ";", "；"):
            value = value.replace(separator, ",")
        names = []
        for name in (part.strip() for part in value.split(",")):
            if name and name not in names:
                if len(name) > 50:
                    raise ValidationError(_("A tag has at most 50 characters."))
                names.append(name)
        return names


class CaseForm(forms.ModelForm):
    """A case logged by staff (a call, visit or message), or a case's details changed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tag_names = TagsField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Case
        fields = [
            "case_type",
            "category",
            "severity",
            "channel",
            "subject",
            "description",
            "purchase",
            "team",
            "owner",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["owner"].queryset = _workers()
        customer = customer or (self.instance.customer if self.instance.pk else None)
        self.fields["purchase"].queryset = (
            customer.purchases.order_by("-purchased_at") if customer else Purchase.objects.none()
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            del self.fields["owner"]  # assigned with its own form, which tells the new owner
        self.fields["version"].required = bool(self.instance.pk)

    def tags(self) -> list[CaseTag]:
        return [
            CaseTag.objects.get_or_create(name=name)[0]
            for name in self.cleaned_data.get("tag_names", [])
        ]


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Add"),
        choices=[(EntryKind.NOTE, EntryKind.NOTE.label), (EntryKind.REPLY, EntryKind.REPLY.label)],
        widget=forms.RadioSelect,
        initial=EntryKind.NOTE,
    )
    reply_channel = forms.ChoiceField(
        label=_("Sent by"),
        choices=[("", "—"), *ReplyChannel.choices],
        required=False,
        help_text=_("E-mail and SMS are sent to the customer's primary address or number."),
    )
    subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    files = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_body(self):
        return plain_newlines(self.cleaned_data["body"])

    def clean(self):
        from .messaging import address_of

        data = super().clean()
        channel = data.get("reply_channel")
        if data.get("kind") == EntryKind.REPLY:
            if not channel:
                self.add_error("reply_channel", _("Say how the reply reached the customer."))
            elif channel != ReplyChannel.PHONE and address_of(self.case.customer, channel) is None:
                self.add_error(
                    "reply_channel",
                    _("The customer has no contact point for this channel."),
                )
        return data


class TemplateChoiceForm(forms.Form):
    """Fill the reply from a message template (a GET: no script needed)."""

    template = forms.ModelChoiceField(
        label=_("Message template"), queryset=MessageTemplate.objects.none(), required=True
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            pk__in=[t.pk for t in templates]
        )


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.value, s.label) for s in TRANSITIONS.get(Status(case.status), ())
        ]
        self.fields["version"].initial = case.version
        self.fields["root_cause"].initial = case.root_cause
        self.fields["resolution"].initial = case.resolution

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.RESOLVED and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("Record what was done before resolving the case."))
        return data


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _workers()
        self.fields["owner"].initial = case.owner_id
        self.fields["version"].initial = case.version


class FiguresPeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=IsoDateInput(), validators=PERIOD_BOUNDS
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=IsoDateInput(), validators=PERIOD_BOUNDS
    )

    def period(self):
        from .figures import default_period

        since, until = default_period()
        if self.is_valid():
            since = self.cleaned_data["since"] or since
            until = self.cleaned_data["until"] or until
        return (since, until) if since <= until else (until, since)


class FollowUpForm(forms.Form):
    """How to follow up the selected customers: which template, by which channel."""

    template = forms.ModelChoiceField(
        label=_("Message template"),
        queryset=MessageTemplate.objects.filter(is_active=True),
        help_text=_("Each customer gets it in their language where the template exists in it."),
    )
    channel = forms.ChoiceField(
        label=_("Sent by"), choices=[(c, ReplyChannel(c).label) for c in SENT_CHANNELS]
    )

    def __init__(self, *args, **kwargs):
        from .followups import case_only_placeholders

        super().__init__(*args, **kwargs)
        active = MessageTemplate.objects.filter(is_active=True)
        usable = [t.pk for t in active if not case_only_placeholders(t)]
        self.fields["template"].queryset = active.filter(pk__in=usable)
        self.fields["template"].help_text = _(
            "Templates about a case (with {case_no} or {subject}) are not offered. Each "
            "customer gets it in their language where the template exists in it."
        )

    def clean_template(self):
        from .followups import case_only_placeholders

        template = self.cleaned_data["template"]
        if names := case_only_placeholders(template):
            raise ValidationError(
                _("This template speaks of a case (%(names)s): choose one for customers.")
                % {"names": ", ".join(f"{{{n}}}" for n in names)}
            )
        return template
