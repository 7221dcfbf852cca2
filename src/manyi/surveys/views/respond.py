"""The respondent's pages: a personal invitation link, a survey's public link and opting out.

No login and no JavaScript: each page is a plain form posted back to the same address, saved
page by page through `services.responding`, and rendered in the respondent's language with a
small inline stylesheet so that it opens at once on a weak phone connection."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..answering import TamperedInput, unanswered
from ..choices import InvitationChannel, ResponseChannel, SurveyStatus
from ..models import Invitation, Response, Survey
from ..respond_layout import Layout, question_view
from ..respond_script import SCRIPT
from ..respondent import (
    browser_language,
    language_of,
    render_respondent,
    requested_language,
    respondent_page,
    site_language,
)
from ..services.distribution import invitation_opt_out
from ..services.responding import (
    invitation_mark_opened,
    response_save_page,
    response_start_with_page,
    response_submit,
    version_questions,
)

RESUME_COOKIE = "manyi_resume"
_RESUME_SALT = "manyi.surveys.respond.resume"
_RESUME_MAX_AGE = int(dt.timedelta(days=90).total_seconds())
# Invitation and public link tokens are URL-safe base64 (secrets.token_urlsafe): anything else
# is no token, answered "not found" without a database lookup.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _not_found(request: HttpRequest):
    lang = requested_language(request) or browser_language(request)
    return render_respondent(request, "surveys/respond/not_found.html", {}, lang=lang, status=404)


@dataclass
class _Visit:
    """Who is answering what: the survey, the language, and the response once started."""

    request: HttpRequest
    survey: Survey
    lang: str
    channel: str
    invitation: Invitation | None = None
    response: Response | None = None

    def url(self, **params) -> str:
        return f"{self.request.path}?{urlencode({**params, 'lang': self.lang})}"

    def render(self, template: str, context: dict, status: int = 200):
        context = {"survey_title": self.survey.title(self.lang), **context}
        return render_respondent(self.request, template, context, lang=self.lang, status=status)


def _layout(visit: _Visit) -> Layout:
    if visit.response is None:
        return Layout(version_questions(visit.survey.current_version), [])
    answers = visit.response.answers.select_related("question", "dimension")
    return Layout(version_questions(visit.response.version), list(answers))


def _page(visit: _Visit, layout: Layout, page: int, *, values, errors, status=200, note=""):
    views = [question_view(q, layout, values, errors, visit.lang) for q in layout.shown(page)]
    summary = []  # one line per question, linked to its first field in error
    for view in views:
        if failed := [f for f in view.fields if f.error]:
            message = " ".join(dict.fromkeys(f.error for f in failed))
            first = failed[0]
            anchor = f"{first.name}-0" if first.radios else first.name
            # The question's own closing colon would double the one the summary adds.
            summary.append((anchor, view.text.rstrip(":： "), message))
    visible = layout.visible_pages()
    position = visible.index(page) + 1 if page in visible else 1
    context = {
        "intro": visit.survey.intro(visit.lang) if position == 1 else "",
        "page": page,
        "position": position,
        "total": max(len(visible), position),
        "questions": views,
        # Only a page with a same-page follow-up carries the script (under 1 KB, optional).
        "has_condition": any(view.condition for view in views),
        "script": mark_safe(SCRIPT),  # a constant, allowed by its hash in the page's CSP
        "summary": summary,
        "note": note,
        "has_back": layout.before(page) is not None,
        "has_next": layout.after(page) is not None,
        "anonymous": visit.survey.anonymous or visit.invitation is None,
    }
    return visit.render("surveys/respond/page.html", context, status)


def _answer(visit: _Visit):
    survey = visit.survey
    if survey.status == SurveyStatus.DRAFT:
        return _not_found(visit.request)
    if visit.response is not None and visit.response.is_submitted:
        return visit.render("surveys/respond/thanks.html", {"already": True})
    if not survey.is_accepting_answers():
        return visit.render("surveys/respond/closed.html", {"closes_at": survey.closes_at}, 410)
    with translation.override(visit.lang):  # the services' messages in the page's language
        return _post(visit) if visit.request.method == "POST" else _get(visit)


def _page_number(value) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _get(visit: _Visit):
    layout = _layout(visit)
    page = _page_number(visit.request.GET.get("page"))
    visible = layout.visible_pages()
    if page in layout.pages and page not in visible:
        # A page that skip logic hides: on to the next one the respondent sees.
        target = next((p for p in visible if p > page), visible[-1])
        return HttpResponseRedirect(visit.url(page=target))
    page = page if page in visible else visible[0]
    values, errors, note = layout.form_values(), {}, ""
    if visit.request.GET.get("missing"):  # sent here by a submission that was incomplete
        asked = [q for q in layout.shown(page) if not layout.same_page_condition(q)]
        errors = unanswered(asked, values)
        note = _("Some required questions are not answered yet. Please answer them to submit.")
    return _page(visit, layout, page, values=values, errors=errors, note=note)


def _save(visit: _Visit, page: int):
    """Save the page, starting the response with the first page that is acceptable: a refused
    or invalid first page stores nothing (no empty response, no resume cookie)."""
    data = visit.request.POST
    if visit.response is not None:
        return response_save_page(response=visit.response, page=page, data=data)
    response, parsed = response_start_with_page(
        survey=visit.survey,
        channel=visit.channel,
        language=visit.lang,
        invitation=visit.invitation,
        page=page,
        data=data,
    )
    visit.response = response
    return parsed


def _post(visit: _Visit):
    layout = _layout(visit)
    page = _page_number(visit.request.POST.get("page"))
    try:
        if page not in layout.pages:
            raise TamperedInput(_("This page is not part of the survey."))
        parsed = _save(visit, page)
    except TamperedInput as exc:
        context = {"message": str(exc), "page": page if page in layout.pages else 1}
        return visit.render("surveys/respond/invalid.html", context, 400)
    layout = _layout(visit)
    if not parsed.ok:
        return _page(visit, layout, page, values=parsed.values, errors=parsed.errors, status=400)
    action = visit.request.POST.get("action")
    if action == "submit":
        result = response_submit(response=visit.response)
        if result.ok:
            context = {"already": not result.submitted_now}
            return visit.render("surveys/respond/thanks.html", context)
        return HttpResponseRedirect(visit.url(page=min(result.missing), missing=1))
    target = layout.before(page) if action == "back" else layout.after(page)
    return HttpResponseRedirect(visit.url(page=target or page))


@respondent_page
def invitation(request, token: str):
    if not _TOKEN.fullmatch(token):
        return _not_found(request)
    invitation = (
        Invitation.objects.select_related("survey__current_version").filter(token=token).first()
    )
    if invitation is None:
        return _not_found(request)
    if request.method == "GET":
        invitation_mark_opened(invitation=invitation)
    response = Response.objects.filter(invitation=invitation).select_related("version").first()
    lang = (
        requested_language(request)
        or language_of(response.language if response else invitation.language)
        or site_language()
    )
    sms = invitation.channel == InvitationChannel.SMS
    channel = ResponseChannel.SMS if sms else ResponseChannel.EMAIL
    return _answer(_Visit(request, invitation.survey, lang, channel, invitation, response))


@respondent_page
def public(request, public_token: str):
    if not _TOKEN.fullmatch(public_token):
        return _not_found(request)
    survey = (
        Survey.objects.select_related("current_version")
        .filter(public_token=public_token, public_link_enabled=True)
        .first()
    )
    if survey is None:
        return _not_found(request)
    key = request.get_signed_cookie(RESUME_COOKIE, default=None, salt=_RESUME_SALT)
    response = None
    if key:
        response = (
            Response.objects.filter(resume_key=key, survey=survey, invitation__isnull=True)
            .select_related("version")
            .first()
        )
    lang = (
        requested_language(request)
        or (language_of(response.language) if response else None)
        or browser_language(request)
    )
    visit = _Visit(request, survey, lang, ResponseChannel.LINK, response=response)
    http = _answer(visit)
    if visit.response is not None:
        # Scoped to this survey's path; the signed key alone finds the response again.
        http.set_signed_cookie(
            RESUME_COOKIE,
            visit.response.resume_key,
            salt=_RESUME_SALT,
            max_age=_RESUME_MAX_AGE,
            path=request.path,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return http


@respondent_page
def opt_out(request, token: str):
    if not _TOKEN.fullmatch(token):
        return _not_found(request)
    invitation = Invitation.objects.select_related("survey").filter(token=token).first()
    if invitation is None:
        return _not_found(request)
    lang = requested_language(request) or language_of(invitation.language) or site_language()
    done = request.method == "POST"
    if done:
        invitation_opt_out(invitation=invitation)
    context = {
        "survey_title": invitation.survey.title(lang),
        "done": done,
        "by_sms": invitation.channel == InvitationChannel.SMS,
    }
    return render_respondent(request, "surveys/respond/opt_out.html", context, lang=lang)
