"""The respondent's pages: rendering of every question type in both languages, saving page by
page, validation that never corrupts stored answers, skip logic, submitting once, the public
link with its resume cookie, closed and unknown surveys, opting out, and page weight."""

import datetime as dt
import gzip
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.surveys.answering import question_cells
from manyi.surveys.choices import QuestionType, ResponseStatus
from manyi.surveys.models import Answer, Dimension, Invitation, Question, QuestionItem, Response
from manyi.surveys.services import design
from tests.factories import CustomerFactory

OPTIONS = [
    {"value": "a", "zh": "甲选项", "en": "Option A"},
    {"value": "b", "zh": "乙选项", "en": ""},
]


def _open(user, key: str, change=None):
    survey = design.survey_create_from_blueprint(user=user, key=key)
    if change:
        change(survey)
    return design.survey_open(survey=survey)


def _invite(survey, *, language="en", channel="email", **customer):
    customer = CustomerFactory(consent_email=True, consent_sms=True, **customer)
    return Invitation.objects.create(
        survey=survey, customer=customer, channel=channel, language=language
    )


def _url(invitation, **query) -> str:
    url = reverse("respond:invitation", args=[invitation.token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _post(client, url, page, action="next", lang="en", **answers):
    return client.post(url, {"page": page, "action": action, "lang": lang, **answers})


def _stored(response=None) -> dict:
    answers = Answer.objects.select_related("question", "dimension")
    if response is not None:
        answers = answers.filter(response=response)
    return {
        (a.question.code, a.dimension.code if a.dimension else None, a.role): (
            a.number,
            a.text,
            a.choices,
        )
        for a in answers
    }


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)" id="[^"]*" checked', html)


def _ten_question_survey(user):
    """One page with every question type (two satisfaction ratings): ten questions."""
    survey = design.survey_create(
        user=user, title_zh="十题问卷", title_en="Ten questions", intro_zh="简介", intro_en="Intro"
    )
    specs = [
        ("csat", QuestionType.CSAT, {"scale_max": 5, "required": True, "help_zh": "提示"}),
        ("csat7", QuestionType.CSAT, {"scale_max": 7, "help_en": "Seven points"}),
        ("nps", QuestionType.NPS, {}),
        ("ces", QuestionType.CES, {}),
        ("matrix", QuestionType.MATRIX, {"scale_max": 5}),
        ("gap", QuestionType.EXPECTATION, {"scale_max": 5}),
        ("single", QuestionType.SINGLE, {"options": OPTIONS}),
        ("multiple", QuestionType.MULTIPLE, {"options": OPTIONS}),
        ("short", QuestionType.SHORT_TEXT, {"max_length": 80}),
        ("long", QuestionType.LONG_TEXT, {"max_length": 500}),
    ]
    for position, (code, kind, extra) in enumerate(specs):
        question = Question.objects.create(
            version=survey.current_version,
            code=code,
            position=position,
            type=kind,
            text_zh=f"问题{code}",
            text_en=f"Question {code}?",
            **extra,
        )
        if kind in (QuestionType.MATRIX, QuestionType.EXPECTATION):
            for i, dimension in enumerate(Dimension.objects.filter(code__in=["price", "brand"])):
                QuestionItem.objects.create(question=question, dimension=dimension, position=i)
    return design.survey_open(survey=survey)


@pytest.fixture
def csat(analyst):
    return _open(analyst, "csat_purchase")


@pytest.fixture
def ten(analyst):
    return _ten_question_survey(analyst)


# Rendering ----------------------------------------------------------------------------------


def test_every_question_type_renders_its_inputs_and_english_labels(client, ten):
    # given
    invitation = _invite(ten)
    # when
    response = client.get(_url(invitation))
    html = response.content.decode()
    # then every input the services expect is there, with its kind of control
    assert response.status_code == 200
    for question in ten.current_version.questions.all():
        for name, _dimension, _role in question_cells(question):
            assert f'name="{name}"' in html, name
        assert f"Question {question.code}?" in html
    assert html.count('type="radio" name="q__nps"') == 11
    assert html.count('type="radio" name="q__ces"') == 7
    assert html.count('type="radio" name="q__csat7"') == 7
    assert 'type="checkbox" name="q__multiple" value="a"' in html
    assert '<input type="text" name="q__short" id="q__short" value="" maxlength="80"' in html
    assert '<textarea name="q__long" id="q__long" rows="5" maxlength="500"' in html
    assert '<label for="q__long">Question long?</label>' in html
    # labels: all five CSAT points spoken, the ends of the others shown, items and options
    for label in ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]:
        assert f'<i class="sr"> {label}</i>' in html
    assert "0 = Not at all likely" in html and "10 = Extremely likely" in html
    assert "1 = Very difficult" in html and "7 = Very easy" in html
    assert "<legend>Price</legend>" in html and "<legend>Brand image</legend>" in html
    assert "Expected" in html and "Experienced" in html
    assert "Option A" in html and "乙选项" in html  # no English text: the Chinese one
    assert "(required)" in html and "Seven points" in html and "Intro" in html
    assert 'aria-describedby="q-csat7-h"' in html
    assert '<html lang="en">' in html and "<script" not in html


def test_chinese_invitation_shows_the_chinese_survey(client, ten):
    # given
    invitation = _invite(ten, language="zh-hans")
    # when
    html = client.get(_url(invitation)).content.decode()
    # then
    assert '<html lang="zh-hans">' in html
    for question in ten.current_version.questions.all():
        assert f"问题{question.code}" in html
        for name, _dimension, _role in question_cells(question):
            assert f'name="{name}"' in html, name
    assert "十题问卷" in html and "问题nps" in html and "提示" in html and "简介" in html
    assert "<legend>价格</legend>" in html and "甲选项" in html
    assert "Question nps?" not in html
    assert 'name="lang" value="zh-hans"' in html
    assert f'href="{_url(invitation)}?page=1&amp;lang=en"' in html


def test_lang_parameter_switches_and_is_kept(client, csat):
    # given a Chinese invitation
    invitation = _invite(csat, language="zh-hans")
    # when the respondent switches to English
    html = client.get(_url(invitation, lang="en")).content.decode()
    # then the page and its form are English
    assert "Overall, how satisfied are you with this purchase?" in html
    assert 'name="lang" value="en"' in html
    # and the next page keeps it
    answer = _post(client, _url(invitation), 1, q__overall=2)
    assert answer.url.endswith("?page=2&lang=en")
    assert Response.objects.get().language == "en"


def test_headers_forbid_caching_and_indexing(client, csat):
    invitation = _invite(csat)
    for url in [_url(invitation), "/s/unknown-token/", reverse("respond:opt_out", args=["x"])]:
        response = client.get(url)
        assert response["Cache-Control"] == "no-store"
        assert response["X-Robots-Tag"] == "noindex"


def test_pages_are_small_and_fetch_nothing_from_elsewhere(client, analyst, ten):
    full = _open(analyst, "full_satisfaction")
    for survey in (full, ten):
        html = client.get(_url(_invite(survey))).content
        assert len(gzip.compress(html)) < 10_000
        assert b"<script" not in html and b"stylesheet" not in html and b"<img" not in html
        assert not re.search(rb'(src|href|action)="(https?:)?//', html)


# Saving page by page -------------------------------------------------------------------------


def test_a_saved_page_is_filled_in_again_and_next_back_move(client, csat):
    # given
    invitation = _invite(csat)
    url = _url(invitation)
    # when page 1 is saved
    saved = _post(client, url, 1, q__overall=2, q__delivery=4)
    # then the respondent goes on to page 2, and page 1 shows the answers again
    assert saved.status_code == 302 and saved.url == f"{url}?page=2&lang=en"
    response = Response.objects.get()
    assert (response.channel, response.customer, response.invitation) == (
        "email",
        invitation.customer,
        invitation,
    )
    html = client.get(url + "?page=1").content.decode()
    assert _checked(html, "q__overall") == ["2"] and _checked(html, "q__delivery") == ["4"]
    # when page 2 is answered and the respondent goes back
    back = _post(client, url, 2, action="back", q__why_low="slow", q__repurchase="4")
    # then page 2 was saved too
    assert back.url == f"{url}?page=1&lang=en"
    html = client.get(url + "?page=2").content.decode()
    assert ">slow</textarea>" in html and _checked(html, "q__repurchase") == ["4"]
    assert "Page 2 of 2" in html
    assert _stored(response)[("why_low", None, "value")] == (None, "slow", [])


def test_missing_required_answer_is_explained_and_nothing_is_stored(client, csat):
    # given
    invitation = _invite(csat)
    # when
    response = _post(client, _url(invitation), 1, q__delivery=5)
    html = response.content.decode()
    # then
    assert response.status_code == 400
    assert '<a href="#q__overall-0">' in html  # the error summary links to the field
    assert '<p class="err" id="q__overall-e">Please answer this question.</p>' in html
    assert 'aria-describedby="q__overall-e"' in html
    assert _checked(html, "q__delivery") == ["5"]  # what was posted is kept in the form
    assert _stored() == {}


@pytest.mark.parametrize(
    ("page", "data", "message"),
    [
        (1, {"q__overall": "0"}, "Choose a value from 1 to 5."),
        (1, {"q__overall": "6"}, "Choose a value from 1 to 5."),
        (1, {"q__overall": "abc"}, "Choose one of the points of the scale."),
        (2, {"q__repurchase": "9"}, "Choose from the options shown."),
        (2, {"q__why_low": "x" * 2001}, "Please keep this answer under 2000 characters"),
    ],
)
def test_wrong_values_are_explained_and_stored_answers_stay(client, csat, page, data, message):
    # given both pages answered
    invitation = _invite(csat)
    url = _url(invitation)
    _post(client, url, 1, q__overall=2, q__delivery=3)
    _post(client, url, 2, q__why_low="late", q__repurchase="4")
    before = _stored()
    # when
    response = _post(client, url, page, **{"q__overall": "2", **data} if page == 1 else data)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("q__overall=2&q__nope=1", "Unknown answer field(s): q__nope."),
        ("q__overall=2&q__overall=3", "Answer field q__overall was sent twice."),
        ("q__overall=2&q__why_low=x", "Unknown answer field(s): q__why_low."),
        ("q__overall=2&page=7", "This page is not part of the survey."),
    ],
)
def test_tampered_forms_are_refused_and_change_nothing(client, csat, data, message):
    # given page 1 saved
    invitation = _invite(csat)
    url = _url(invitation)
    _post(client, url, 1, q__overall=4, q__delivery=3)
    before = _stored()
    # when
    body = "lang=en&action=next&" + (data if "page=" in data else "page=1&" + data)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored() == before


def test_a_tampered_first_page_stores_no_response_at_all(client, csat):
    invitation = _invite(csat)
    response = _post(client, _url(invitation), 1, q__overall=2, q__nope=1)
    assert response.status_code == 400
    assert not Response.objects.exists()


# Skip logic and submitting ------------------------------------------------------------------


def test_follow_up_question_is_shown_only_after_a_low_score(client, csat):
    invitation = _invite(csat)
    url = _url(invitation)
    _post(client, url, 1, q__overall=5)
    assert 'name="q__why_low"' not in client.get(url + "?page=2").content.decode()
    _post(client, url, 1, q__overall=3)
    assert 'name="q__why_low"' in client.get(url + "?page=2").content.decode()


def test_a_page_whose_questions_are_all_hidden_is_skipped(client, analyst):
    # given "why low" alone on page 2, the intent question on page 3
    def move(survey):
        survey.current_version.questions.filter(code="repurchase").update(page=3)

    survey = _open(analyst, "csat_purchase", move)
    invitation = _invite(survey)
    url = _url(invitation)
    # when a high score is given
    after_high = _post(client, url, 1, q__overall=5)
    # then page 2 is skipped both ways, and progress counts the pages shown
    assert after_high.url == f"{url}?page=3&lang=en"
    assert client.get(url + "?page=2").url == f"{url}?page=3&lang=en"
    assert "Page 2 of 2" in client.get(url + "?page=3").content.decode()
    assert _post(client, url, 3, action="back").url == f"{url}?page=1&lang=en"
    # and after a low score it is asked
    assert _post(client, url, 1, q__overall=1).url == f"{url}?page=2&lang=en"


def test_a_condition_on_the_same_page_is_explained_and_applied_on_saving(client, analyst):
    # given "why low" on the same page as the score it depends on
    def move(survey):
        survey.current_version.questions.filter(code="why_low").update(page=1)

    invitation = _invite(_open(analyst, "csat_purchase", move))
    url = _url(invitation)
    html = client.get(url).content.decode()
    assert (
        "Answer only if your answer to “Overall, how satisfied are you with this purchase?” "
        "is 3 or lower." in html
    )
    # when it is answered although the score is high
    _post(client, url, 1, q__overall=5, q__why_low="nothing")
    # then its answer is dropped
    assert ("why_low", None, "value") not in _stored()


def test_submitting_twice_keeps_one_response(client, csat):
    # given
    invitation = _invite(csat)
    url = _url(invitation)
    _post(client, url, 1, q__overall=4)
    # when
    first = _post(client, url, 2, action="submit", q__repurchase="5")
    response = Response.objects.get()
    stored = _stored()
    again = _post(client, url, 2, action="submit", q__repurchase="1")
    # then
    assert first.status_code == 200 and "Thank you!" in first.content.decode()
    assert again.status_code == 200
    assert "You have already answered this survey" in again.content.decode()
    assert Response.objects.count() == 1
    assert Response.objects.get().submitted_at == response.submitted_at
    assert response.status == ResponseStatus.SUBMITTED and _stored() == stored
    assert "already answered" in client.get(url).content.decode()


def test_submitting_with_a_required_answer_missing_goes_back_to_it(client, csat):
    # given page 1 never saved
    invitation = _invite(csat)
    url = _url(invitation)
    # when the respondent submits page 2
    submitted = _post(client, url, 2, action="submit", q__repurchase="5")
    # then they are sent to page 1, told what is missing
    assert submitted.url == f"{url}?page=1&missing=1&lang=en"
    html = client.get(submitted.url).content.decode()
    assert "Some required questions are not answered yet." in html
    assert '<a href="#q__overall-0">' in html
    assert Response.objects.get().status == ResponseStatus.IN_PROGRESS
    assert _stored()[("repurchase", None, "value")] == (None, "", ["5"])


# Public link ---------------------------------------------------------------------------------


def test_public_link_resumes_by_cookie_and_answers_anonymously(client, csat):
    url = reverse("respond:public", args=[csat.public_token])
    # when a visitor opens the link, nothing is stored yet
    assert client.get(url).status_code == 200
    assert not Response.objects.exists()
    # when they save page 1 and come back later
    _post(client, url, 1, q__overall=3)
    assert client.cookies["manyi_resume"]["path"] == url
    html = client.get(url).content.decode()
    # then their answers are there
    assert _checked(html, "q__overall") == ["3"]
    assert "not linked to your name" in html
    # when they submit and come back once more
    assert "Thank you!" in _post(client, url, 2, action="submit").content.decode()
    again = client.get(url)
    repost = _post(client, url, 1, q__overall=1)
    # then
    response = Response.objects.get()
    assert (response.customer, response.channel, response.status) == (None, "link", "submitted")
    assert "already answered" in again.content.decode()
    assert "already answered" in repost.content.decode()
    assert _stored()[("overall", None, "value")][0] == 3


def test_public_link_without_cookie_starts_a_new_response(client, csat):
    url = reverse("respond:public", args=[csat.public_token])
    _post(client, url, 1, q__overall=3)
    client.cookies.clear()
    _post(client, url, 1, q__overall=4)
    assert Response.objects.count() == 2


def test_a_forged_resume_cookie_is_ignored(client, csat):
    url = reverse("respond:public", args=[csat.public_token])
    _post(client, url, 1, q__overall=3)
    key = Response.objects.get().resume_key
    client.cookies.clear()
    client.cookies["manyi_resume"] = key  # unsigned
    assert _checked(client.get(url).content.decode(), "q__overall") == []


def test_public_link_follows_the_browser_language(client, csat, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # what a browser asking for neither language gets
    url = reverse("respond:public", args=[csat.public_token])
    chinese = client.get(url, headers={"accept-language": "fr;q=1, zh-CN;q=0.8, en;q=0.5"})
    english = client.get(url, headers={"accept-language": "en-GB,zh;q=0.5"})
    unknown = client.get(url, headers={"accept-language": "fr"})
    assert "总体而言，您对本次购物的满意程度如何？" in chinese.content.decode()
    assert "Overall, how satisfied" in english.content.decode()
    assert '<html lang="zh-hans">' in unknown.content.decode()


def test_anonymous_survey_does_not_link_invited_answers(client, analyst):
    def anonymous(survey):
        survey.anonymous = True
        survey.save()

    invitation = _invite(_open(analyst, "csat_purchase", anonymous))
    html = client.get(_url(invitation)).content.decode()
    _post(client, _url(invitation), 1, q__overall=5)
    assert "not linked to your name" in html
    assert Response.objects.get().customer is None


# Closed, draft, unknown ----------------------------------------------------------------------


def test_closed_and_expired_surveys_say_so(client, analyst, csat):
    closed = _invite(design.survey_close(survey=_open(analyst, "nps_relationship")))
    csat.closes_at = timezone.now() - dt.timedelta(minutes=1)
    csat.save()
    expired = _invite(csat)
    for invitation in (closed, expired):
        for response in (client.get(_url(invitation)), _post(client, _url(invitation), 1)):
            assert response.status_code == 410
            assert "This survey is closed" in response.content.decode()
    assert not Response.objects.exists()


def test_draft_and_unknown_surveys_are_not_found(client, analyst):
    draft = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    disabled = _open(analyst, "ces_service")
    disabled.public_link_enabled = False
    disabled.save()
    for url in [
        _url(_invite(draft)),
        reverse("respond:public", args=[draft.public_token]),
        reverse("respond:public", args=[disabled.public_token]),
        reverse("respond:invitation", args=["no-such-token"]),
        reverse("respond:public", args=["no-such-token"]),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Survey not found" in response.content.decode()


def test_not_found_page_is_in_the_browsers_language(client, db):
    response = client.get("/s/nope/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in response.content.decode()


# Invitations: opened, opting out -------------------------------------------------------------


def test_opened_is_recorded_on_the_first_visit_only(client, csat):
    invitation = _invite(csat)
    _post(client, _url(invitation), 1, q__overall=4)
    invitation.refresh_from_db()
    assert invitation.opened_at is None  # a POST is not an opening
    client.get(_url(invitation))
    invitation.refresh_from_db()
    first = invitation.opened_at
    client.get(_url(invitation, page=2))
    invitation.refresh_from_db()
    assert first is not None and invitation.opened_at == first


@pytest.mark.parametrize(
    ("channel", "consent"), [("email", "consent_email"), ("sms", "consent_sms")]
)
def test_opting_out_is_confirmed_then_withdraws_consent(client, csat, channel, consent):
    # given
    invitation = _invite(csat, channel=channel)
    url = reverse("respond:opt_out", args=[invitation.token])
    # when the link is opened, nothing changes yet
    shown = client.get(url)
    invitation.customer.refresh_from_db()
    assert shown.status_code == 200 and "Stop receiving surveys?" in shown.content.decode()
    assert getattr(invitation.customer, consent) is True
    # when the respondent confirms
    done = client.post(url, {"lang": "en"})
    # then
    invitation.customer.refresh_from_db()
    invitation.refresh_from_db()
    assert "You will receive no more surveys" in done.content.decode()
    assert getattr(invitation.customer, consent) is False
    assert invitation.opted_out_at is not None


def test_sms_invitation_answers_are_recorded_as_sms(client, csat):
    invitation = _invite(csat, channel="sms")
    _post(client, _url(invitation), 1, q__overall=4)
    assert Response.objects.get().channel == "sms"
