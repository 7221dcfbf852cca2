"""Designing surveys: create (blank or from a template), edit questions, open, close, and
move to a new version when an open survey must change.

A version is locked once its survey opens or its first response starts. The question writes
and `version_publish` read the lock from the database under a row lock (the caller's object
may be stale); a change that a locked version does not allow is refused with a ValidationError,
whose code is `LOCKED` when the lock alone is the reason."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..answering import CHOICE_TYPES, ITEM_TYPES
from ..blueprints import BLUEPRINTS
from ..choices import QuestionType, SurveyStatus
from ..models import Dimension, Question, QuestionItem, Survey, SurveyVersion

# Fields a locked version may still change: wording, never what answers mean.
WORDING_FIELDS = ["text_zh", "text_en", "help_zh", "help_en"]
# The code of the ValidationError refusing a change that a locked version does not allow.
LOCKED = "locked"


def locked_message() -> str:
    return _(
        "This version has collected answers (or its survey was opened) and is locked: only "
        "the wording can change. Start a new version to change the questions."
    )


@transaction.atomic
def survey_create(*, user, title_zh: str, title_en: str = "", **fields) -> Survey:
    survey = Survey.objects.create(title_zh=title_zh, title_en=title_en, created_by=user, **fields)
    survey.current_version = SurveyVersion.objects.create(survey=survey, number=1)
    survey.save(update_fields=["current_version"])
    return survey


@transaction.atomic
def survey_create_from_blueprint(
    *, user, key: str, title_zh: str = "", title_en: str = ""
) -> Survey:
    """A survey with a template's questions. A title the user typed wins over the template's;
    a Chinese title typed alone leaves the English one empty rather than the template's (the
    English page then shows the Chinese title, never another survey's name)."""
    blueprint = BLUEPRINTS[key]
    title_zh, title_en = title_zh.strip(), title_en.strip()
    if not title_zh and not title_en:
        title_zh, title_en = blueprint.title_zh, blueprint.title_en
    survey = survey_create(
        user=user,
        title_zh=title_zh or title_en,
        title_en=title_en,
        intro_zh=blueprint.intro_zh,
        intro_en=blueprint.intro_en,
        blueprint=key,
    )
    dimensions = {d.code: d for d in Dimension.objects.all()}
    for position, spec in enumerate(blueprint.questions, start=1):
        spec = dict(spec)
        items = spec.pop("items", [])
        dimension = spec.pop("dimension", None)
        question = Question.objects.create(
            version=survey.current_version,
            position=position * 10,
            dimension=dimensions.get(dimension) if dimension else None,
            **spec,
        )
        QuestionItem.objects.bulk_create(
            QuestionItem(
                question=question,
                dimension=dimensions[code],
                weight=dimensions[code].default_weight,
                position=i,
            )
            for i, code in enumerate(items)
            if code in dimensions
        )
    return survey


def question_dependents(question: Question):
    """Questions of the same version whose skip rule depends on this one."""
    return Question.objects.filter(
        version_id=question.version_id, show_if__question=question.code
    ).exclude(pk=question.pk)


def question_code_error(question: Question, code: str) -> str | None:
    """Why `question`, as stored, may not take `code`: another question of its version has
    it, or other questions' skip logic refers to the code it has now."""
    taken = Question.objects.filter(version_id=question.version_id, code=code)
    if taken.exclude(pk=question.pk).exists():
        return _("Another question of this version already has the code “%(code)s”.") % {
            "code": code
        }
    if question.pk and code != question.code and question_dependents(question).exists():
        return _("Other questions' skip logic uses this code; keep it.")
    return None


def locked_options_message(stored: list[dict], options: list[dict]) -> str | None:
    """Why `options` may not replace `stored` on a locked version: only labels may change."""
    values = [str(o["value"]) for o in stored or []]
    if [str(o.get("value")) for o in options or []] == values:
        return None
    return _("This version is locked: only the labels may change; keep the values %(v)s.") % {
        "v": ", ".join(values)
    }


def question_validate(question: Question, *, items: list | None = None) -> None:
    """What the database cannot check: a question's parts fit its type, skip logic refers
    to an earlier question of the same version, and questions whose skip logic depends on
    this one stay after it."""
    errors: dict[str, list[str]] = {}
    if question.pk:
        for dependent in question_dependents(question):
            if (dependent.page, dependent.position) <= (question.page, question.position):
                errors.setdefault("position", []).append(
                    _("“%(code)s” is shown depending on this question and must stay after it.")
                    % {"code": dependent.code}
                )
    if question.type == QuestionType.CSAT and question.scale_max not in (5, 7, 10):
        errors["scale_max"] = [_("A satisfaction rating needs a scale of 5, 7 or 10 points.")]
    if question.type in CHOICE_TYPES:
        values = [str(o.get("value", "")).strip() for o in question.options or []]
        if len(values) < 2 or not all(values):
            errors["options"] = [_("A choice question needs at least two options with values.")]
        elif len(set(values)) != len(values):
            errors["options"] = [_("Option values must differ from each other.")]
    if question.type in ITEM_TYPES and items is not None and not items:
        errors["items"] = [_("Choose at least one evaluated item.")]
    rule = question.show_if or {}
    if rule.get("question"):
        earlier = Question.objects.filter(version=question.version, code=rule["question"])
        earlier = earlier.exclude(pk=question.pk).first()
        if earlier is None:
            errors["show_if"] = [_("Skip logic refers to a question that does not exist.")]
        elif (earlier.page, earlier.position) >= (question.page, question.position):
            errors["show_if"] = [_("Skip logic can only depend on an earlier question.")]
        elif rule.get("op") not in ("answered", "eq", "in", "lte", "gte"):
            errors["show_if"] = [_("Unknown skip-logic condition.")]
    if errors:
        raise ValidationError(errors)


def _version_for_update(version_id: int) -> SurveyVersion:
    """The version as the database has it now, row-locked until the transaction ends."""
    return SurveyVersion.objects.select_for_update().get(pk=version_id)


def _editable_version(version_id: int) -> SurveyVersion:
    version = _version_for_update(version_id)
    if version.is_locked:
        raise ValidationError(locked_message(), code=LOCKED)
    return version


def _check_wording_only(question: Question, items) -> None:
    """On a locked version: refuse anything but new wording and new option labels."""
    if question.pk is None:
        raise ValidationError(locked_message(), code=LOCKED)
    stored = Question.objects.get(pk=question.pk)
    allowed = {*WORDING_FIELDS, "options"}
    for model_field in Question._meta.concrete_fields:
        name = model_field.attname
        if model_field.name not in allowed and getattr(question, name) != getattr(stored, name):
            raise ValidationError(locked_message(), code=LOCKED)
    if message := locked_options_message(stored.options, question.options):
        raise ValidationError({"options": [message]})
    kept = [(i.dimension_id, i.weight) for i in stored.items.all()]
    if items is not None and [(d.pk, w) for d, w in items] != kept:
        raise ValidationError(locked_message(), code=LOCKED)


@transaction.atomic
def question_save(
    *, question: Question, items: Sequence[tuple[Dimension, Decimal]] | None = None
) -> Question:
    """Save a new or changed question and replace its evaluated items with `items`, the
    (item, weight) pairs in order; None keeps the stored ones. A question whose type rates
    no items keeps none.

    On a locked version only the wording and the labels of the existing options may change;
    anything else, a new question included, is refused. Otherwise the code must be free in
    the version (and kept if other questions' skip logic uses it) and the question must pass
    `question_validate`."""
    version = _version_for_update(question.version_id)
    if version.is_locked:
        _check_wording_only(question, items)
        question.save(update_fields=[*WORDING_FIELDS, "options"])
        return question
    stored = Question.objects.get(pk=question.pk) if question.pk else question
    if message := question_code_error(stored, question.code):
        raise ValidationError({"code": [message]})
    rated = question.type in ITEM_TYPES
    items = None if items is None else list(items)
    question_validate(question, items=items if rated else None)
    question.save()
    if not rated or items is not None:
        question.items.all().delete()
    if rated and items:
        QuestionItem.objects.bulk_create(
            QuestionItem(question=question, dimension=d, weight=w, position=i)
            for i, (d, w) in enumerate(items)
        )
    return question


@transaction.atomic
def question_move(*, question: Question, direction: str) -> Question:
    """Swap a question with its neighbour on the same page, "up" or "down", and renumber the
    page in steps of ten (equal positions would make a swap change nothing). Refused on a
    locked version, at the edge of the page, and when a question would come before the one
    its skip logic depends on."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction is 'up' or 'down', not {direction!r}")
    _editable_version(question.version_id)
    order = list(
        Question.objects.filter(version_id=question.version_id, page=question.page).order_by(
            "position", "pk"
        )
    )
    index = [q.pk for q in order].index(question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        raise ValidationError(_("The question is already at the edge of its page."))
    earlier, later = order[min(index, other)], order[max(index, other)]
    if (later.show_if or {}).get("question") == earlier.code:
        raise ValidationError(
            _("“%(later)s” is shown depending on “%(earlier)s” and must stay after it.")
            % {"later": later.code, "earlier": earlier.code}
        )
    order[index], order[other] = order[other], order[index]
    for number, each in enumerate(order, start=1):
        each.position = number * 10
    Question.objects.bulk_update(order, ["position"])
    question.position = order[other].position
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question of an editable version that no other question's skip logic uses."""
    _editable_version(question.version_id)
    dependents = [q.code for q in question_dependents(question)]
    if dependents:
        raise ValidationError(
            _("“%(code)s” cannot be deleted: the skip logic of %(others)s depends on it.")
            % {"code": question.code, "others": ", ".join(dependents)}
        )
    question.delete()


def version_is_editable(version: SurveyVersion) -> bool:
    return version.locked_at is None


def draft_version(survey: Survey) -> SurveyVersion | None:
    """The unpublished next version of an open survey, if one was started."""
    return (
        survey.versions.filter(locked_at__isnull=True, number__gt=survey.current_version.number)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def survey_open(*, survey: Survey) -> Survey:
    if not survey.current_version.questions.exists():
        raise ValidationError(_("A survey needs at least one question before it opens."))
    now = timezone.now()
    survey.status = SurveyStatus.OPEN
    survey.opened_at = survey.opened_at or now
    survey.closed_at = None
    survey.save(update_fields=["status", "opened_at", "closed_at"])
    SurveyVersion.objects.filter(pk=survey.current_version_id, locked_at__isnull=True).update(
        locked_at=now
    )
    return survey


def survey_close(*, survey: Survey) -> Survey:
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def version_create_next(*, survey: Survey) -> SurveyVersion:
    """Copy the current questions into an editable next version (or return the one already
    started). Answers stay with the version they answered."""
    if existing := draft_version(survey):
        return existing
    number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    new = SurveyVersion.objects.create(survey=survey, number=number)
    for question in survey.current_version.questions.prefetch_related("items"):
        items = list(question.items.all())
        question.pk = None
        question.version = new
        question.save()
        QuestionItem.objects.bulk_create(
            QuestionItem(
                question=question, dimension_id=i.dimension_id, weight=i.weight, position=i.position
            )
            for i in items
        )
    return new


@transaction.atomic
def version_publish(*, survey: Survey, version: SurveyVersion) -> Survey:
    """Make an unlocked version of the survey its current one, locking it if the survey is
    open. The survey's status and the version's lock are read again from the database (in
    the order `survey_open` writes them): the caller's objects may be stale, for instance a
    version that `survey_open` locked with an UPDATE."""
    status = Survey.objects.select_for_update().values_list("status", flat=True).get(pk=survey.pk)
    fresh = SurveyVersion.objects.select_for_update().filter(pk=version.pk).first()
    if fresh is None or fresh.survey_id != survey.pk or fresh.is_locked:
        raise ValidationError(_("Only the survey's unpublished version can be published."))
    if not fresh.questions.exists():
        raise ValidationError(_("A version needs at least one question."))
    survey.current_version = fresh
    survey.save(update_fields=["current_version"])
    if status == SurveyStatus.OPEN:
        fresh.locked_at = version.locked_at = timezone.now()
        fresh.save(update_fields=["locked_at"])
    return survey
