"""The survey builder pages: building a survey, locking, versions, forms and permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.surveys.choices import SurveyStatus
from manyi.surveys.models import Answer, Dimension, Question, Response, Survey
from manyi.surveys.services.design import survey_create, survey_create_from_blueprint, survey_open

ALL = {Role.ADMIN, Role.ANALYST, Role.AGENT, Role.VIEWER}
MANAGERS = {Role.ADMIN, Role.ANALYST}


def question_data(**fields) -> dict:
    data = {
        "type": "csat",
        "code": "q",
        "page": 1,
        "position": 10,
        "text_zh": "您满意吗？",
        "text_en": "Are you satisfied?",
        "help_zh": "",
        "help_en": "",
        "scale_max": 5,
        "measure": "satisfaction",
        "dimension": "",
        "options_text": "",
        "show_if_question": "",
        "show_if_op": "answered",
        "show_if_value": "",
    }
    data.update(fields)
    return data


def _add(client, survey, **fields):
    return client.post(
        reverse("surveys:question_create", args=[survey.pk]), question_data(**fields)
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _answer(version, question, **values):
    now = timezone.now()
    response = Response.objects.create(
        survey=version.survey,
        version=version,
        channel="link",
        language="zh-hans",
        started_at=now,
        last_saved_at=now,
    )
    return Answer.objects.create(response=response, question=question, **values)


@pytest.fixture
def draft(analyst):
    survey = survey_create(user=analyst, title_zh="草稿调查", title_en="Draft survey")
    Question.objects.create(
        version=survey.current_version, code="overall", type="csat", scale_max=5, text_zh="总体"
    )
    Question.objects.create(
        version=survey.current_version, code="why", type="long_text", position=10, text_zh="为什么"
    )
    return survey


def test_an_analyst_builds_a_survey_through_the_pages_then_it_locks(client, analyst):
    client.force_login(analyst)
    dims = {d.code: d for d in Dimension.objects.filter(is_active=True)}

    # a blank survey
    response = client.post(
        reverse("surveys:create"), {"blueprint": "", "title_zh": "门店体验", "title_en": "Store"}
    )
    survey = Survey.objects.get(title_zh="门店体验")
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()

    # four questions
    assert _add(client, survey, code="overall", scale_max=7, required="on").status_code == 302
    options = "web | 网站 | Website\nstore | 门店 | Store\napp | 应用"
    assert (
        _add(client, survey, type="single", code="where", options_text=options).status_code == 302
    )
    matrix = {
        "type": "matrix",
        "code": "items",
        "items": [dims["product_quality"].pk, dims["price"].pk, dims["delivery"].pk],
        f"weight_{dims['product_quality'].pk}": "2",
        f"weight_{dims['price'].pk}": "",
        f"weight_{dims['delivery'].pk}": "0.5",
        f"weight_{dims['brand'].pk}": "9",  # not chosen: ignored
    }
    assert _add(client, survey, page=2, position=10, **matrix).status_code == 302
    skip = {"show_if_question": "overall", "show_if_op": "lte", "show_if_value": "3"}
    assert (
        _add(client, survey, type="long_text", code="why", page=2, position=20, **skip).status_code
        == 302
    )

    version = survey.current_version
    questions = {q.code: q for q in version.questions.all()}
    assert list(questions) == ["overall", "where", "items", "why"]
    assert questions["overall"].scale_max == 7 and questions["overall"].required
    assert questions["where"].options[2] == {"value": "app", "zh": "应用", "en": ""}
    assert questions["where"].scale_max is None
    weights = {i.dimension.code: i.weight for i in questions["items"].items.all()}
    assert weights == {
        "product_quality": Decimal("2"),
        "price": dims["price"].default_weight,
        "delivery": Decimal("0.5"),
    }
    assert questions["why"].show_if == {"question": "overall", "op": "lte", "value": 3}
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Shown only if “overall” is at most 3" in page and "Add question" in page

    # opened
    response = client.post(reverse("surveys:open", args=[survey.pk]), {"confirmed": "yes"})
    survey.refresh_from_db()
    version.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and version.is_locked
    assert "Add question" not in client.get(survey.get_absolute_url()).content.decode()

    # refused: add, delete, move
    response = _add(client, survey, code="late")
    assert response.status_code == 409 and "locked" in response.content.decode()
    why = questions["why"]
    response = client.post(reverse("surveys:question_delete", args=[why.pk]))
    assert response.status_code == 409
    response = client.post(reverse("surveys:question_move", args=[why.pk]), {"direction": "up"})
    assert response.status_code == 409
    assert version.questions.count() == 4
    assert Question.objects.get(pk=why.pk).position == 20

    # refused: a changed type; a typo fix in the wording goes through
    overall = questions["overall"]
    edit = reverse("surveys:question_edit", args=[overall.pk])
    response = client.post(
        edit,
        question_data(type="nps", code="renamed", text_zh="总体满意度？", scale_max=5),
        follow=True,
    )
    assert "Not saved: Type, Code, Scale maximum." in _messages(response)
    overall.refresh_from_db()
    assert (overall.type, overall.code, overall.scale_max) == ("csat", "overall", 7)
    assert overall.required and overall.text_zh == "总体满意度？"


def test_a_locked_question_form_shows_other_fields_disabled(client, analyst, draft):
    survey_open(survey=draft)
    client.force_login(analyst)
    question = draft.current_version.questions.get(code="overall")
    form = client.get(reverse("surveys:question_edit", args=[question.pk])).context["form"]
    assert form.fields["type"].disabled and form.fields["code"].disabled
    assert not form.fields["text_zh"].disabled and not form.fields["options_text"].disabled


def test_on_a_locked_version_option_labels_change_but_values_do_not(client, analyst):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="ces_service"))
    client.force_login(analyst)
    resolved = survey.current_version.questions.get(code="resolved")
    url = reverse("surveys:question_edit", args=[resolved.pk])
    base = question_data(type="single", code="resolved", text_zh=resolved.text_zh)

    renamed = client.post(url, {**base, "options_text": "yes | 已解决 | Yes\nno | 未解决 | No"})
    revalued = client.post(url, {**base, "options_text": "y | 是 | Yes\nno | 否 | No"})

    assert renamed.status_code == 302
    assert revalued.status_code == 400
    assert "keep the values yes, no" in revalued.content.decode()
    resolved.refresh_from_db()
    assert [o["value"] for o in resolved.options] == ["yes", "no"]
    assert resolved.options[0]["zh"] == "已解决"


def test_a_new_version_is_an_editable_copy_and_publishing_keeps_old_answers(client, analyst):
    # given an open survey with an answer on version 1
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))
    old = survey.current_version
    old_overall = old.questions.get(code="overall")
    answer = _answer(old, old_overall, number=2)
    client.force_login(analyst)

    # when a new version is started
    response = client.post(reverse("surveys:version_create", args=[survey.pk]))

    # then it is an editable copy, and new questions go into it
    new = survey.versions.get(number=2)
    assert response["Location"] == reverse("surveys:version_detail", args=[survey.pk, new.pk])
    assert list(new.questions.values_list("code", flat=True)) == list(
        old.questions.values_list("code", flat=True)
    )
    assert _add(client, survey, code="extra", page=2, position=99).status_code == 302
    assert new.questions.filter(code="extra").exists() and not old.questions.filter(code="extra")
    delivery = new.questions.get(code="delivery")
    edit = client.post(
        reverse("surveys:question_edit", args=[delivery.pk]),
        question_data(type="csat", code="delivery", scale_max=10, text_zh="配送？"),
    )
    assert edit.status_code == 302
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Publish version 2" in page

    # when published
    response = client.post(reverse("surveys:version_publish", args=[survey.pk, new.pk]))

    # then
    survey.refresh_from_db()
    assert response.status_code == 302 and survey.current_version == new
    answer.refresh_from_db()
    assert answer.question == old_overall and answer.number == 2
    assert old.questions.get(code="delivery").scale_max == 5
    assert "Start a new version" in client.get(survey.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a | 甲 | A\n | 乙 | B", "Line 2: the value (before the first |) is missing."),
        ("a | 甲 | A\nb | 乙\na | 丙 | C", "Line 3: the value “a” is already used on line 1."),
        ("a | 甲 | A\nb | 乙 | B | extra", "Line 2 has 4 parts"),
        ("a | 甲 | A", "at least two options"),
    ],
)
def test_option_errors_name_the_line(client, analyst, draft, text, message):
    client.force_login(analyst)
    response = _add(client, draft, type="multiple", code="pick", options_text=text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.filter(code="pick").exists()


def test_codes_are_unique_within_a_version(client, analyst, draft):
    client.force_login(analyst)
    response = _add(client, draft, code="overall", position=30)
    assert response.status_code == 400
    assert "already has the code “overall”" in response.content.decode()
    assert draft.current_version.questions.filter(code="overall").count() == 1


def test_skip_logic_must_refer_to_an_earlier_question(client, analyst, draft):
    client.force_login(analyst)
    skip = {"show_if_question": "why", "show_if_op": "answered"}
    response = _add(client, draft, code="first", page=1, position=1, **skip)
    assert response.status_code == 400
    assert "Skip logic can only depend on an earlier question." in response.content.decode()
    assert not Question.objects.filter(code="first").exists()


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        ({"show_if_op": "lte", "show_if_value": "low"}, "whole numbers"),
        ({"show_if_op": "eq", "show_if_value": ""}, "Give the value"),
    ],
)
def test_skip_logic_values_are_checked(client, analyst, draft, skip, message):
    client.force_login(analyst)
    response = _add(client, draft, code="later", position=50, show_if_question="overall", **skip)
    assert response.status_code == 400 and message in response.content.decode()


def test_move_delete_and_dependencies_on_a_draft(client, analyst, draft):
    client.force_login(analyst)
    version = draft.current_version
    overall, why = version.questions.get(code="overall"), version.questions.get(code="why")
    Question.objects.filter(pk=why.pk).update(
        position=20, show_if={"question": "overall", "op": "answered"}
    )

    blocked_move = client.post(
        reverse("surveys:question_move", args=[why.pk]), {"direction": "up"}, follow=True
    )
    blocked_delete = client.post(reverse("surveys:question_delete", args=[overall.pk]), follow=True)

    assert "must stay after it" in _messages(blocked_move)
    assert "cannot be deleted" in _messages(blocked_delete)
    assert list(version.questions.values_list("code", flat=True)) == ["overall", "why"]

    Question.objects.filter(pk=why.pk).update(show_if={})
    client.post(reverse("surveys:question_move", args=[why.pk]), {"direction": "up"})
    assert list(version.questions.values_list("code", flat=True)) == ["why", "overall"]
    client.post(reverse("surveys:question_delete", args=[why.pk]))
    assert list(version.questions.values_list("code", flat=True)) == ["overall"]


def test_create_from_a_template_and_a_blank_survey_needs_a_title(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("surveys:create")).content.decode()
    assert "NPS relationship survey" in page and "Likelihood to recommend" in page

    response = client.post(reverse("surveys:create"), {"blueprint": "nps_relationship"})
    missing_title = client.post(reverse("surveys:create"), {"blueprint": "", "title_zh": " "})

    survey = Survey.objects.get(blueprint="nps_relationship")
    assert response["Location"] == survey.get_absolute_url()
    assert survey.current_version.questions.count() == 3
    assert missing_title.status_code == 400 and Survey.objects.count() == 1


def test_settings_store_the_validity_share_as_a_fraction(client, analyst, draft):
    client.force_login(analyst)
    url = reverse("surveys:edit", args=[draft.pk])
    assert client.get(url).context["form"]["validity_percent"].value() == Decimal("66.67")
    data = {
        "title_zh": "新标题",
        "title_en": "New title",
        "intro_zh": "",
        "intro_en": "",
        "anonymous": "on",
        "public_link_enabled": "on",
        "validity_percent": "75",
        "closes_at": "2999-01-31T18:00",
        "reminder_after_days": "3",
    }

    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "validity_percent": "120"}).status_code == 400

    draft.refresh_from_db()
    assert draft.validity_min_share == Decimal("0.75") and draft.anonymous
    assert draft.closes_at.year == 2999 and timezone.is_aware(draft.closes_at)
    assert draft.reminder_after_days == 3 and draft.title_zh == "新标题"


def test_anonymity_is_fixed_once_answers_exist(client, analyst, draft):
    survey_open(survey=draft)
    _answer(draft.current_version, draft.current_version.questions.first(), number=3)
    client.force_login(analyst)
    url = reverse("surveys:edit", args=[draft.pk])
    data = {"title_zh": "草稿调查", "anonymous": "on", "validity_percent": "66.67"}

    assert client.get(url).context["form"].fields["anonymous"].disabled
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert not draft.anonymous


def test_public_link_and_qr_code_only_when_enabled_and_open(client, viewer, draft):
    client.force_login(viewer)
    survey_open(survey=draft)
    path = reverse("respond:public", args=[draft.public_token])

    shown = client.get(draft.get_absolute_url()).content.decode()
    qr = client.get(reverse("surveys:qr", args=[draft.pk]))
    Survey.objects.filter(pk=draft.pk).update(public_link_enabled=False)
    hidden = client.get(draft.get_absolute_url()).content.decode()

    assert path in shown and reverse("surveys:qr", args=[draft.pk]) in shown
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert "<svg" in qr.content.decode()
    assert path not in hidden and "public link is turned off" in hidden
    assert client.get(reverse("surveys:qr", args=[draft.pk])).status_code == 404


def test_preview_shows_the_questions_in_either_language(client, viewer):
    survey = survey_create_from_blueprint(user=viewer, key="full_satisfaction")
    client.force_login(viewer)
    url = reverse("surveys:preview", args=[survey.pk])

    chinese = client.get(url, {"lang": "zh"}).content.decode()
    english = client.get(url, {"lang": "en"}).content.decode()

    assert "客户满意度调查" in chinese and "产品质量" in chinese and "您对我们" in chinese
    assert "Customer satisfaction survey" in english and "Very satisfied" in english
    assert "Expected" in english and "<form" not in english.split('id="main"')[1]


def test_dimensions_can_be_added_and_edited(client, analyst, viewer):
    client.force_login(analyst)
    data = {"code": "packaging", "name_zh": "包装", "name_en": "Packaging", "description": ""}
    data.update(default_weight="1.5", position="90", is_active="on")

    created = client.post(reverse("surveys:dimension_create"), data)
    duplicate = client.post(reverse("surveys:dimension_create"), data)
    item = Dimension.objects.get(code="packaging")
    edited = client.post(
        reverse("surveys:dimension_edit", args=[item.pk]),
        {**data, "code": "renamed", "name_zh": "外包装", "default_weight": "2"},
    )

    assert created.status_code == 302 and duplicate.status_code == 400 and edited.status_code == 302
    item.refresh_from_db()
    assert (item.code, item.name_zh, item.default_weight) == ("packaging", "外包装", Decimal("2"))
    client.force_login(viewer)
    listing = client.get(reverse("surveys:dimensions")).content.decode()
    assert "外包装" in listing and "Packaging" in listing
    assert reverse("surveys:dimension_edit", args=[item.pk]) not in listing


# ----- every role against every route ------------------------------------------------------


@pytest.fixture
def objects(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    question = survey.current_version.questions.first()
    return {
        "survey": survey,
        "question": question,
        "version": survey.current_version,
        "dimension": Dimension.objects.first(),
    }


def _args(kind, objects):
    if kind == "version":
        return [objects["survey"].pk, objects["version"].pk]
    return [objects[kind].pk] if kind else []


PAGES = [
    ("surveys:list", None, ALL),
    ("surveys:create", None, MANAGERS),
    ("surveys:detail", "survey", ALL),
    ("surveys:edit", "survey", MANAGERS),
    ("surveys:preview", "survey", ALL),
    ("surveys:open", "survey", MANAGERS),
    ("surveys:waves", "survey", ALL),
    ("surveys:qr", "survey", ALL),
    ("surveys:question_create", "survey", MANAGERS),
    ("surveys:question_edit", "question", MANAGERS),
    ("surveys:version_detail", "version", ALL),
    ("surveys:dimensions", None, ALL),
    ("surveys:dimension_create", None, MANAGERS),
    ("surveys:dimension_edit", "dimension", MANAGERS),
]
POSTS = [
    ("surveys:open", "survey"),
    ("surveys:close", "survey"),
    ("surveys:question_delete", "question"),
    ("surveys:question_move", "question"),
    ("surveys:version_create", "survey"),
    ("surveys:version_publish", "version"),
    ("surveys:create", None),
    ("surveys:edit", "survey"),
    ("surveys:question_create", "survey"),
    ("surveys:question_edit", "question"),
    ("surveys:dimension_create", None),
    ("surveys:dimension_edit", "dimension"),
]


@pytest.mark.parametrize(("name", "kind", "allowed"), PAGES)
def test_each_page_as_each_role(client, users_by_role, objects, name, kind, allowed):
    url = reverse(name, args=_args(kind, objects))
    for role, user in users_by_role.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (role, url, status)


@pytest.mark.parametrize(("name", "kind", "allowed"), PAGES)
def test_anonymous_is_sent_to_login(client, objects, name, kind, allowed):
    response = client.get(reverse(name, args=_args(kind, objects)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kind"), POSTS)
def test_agents_and_viewers_cannot_change_anything(client, agent, viewer, objects, name, kind):
    url = reverse(name, args=_args(kind, objects))
    before = list(Question.objects.values_list("pk", "position", "text_zh"))
    for user in (agent, viewer):
        client.force_login(user)
        assert client.post(url, {"direction": "up", "title_zh": "x"}).status_code == 403
    client.logout()
    assert client.post(url)["Location"].startswith(reverse("login"))
    assert list(Question.objects.values_list("pk", "position", "text_zh")) == before
    assert Survey.objects.get().status == SurveyStatus.DRAFT


def test_post_only_routes_refuse_get(client, analyst, objects):
    client.force_login(analyst)
    for name, kind in POSTS[2:6]:  # open and close answer GET with a confirmation page
        assert client.get(reverse(name, args=_args(kind, objects))).status_code == 405


def test_unknown_rows_answer_404(client, analyst, objects):
    client.force_login(analyst)
    other = survey_create(user=analyst, title_zh="另一个")
    url = reverse("surveys:version_detail", args=[other.pk, objects["version"].pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("surveys:detail", args=[999999])).status_code == 404
    assert client.get(reverse("surveys:question_edit", args=[999999])).status_code == 404


def test_the_list_shows_status_version_and_numbers(client, agent, objects):
    survey_open(survey=objects["survey"])
    client.force_login(agent)
    page = client.get(reverse("surveys:list")).content.decode()
    assert "How was your purchase?" in page and "Open" in page
    assert reverse("surveys:create") not in page


def test_skip_logic_offers_only_earlier_questions_and_protects_used_codes(client, analyst):
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    client.force_login(analyst)
    version = survey.current_version
    delivery, overall = (
        version.questions.get(code="delivery"),
        version.questions.get(code="overall"),
    )

    form = client.get(reverse("surveys:question_edit", args=[delivery.pk])).context["form"]
    renamed = client.post(
        reverse("surveys:question_edit", args=[overall.pk]),
        question_data(code="overall_v2", text_zh=overall.text_zh, required="on"),
    )

    assert [code for code, _label in form.fields["show_if_question"].choices] == ["", "overall"]
    assert renamed.status_code == 400 and "skip logic uses this code" in renamed.content.decode()
    assert version.questions.filter(code="overall").exists()


def test_changing_a_matrix_into_a_rating_drops_its_items(client, analyst):
    survey = survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    client.force_login(analyst)
    matrix = survey.current_version.questions.get(code="importance")

    response = client.post(
        reverse("surveys:question_edit", args=[matrix.pk]),
        question_data(code="importance", page=2, position=30, scale_max=10, text_zh="重要吗？"),
    )

    matrix.refresh_from_db()
    assert response.status_code == 302
    assert (matrix.type, matrix.scale_max, matrix.items.count()) == ("csat", 10, 0)
