"""The builder's question forms. A question's options, items and skip rule are typed into
plain fields and parsed here, so that every message can name what is wrong; saving and moving
are services.design's `question_save` and `question_move`."""

from __future__ import annotations

import copy
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..answering import CHOICE_TYPES, ITEM_TYPES
from ..choices import MatrixMeasure, QuestionType
from ..models import Dimension, Question
from ..scales import scale_for
from ..services.design import (
    WORDING_FIELDS,
    locked_options_message,
    question_code_error,
    question_save,
    question_validate,
)

SCALED_TYPES = {QuestionType.CSAT, QuestionType.MATRIX, QuestionType.EXPECTATION}
SHOW_IF_OPS = [
    ("answered", _("is answered")),
    ("eq", _("equals")),
    ("in", _("is one of")),
    ("lte", _("is at most")),
    ("gte", _("is at least")),
]
# Keys of services.design's errors that name a form field differently.
_FIELD_OF_ERROR = {"options": "options_text", "show_if": "show_if_question"}


def plain_decimal(number: Decimal) -> Decimal:
    """1.5000 → 1.5 and 10.0000 → 10 (`normalize()` alone would write 1E+1)."""
    normal = number.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _describe(rule: dict, texts: dict) -> str:
    """A skip rule in words, with the sentence for its operator from `texts`."""
    if not rule or not rule.get("question"):
        return ""
    value = rule.get("value")
    value = ", ".join(map(str, value)) if isinstance(value, list) else value
    return str(texts.get(rule.get("op"), texts["answered"])) % {"q": rule["question"], "v": value}


def describe_show_if(rule: dict) -> str:
    """A skip rule in words, for the question lists."""
    texts = {
        "answered": _("Shown only if “%(q)s” is answered"),
        "eq": _("Shown only if “%(q)s” equals %(v)s"),
        "in": _("Shown only if “%(q)s” is one of %(v)s"),
        "lte": _("Shown only if “%(q)s” is at most %(v)s"),
        "gte": _("Shown only if “%(q)s” is at least %(v)s"),
    }
    return _describe(rule, texts)


def describe_ask_if(rule: dict) -> str:
    """A skip rule as an instruction to an interviewer entering answers (staff entry)."""
    texts = {
        "answered": _("Ask only if “%(q)s” was answered; otherwise leave it empty."),
        "eq": _("Ask only if the answer to “%(q)s” is %(v)s; otherwise leave it empty."),
        "in": _("Ask only if the answer to “%(q)s” is one of %(v)s; otherwise leave it empty."),
        "lte": _("Ask only if the answer to “%(q)s” is at most %(v)s; otherwise leave it empty."),
        "gte": _("Ask only if the answer to “%(q)s” is at least %(v)s; otherwise leave it empty."),
    }
    return _describe(rule, texts)


# ----- options: "value | 中文 | English", one per line -------------------------------------


def parse_options(text: str) -> list[dict]:
    options: list[dict] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            errors.append(
                _("Line %(n)s has %(parts)s parts; write value | 中文 | English.")
                % {"n": number, "parts": len(parts)}
            )
            continue
        value, zh, en = [*parts, "", ""][:3]
        if not value:
            errors.append(
                _("Line %(n)s: the value (before the first |) is missing.") % {"n": number}
            )
        elif "," in value or len(value) > 50:
            errors.append(
                _("Line %(n)s: a value has at most 50 characters and no comma.") % {"n": number}
            )
        elif value in first_line:
            errors.append(
                _("Line %(n)s: the value “%(value)s” is already used on line %(first)s.")
                % {"n": number, "value": value, "first": first_line[value]}
            )
        elif not zh and not en:
            errors.append(_("Line %(n)s: give a Chinese or an English label.") % {"n": number})
        else:
            first_line[value] = number
            options.append({"value": value, "zh": zh or en, "en": en})
    if errors:
        raise ValidationError(errors)
    return options


def format_options(options: list[dict]) -> str:
    return "\n".join(f"{o['value']} | {o.get('zh', '')} | {o.get('en', '')}" for o in options)


# ----- questions -------------------------------------------------------------------------


class QuestionForm(forms.ModelForm):
    """One question with its options, items and skip rule. On a locked version only the
    wording and the option labels may change; other fields are shown disabled and whatever
    is posted for them is ignored (and listed in `ignored_changes`)."""

    scale_max = forms.TypedChoiceField(
        label=_("scale maximum"),
        choices=[("", "—"), (5, _("5 points")), (7, _("7 points")), (10, _("10 points"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One option per line: value | 中文 | English, e.g. yes | 是 | Yes."),
    )
    items = forms.ModelMultipleChoiceField(
        label=_("Evaluated items"),
        queryset=Dimension.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    show_if_question = forms.ChoiceField(label=_("Show only if question"), required=False)
    show_if_op = forms.ChoiceField(label=_("condition"), choices=SHOW_IF_OPS, required=False)
    show_if_value = forms.CharField(
        label=_("value"),
        required=False,
        max_length=200,
        help_text=_("For “is one of”, separate the values with commas."),
    )

    class Meta:
        model = Question
        fields = [
            "type",
            "code",
            "page",
            "position",
            "text_zh",
            "text_en",
            "help_zh",
            "help_en",
            "required",
            "scale_max",
            "measure",
            "dimension",
        ]
        widgets = {
            "text_zh": forms.Textarea(attrs={"rows": 2}),
            "text_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.locked = version.is_locked
        self.instance.version = version
        self.ignored_changes: list[str] = []
        self.chosen_items: list[tuple[Dimension, Decimal]] = []
        self._setup_items()
        earlier = version.questions.exclude(pk=self.instance.pk).order_by("page", "position", "pk")
        if self.instance.pk:  # a new question goes last: every other one is earlier
            page, position = self.instance.page, self.instance.position
            earlier = earlier.filter(Q(page__lt=page) | Q(page=page, position__lt=position))
        self.fields["show_if_question"].choices = [("", "—")] + [
            (q.code, f"{q.code} · {q.text_zh[:40]}") for q in earlier
        ]
        self.fields["dimension"].queryset = Dimension.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.dimension_id)
        )
        self.fields["page"].widget.attrs["min"] = 1
        self.fields["measure"].required = False
        self._set_initial()
        if self.locked:
            for name, field in self.fields.items():
                if name not in WORDING_FIELDS and name != "options_text":
                    field.disabled = True

    def _setup_items(self) -> None:
        current = (
            {i.dimension_id: i.weight for i in self.instance.items.all()}
            if self.instance.pk
            else {}
        )
        dimensions = Dimension.objects.filter(Q(is_active=True) | Q(pk__in=current))
        self.fields["items"].queryset = dimensions
        self.item_dimensions = list(dimensions)
        for dimension in self.item_dimensions:
            self.fields[f"weight_{dimension.pk}"] = forms.DecimalField(
                label=_("weight of %(item)s") % {"item": dimension},
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=4,
                required=False,
                initial=plain_decimal(current.get(dimension.pk, dimension.default_weight)),
            )
        if current:
            self.initial.setdefault("items", list(current))

    def _set_initial(self) -> None:
        question = self.instance
        rule = question.show_if or {}
        value = rule.get("value", "")
        self.initial.update(
            options_text=format_options(question.options or []),
            show_if_question=rule.get("question", ""),
            show_if_op=rule.get("op", "answered"),
            show_if_value=", ".join(map(str, value)) if isinstance(value, list) else value,
        )
        if question.pk is None:
            last = self.version.questions.aggregate(page=Max("page"), position=Max("position"))
            self.initial.update(page=last["page"] or 1, position=(last["position"] or 0) + 10)
            self.initial.update(type=question.type or QuestionType.CSAT, scale_max=5)

    @property
    def item_rows(self):
        """(dimension, its checkbox, its weight field) for the items table."""
        boxes = {str(w.data["value"]): w for w in self["items"]}
        return [(d, boxes.get(str(d.pk)), self[f"weight_{d.pk}"]) for d in self.item_dimensions]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not self.locked and (message := question_code_error(self.instance, code)):
            raise ValidationError(message)
        return code

    def full_clean(self):
        if self.is_bound and self.locked:
            self._note_ignored_changes()
        super().full_clean()

    def _note_ignored_changes(self) -> None:
        for name, field in self.fields.items():
            if not field.disabled or self.add_prefix(name) not in self.data:
                continue
            probe = copy.copy(field)
            probe.disabled = False
            if probe.has_changed(self.get_initial_for_field(field, name), self[name].data):
                self.ignored_changes.append(str(capfirst(field.label)))

    def clean(self):
        cleaned = super().clean()
        if self.locked:
            self._clean_locked_options(cleaned)
            return cleaned
        kind = cleaned.get("type")
        if kind in SCALED_TYPES and not cleaned.get("scale_max"):
            self.add_error("scale_max", _("Choose a scale of 5, 7 or 10 points."))
        if kind in CHOICE_TYPES:
            try:
                cleaned["options"] = parse_options(cleaned.get("options_text") or "")
            except ValidationError as exc:
                self.add_error("options_text", exc)
        if kind in ITEM_TYPES:
            for dimension in cleaned.get("items") or []:
                weight = cleaned.get(f"weight_{dimension.pk}")
                weight = dimension.default_weight if weight is None else weight
                self.chosen_items.append((dimension, weight))
        cleaned["show_if"] = self._clean_show_if(cleaned)
        return cleaned

    def _clean_locked_options(self, cleaned) -> None:
        if self.instance.type not in CHOICE_TYPES:
            return
        try:
            options = parse_options(cleaned.get("options_text") or "")
        except ValidationError as exc:
            self.add_error("options_text", exc)
            return
        if message := locked_options_message(self.instance.options, options):
            self.add_error("options_text", message)
        else:
            cleaned["options"] = options

    def _clean_show_if(self, cleaned) -> dict:
        code = cleaned.get("show_if_question")
        if not code:
            return {}
        op = cleaned.get("show_if_op") or "answered"
        if op == "answered":
            return {"question": code, "op": op}
        raw = (cleaned.get("show_if_value") or "").strip()
        earlier = self.version.questions.filter(code=code).exclude(pk=self.instance.pk).first()
        scale = earlier and scale_for(earlier.type, earlier.scale_max, earlier.measure)
        values = [v.strip() for v in raw.split(",") if v.strip()] if op == "in" else [raw]
        if not all(values) or not values:
            self.add_error("show_if_value", _("Give the value the condition compares with."))
            return {}
        if earlier and earlier.type in ITEM_TYPES:
            self.add_error("show_if_op", _("A matrix question can only be checked for “answered”."))
            return {}
        if op in ("lte", "gte") and earlier and scale is None:
            self.add_error("show_if_value", _("“At most” and “at least” need a rating question."))
            return {}
        if scale is not None:
            try:
                values = [int(v) for v in values]
            except ValueError:
                self.add_error("show_if_value", _("Give whole numbers on the question's scale."))
                return {}
        elif earlier and earlier.type in CHOICE_TYPES:
            allowed = {str(o["value"]) for o in earlier.options}
            unknown = [v for v in values if v not in allowed]
            if unknown:
                self.add_error(
                    "show_if_value",
                    _("Not an option value of “%(q)s”: %(v)s (its values: %(allowed)s).")
                    % {"q": code, "v": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
                )
                return {}
        return {"question": code, "op": op, "value": values if op == "in" else values[0]}

    def _post_clean(self):
        super()._post_clean()
        question, cleaned = self.instance, self.cleaned_data
        if "options" in cleaned:
            question.options = cleaned["options"]
        if self.locked or self.errors:
            return
        kind = question.type
        question.show_if = cleaned.get("show_if", {})
        if kind not in CHOICE_TYPES:
            question.options = []
        if kind not in SCALED_TYPES:
            question.scale_max = None
        if kind != QuestionType.MATRIX or not question.measure:
            question.measure = MatrixMeasure.SATISFACTION
        if kind != QuestionType.CSAT:
            question.dimension = None
        try:
            question_validate(question, items=self.chosen_items if kind in ITEM_TYPES else None)
        except ValidationError as exc:
            self.add_refusal(exc)

    def weight_warning(self) -> str | None:
        """A warning for a satisfaction matrix whose weights do not add up to 1 (METHODS.md:
        the weights of one matrix sum to 1). Saving is not refused: the index divides by the
        sum, so other totals still give an index, but each weight no longer reads as the
        item's share of it."""
        question = self.instance
        if (
            self.locked
            or question.type != QuestionType.MATRIX
            or question.measure != MatrixMeasure.SATISFACTION
            or not self.chosen_items
        ):
            return None
        total = sum((weight for _dimension, weight in self.chosen_items), Decimal(0))
        if total == 1:
            return None
        return _(
            "The weights of “%(code)s” add up to %(total)s, not 1. The satisfaction index "
            "divides by their sum, so it is still computed, but make them add up to 1 so that "
            "each weight is its item's share of the index."
        ) % {"code": question.code, "total": plain_decimal(total)}

    def add_refusal(self, exc: ValidationError) -> None:
        """Show a ValidationError of services.design on the fields it names."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, messages in exc.message_dict.items():
            name = _FIELD_OF_ERROR.get(key, key)
            self.add_error(name if name in self.fields else None, messages)

    def save(self, commit=True) -> Question:
        """Save through `question_save`, which may still refuse (the version was locked since
        the form was built): catch its ValidationError and pass it to `add_refusal`."""
        if self.errors:
            raise ValueError("The question was not saved: its data did not validate.")
        items = None if self.locked else self.chosen_items
        return question_save(question=self.instance, items=items)


class QuestionMoveForm(forms.Form):
    """Which way to move a question on its page; `services.design.question_move` moves it."""

    direction = forms.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])
