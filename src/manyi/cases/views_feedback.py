"""The public feedback page (no login, no script): a form, then a thank-you with the case
number to quote. Rate-limited per address, like the respondent pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import translation

from manyi.surveys.views.respond import LANGUAGES, respondent_page

from .feedback import FeedbackForm, feedback_submit


def _language(request) -> str:
    asked = (request.POST.get("lang") or request.GET.get("lang") or "").lower()
    if not asked:
        asked = translation.get_language_from_request(request) or ""
    return "en" if asked.startswith("en") else "zh-hans"


@respondent_page
def feedback(request):
    lang = _language(request)
    links = [
        (f"{request.path}?{urlencode({'lang': code})}", name, code)
        for code, name in LANGUAGES.items()
        if code != lang
    ]
    with translation.override(lang):
        form = FeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            opened = feedback_submit(form.cleaned_data)
            context = {"lang": lang, "lang_links": links, "number": opened.case.number}
            http = render(request, "cases/feedback_thanks.html", context)
        else:
            status = 400 if request.method == "POST" else 200
            context = {"lang": lang, "lang_links": links, "form": form}
            http = render(request, "cases/feedback.html", context, status=status)
    http["Content-Language"] = lang
    return http
