"""Staff entry as one transaction: a response started, filled page by page and submitted
at once, or nothing stored at all. The staff entry page and the API call it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from manyi.customers.models import Customer

from ..answering import FIELD_PREFIX, TamperedInput, answer_required, question_cells
from ..models import Question, Response, Survey
from .responding import response_save_page, response_start, response_submit, version_questions


@dataclass
class EntryResult:
    response: Response | None
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    values: dict[str, str | list[str]] = field(default_factory=dict)  # to re-fill the form

    @property
    def ok(self) -> bool:
        return self.response is not None


def _page_fields(questions: list[Question]) -> dict[int, list[str]]:
    pages: dict[int, list[str]] = {}
    for question in questions:
        names = pages.setdefault(question.page, [])
        names.extend(name for name, _dim, _role in question_cells(question))
    return dict(sorted(pages.items()))


def _subset(data, names: list[str]) -> QueryDict:
    """Only the given fields: each page's parser refuses fields that are not its own."""
    subset = QueryDict(mutable=True)
    for name in names:
        if name in data:
            subset.setlist(name, data.getlist(name))
    return subset


def response_enter(
    *,
    survey: Survey,
    user,
    channel: str,
    language: str,
    customer: Customer | None,
    data,
    consent_override_reason: str = "",
) -> EntryResult:
    """Start, fill page by page, and submit a response in one transaction: if any page or
    the submission is refused, nothing at all is stored. May raise TamperedInput.
    `consent_override_reason` says why a customer without phone consent was interviewed."""
    questions = version_questions(survey.current_version)
    pages = _page_fields(questions)
    known = {name for names in pages.values() for name in names}
    unknown = sorted(k for k in data if k.startswith(FIELD_PREFIX) and k not in known)
    if unknown:
        raise TamperedInput(
            _("Unknown answer field(s): %(names)s.") % {"names": ", ".join(unknown)}
        )
    result = EntryResult(response=None)
    with transaction.atomic():
        response = response_start(
            survey=survey, channel=channel, language=language, customer=customer, entered_by=user
        )
        if consent_override_reason:
            response.consent_override_reason = consent_override_reason
            response.save(update_fields=["consent_override_reason"])
        for page, names in pages.items():
            parsed = response_save_page(response=response, page=page, data=_subset(data, names))
            result.errors.update(parsed.errors)
            result.values.update(parsed.values)
        if not result.errors:
            submitted = response_submit(response=response)
            by_code = {q.code: q for q in questions}
            for codes in submitted.missing.values():
                for code in codes:
                    first_field = question_cells(by_code[code])[0][0]
                    result.errors[first_field] = answer_required()
            if submitted.ok:
                result.response = submitted.response
        if not result.ok:
            transaction.set_rollback(True)
    return result
