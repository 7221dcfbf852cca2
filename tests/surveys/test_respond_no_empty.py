"""A public link stores nothing until a page is acceptable: refused first pages leave no empty
response and no resume cookie behind."""

import pytest
from django.urls import reverse

from manyi.surveys.choices import ResponseStatus
from manyi.surveys.models import Invitation, Response
from manyi.surveys.services import design
from tests.factories import CustomerFactory


@pytest.fixture
def csat(analyst):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )


def _post(client, url, page=1, action="next", **answers):
    return client.post(url, {"page": page, "action": action, "lang": "en", **answers})


@pytest.mark.parametrize(
    "answers",
    [
        {},  # the required question left out
        {"q__overall": "9"},  # out of the scale
        {"q__overall": "x"},
    ],
)
@pytest.mark.parametrize("action", ["next", "submit"])
def test_invalid_first_pages_store_nothing_and_set_no_cookie(client, csat, answers, action):
    url = reverse("respond:public", args=[csat.public_token])
    # when: page 1 is posted three times with errors
    for _attempt in range(3):
        response = _post(client, url, action=action, **answers)
        # then: the page comes back with the errors, and nothing is kept
        assert response.status_code == 400
        assert "manyi_resume" not in response.cookies
    assert Response.objects.count() == 0
    assert "manyi_resume" not in client.cookies


def test_a_valid_page_after_invalid_ones_saves_and_resumes(client, csat):
    url = reverse("respond:public", args=[csat.public_token])
    _post(client, url, q__overall="9")
    # when
    saved = _post(client, url, q__overall="4")
    # then
    assert saved.status_code == 302
    assert "manyi_resume" in saved.cookies
    response = Response.objects.get()
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.answers.get().number == 4
    # when: an invalid page afterwards keeps what was saved
    assert _post(client, url, q__overall="9").status_code == 400
    assert Response.objects.get().answers.get().number == 4
    assert 'value="4" id="q__overall-3" checked' in client.get(url).content.decode()


def test_an_invalid_first_page_of_an_invitation_stores_nothing(client, csat):
    customer = CustomerFactory(consent_email=True)
    invitation = Invitation.objects.create(survey=csat, customer=customer, channel="email")
    url = reverse("respond:invitation", args=[invitation.token])
    assert _post(client, url, q__overall="9").status_code == 400
    assert Response.objects.count() == 0
    assert _post(client, url, q__overall="5").status_code == 302
    assert Response.objects.get().invitation == invitation
