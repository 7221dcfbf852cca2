"""The public feedback page (no login, no script): a form, then a thank-you with the case
number to quote. Rate-limited per address, like the respondent pages, and rendered the way
they are (`surveys.views.respond`)."""

from __future__ import annotations

from django.utils import translation

from manyi.surveys.respondent import (
    render_respondent,
    respondent_language,
    respondent_page,
)

from .feedback import FeedbackForm, feedback_submit


@respondent_page
def feedback(request):
    lang = respondent_language(request)
    with translation.override(lang):
        form = FeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            opened = feedback_submit(form.cleaned_data)
            context = {"number": opened.case.number}
            return render_respondent(request, "cases/feedback_thanks.html", context, lang=lang)
    status = 400 if request.method == "POST" else 200
    return render_respondent(
        request, "cases/feedback.html", {"form": form}, lang=lang, status=status
    )
