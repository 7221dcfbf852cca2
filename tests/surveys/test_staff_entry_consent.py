"""Staff entry honours phone consent: a phone interview with a customer who has not agreed to
phone contact (or withdrew it) is recorded only with a reason, kept on the response."""

import pytest
from django.urls import reverse

from manyi.surveys.models import Response
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from tests.factories import CustomerFactory

ANSWERS = {"q__overall": "5", "q__delivery": "4", "q__repurchase": "4"}


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))


@pytest.fixture
def withdrawn(team_east):
    # given: a customer who withdrew phone consent (they still take email)
    return CustomerFactory(
        external_id="NOPHONE", team=team_east, consent_phone=False, consent_email=True
    )


def _post(client, survey, **fields):
    data = {"channel": "phone", "language": "en", "customer": "NOPHONE", **ANSWERS, **fields}
    return client.post(reverse("surveys:entry", args=[survey.pk]), data)


def test_a_picked_customer_without_phone_consent_shows_a_warning(client, agent, survey, withdrawn):
    client.force_login(agent)
    url = reverse("surveys:entry", args=[survey.pk])
    page = client.get(url, {"customer_pk": withdrawn.pk})
    assert page.status_code == 200
    assert 'id="phone-consent-warning"' in page.text
    assert 'name="consent_override_reason"' in page.text
    # a customer who consented: no warning
    willing = CustomerFactory(team=withdrawn.team, consent_phone=True, name="Willing")
    assert 'id="phone-consent-warning"' not in client.get(url, {"customer_pk": willing.pk}).text


def test_the_search_marks_customers_without_phone_consent(client, agent, survey, withdrawn):
    CustomerFactory(team=withdrawn.team, consent_phone=True, external_id="PHONEOK")
    client.force_login(agent)
    url = reverse("surveys:entry", args=[survey.pk])
    found = client.get(url, {"find": "NOPHONE"}).text
    assert "no phone consent" in found
    assert "no phone consent" not in client.get(url, {"find": "PHONEOK"}).text


def test_a_phone_interview_without_consent_needs_a_reason(client, agent, survey, withdrawn):
    client.force_login(agent)
    # when: no reason given
    refused = _post(client, survey)
    # then: nothing stored, the answers are kept on the form and the reason is asked for
    assert refused.status_code == 400
    assert not Response.objects.exists()
    assert "has not agreed to be contacted by phone" in refused.text
    assert 'value="5" checked' in refused.text
    # a reason of blanks is no reason
    assert _post(client, survey, consent_override_reason="   ").status_code == 400
    assert not Response.objects.exists()


def test_the_reason_is_stored_with_the_response(client, agent, survey, withdrawn):
    client.force_login(agent)
    reason = "The customer called the hotline and asked to give feedback."
    saved = _post(client, survey, consent_override_reason=f"  {reason} ")
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.customer == withdrawn and response.channel == "phone"
    assert response.consent_override_reason == reason


def test_the_reason_page_in_chinese(client, agent, survey, withdrawn):
    client.force_login(agent)
    client.cookies["django_language"] = "zh-hans"
    page = client.post(
        reverse("surveys:entry", args=[survey.pk]),
        {"channel": "phone", "language": "zh-hans", "customer": "NOPHONE", **ANSWERS},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 400
    assert "电话" in page.text and "has not agreed" not in page.text


@pytest.mark.parametrize(
    ("channel", "consent_phone"), [("face_to_face", False), ("paper", False), ("phone", True)]
)
def test_no_reason_needed_with_consent_or_off_the_phone(
    client, agent, survey, withdrawn, channel, consent_phone
):
    withdrawn.consent_phone = consent_phone
    withdrawn.save()
    client.force_login(agent)
    assert _post(client, survey, channel=channel).status_code == 302
    assert Response.objects.get().consent_override_reason == ""


def test_a_reason_is_not_stored_when_it_was_not_needed(client, agent, survey, withdrawn):
    withdrawn.consent_phone = True
    withdrawn.save()
    client.force_login(agent)
    assert _post(client, survey, consent_override_reason="just because").status_code == 302
    assert Response.objects.get().consent_override_reason == ""


def test_an_anonymous_entry_has_no_reason_field(client, agent, analyst):
    anonymous = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    anonymous.anonymous = True
    anonymous.save()
    survey_open(survey=anonymous)
    client.force_login(agent)
    page = client.get(reverse("surveys:entry", args=[anonymous.pk]))
    assert page.status_code == 200 and "consent_override_reason" not in page.text


def test_the_response_page_shows_the_reason(client, agent, survey, withdrawn):
    client.force_login(agent)
    _post(client, survey, consent_override_reason="Asked by the customer on a callback.")
    page = client.get(reverse("surveys:response_detail", args=[Response.objects.get().pk]))
    assert "Reason for the phone interview without phone consent" in page.text
    assert "Asked by the customer on a callback." in page.text
