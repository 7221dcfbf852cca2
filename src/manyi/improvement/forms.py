"""Forms of the improvement-action pages. A form that changes an action carries the version
the user read (optimistic locking: `services.Changed`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import User
from manyi.cases.models import Category
from manyi.core.widgets import PERIOD_BOUNDS, IsoDateInput, use_iso_inputs

from .choices import STAGE_MOVES, Comparison, Metric, Stage
from .models import Improvement
from .scopes import COMPLAINT_SCOPES, SCOPES

WINDOW_DAYS = 30
DATES = ("due", "before_since", "before_until", "after_since", "after_until")


def group_choices(user) -> list:
    """Every group an action can touch, one select with a section per kind: "region:江苏"."""
    choices: list = [("", _("Everyone"))]
    for name, scope in SCOPES.items():
        if options := scope.options(user):
            choices.append((scope.label, [(f"{name}:{v}", label) for v, label in options]))
    return choices


def _split(text: str) -> tuple[str, str]:
    name, _sep, value = text.partition(":")
    return name, value


class ImprovementForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    group = forms.ChoiceField(
        label=_("Group the action touches"),
        required=False,
        help_text=_("A team, region, product, segment, channel or member of staff; or everyone."),
    )
    comparison_group = forms.ChoiceField(
        label=_("Which other group"),
        required=False,
        help_text=_(
            "Only for “One other group”: one of the same kind, which the action does not touch."
        ),
    )

    field_order = [
        "title", "finding_kind", "finding", "problem", "root_cause", "plan", "department",
        "owner", "due", "metric", "dimension", "category", "survey", "group", "comparison",
        "comparison_group", "target", "before_since", "before_until", "after_since",
        "after_until",
    ]  # fmt: skip

    class Meta:
        model = Improvement
        fields = [
            "title",
            "finding_kind",
            "finding",
            "problem",
            "root_cause",
            "plan",
            "department",
            "owner",
            "due",
            "metric",
            "dimension",
            "category",
            "survey",
            "comparison",
            "target",
            "before_since",
            "before_until",
            "after_since",
            "after_until",
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("finding", "problem", "root_cause", "plan")
            },
            **{name: IsoDateInput() for name in DATES},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        use_iso_inputs(self)  # the input formats a person may type
        for name in DATES:
            self.fields[name].validators.extend(PERIOD_BOUNDS)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        groups = group_choices(user)
        self.fields["group"].choices = groups
        self.fields["comparison_group"].choices = [("", "—"), *groups[1:]]
        instance = self.instance
        if instance.pk:
            self.fields["version"].initial = instance.version
            if instance.scope:
                self.fields["group"].initial = f"{instance.scope}:{instance.scope_value}"
            if instance.comparison_value:
                self.fields[
                    "comparison_group"
                ].initial = f"{instance.scope}:{instance.comparison_value}"
        else:
            today = timezone.localdate()
            self.fields["before_until"].initial = today - dt.timedelta(days=1)
            self.fields["before_since"].initial = today - dt.timedelta(days=WINDOW_DAYS)
            self.fields["after_since"].initial = today + dt.timedelta(days=14)
            self.fields["after_until"].initial = today + dt.timedelta(days=13 + WINDOW_DAYS)
        self.fields["version"].required = bool(instance.pk)

    def clean(self):
        data = super().clean()
        scope, value = _split(data.get("group", ""))
        other_scope, other_value = _split(data.get("comparison_group", ""))
        metric = data.get("metric")
        comparison = data.get("comparison")
        if metric == Metric.ITEM and not data.get("dimension"):
            self.add_error("dimension", _("Choose the evaluated item the action must move."))
        if metric != Metric.ITEM:
            data["dimension"] = None
        if metric != Metric.COMPLAINT_RATE:
            data["category"] = None
        elif scope not in COMPLAINT_SCOPES:
            self.add_error(
                "group",
                _(
                    "A complaint rate is counted for everyone, a team, a region, a segment "
                    "or a product."
                ),
            )
        if comparison in (Comparison.REST, Comparison.GROUP) and not scope:
            self.add_error(
                "comparison",
                _("A comparison group needs a group the action touches: choose one, or “None”."),
            )
        if comparison == Comparison.GROUP:
            if not other_scope:
                self.add_error("comparison_group", _("Choose the other group."))
            elif scope and other_scope != scope:
                self.add_error(
                    "comparison_group",
                    _("The other group must be of the same kind as the group the action touches."),
                )
            elif other_value == value:
                self.add_error(
                    "comparison_group", _("The other group must not be the group itself.")
                )
        self._windows(data)
        self.instance.scope, self.instance.scope_value = scope, value
        self.instance.comparison_value = other_value if comparison == Comparison.GROUP else ""
        return data

    def _windows(self, data) -> None:
        since, until = data.get("before_since"), data.get("before_until")
        after_since, after_until = data.get("after_since"), data.get("after_until")
        if not all((since, until, after_since, after_until)):
            return
        if since > until:
            self.add_error("before_until", _("The window ends before it begins."))
        elif after_since > after_until:
            self.add_error("after_until", _("The window ends before it begins."))
        elif until >= after_since:
            self.add_error(
                "after_since", _("The after window begins after the before window ends.")
            )
        elif (until - since) != (after_until - after_since):
            self.add_error(
                "after_until",
                _("The before and after windows must be of equal length (%(days)s days).")
                % {"days": (until - since).days + 1},
            )


class StageForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def __init__(self, *args, improvement: Improvement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = improvement.version
        self.fields["stage"].choices = [
            (s.value, s.label) for s in STAGE_MOVES[Stage(improvement.stage)]
        ]


class CheckForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
