"""The distribution pages: preview and send a selection, follow a sending, set up triggers."""

import pytest
from django.core import mail
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.customers.models import Customer
from manyi.surveys.choices import InvitationStatus
from manyi.surveys.models import Distribution, Invitation, Trigger
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from tests.factories import ContactPointFactory, CustomerFactory, SegmentFactory, TriggerFactory


@pytest.fixture
def draft(analyst):
    return survey_create_from_blueprint(user=analyst, key="csat_purchase")


@pytest.fixture
def survey(draft):
    return survey_open(survey=draft)


@pytest.fixture
def customers(team_east):
    """Five reachable customers in 上海, one in 北京, one without consent in 上海."""
    made = []
    for i in range(6):
        customer = CustomerFactory(
            consent_email=True, region="北京" if i == 5 else "上海", team=team_east
        )
        ContactPointFactory(customer=customer, kind="email", value=f"p{i}@example.com")
        made.append(customer)
    made.append(CustomerFactory(consent_email=False, region="上海"))
    return made


def _post(client, survey, action, **fields):
    data = {"channel": "email", "seed": "7", "action": action, **fields}
    return client.post(reverse("surveys:distribute", args=[survey.pk]), data)


def test_the_form_offers_a_random_seed(client, analyst, survey):
    client.force_login(analyst)
    response = client.get(reverse("surveys:distribute", args=[survey.pk]))
    assert response.status_code == 200
    seed = response.context["form"].initial["seed"]
    assert isinstance(seed, int)
    assert f'value="{seed}"' in response.text


def test_preview_counts_without_creating_anything(client, analyst, survey, customers):
    # given
    client.force_login(analyst)
    # when
    response = _post(client, survey, "preview", region="上海", sample_size="3")
    # then
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.selected, preview.eligible, preview.to_invite) == (6, 5, 3)
    assert dict(preview.excluded)["No consent to be contacted on this channel"] == 1
    assert "Contacted recently (contact-frequency cap)" in response.text
    assert not Distribution.objects.exists() and not Invitation.objects.exists()


def test_preview_shows_the_message_a_customer_would_get(client, analyst, survey, customers):
    # issue 15: the preview said only that nothing was sent yet
    first = min(c.pk for c in customers[:5])
    Customer.objects.filter(pk=first).update(name="<b>Ann</b>", language="en")
    client.force_login(analyst)
    response = _post(client, survey, "preview", region="上海")
    message = response.context["preview"].message
    assert message.language == "en"
    assert message.subject and survey.title_en in message.body
    assert "Dear <b>Ann</b>," in message.body  # the text as sent
    assert "/s/PERSONAL-LINK/" in message.body
    html = response.text
    assert "Dear &lt;b&gt;Ann&lt;/b&gt;," in html, html[html.find("data-message-preview") :][:800]
    assert "data-message-preview" in html
    assert not mail.outbox and not Invitation.objects.exists()
    # and an SMS invitation previews its text
    ContactPointFactory(customer_id=first, kind="phone", value="13800138000")
    Customer.objects.filter(pk=first).update(consent_sms=True)
    sms = _post(client, survey, "preview", region="上海", channel="sms").context["preview"]
    assert sms.message.channel == "sms" and sms.message.subject == ""
    assert "/s/PERSONAL-LINK/" in sms.message.body


def test_send_creates_the_distribution_and_sends(
    client, analyst, survey, customers, django_capture_on_commit_callbacks
):
    # given
    client.force_login(analyst)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, survey, "send", region="上海", sample_percent="60")
    # then
    distribution = Distribution.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("surveys:distribution_detail", args=[distribution.pk])
    assert distribution.filters == {"region": "上海"}
    assert distribution.seed == 7 and distribution.created_by == analyst
    assert distribution.summary["invited"] == 3  # 60 % of 5
    assert len(mail.outbox) == 3
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_the_same_selection_and_seed_sent_to_two_surveys_pick_the_same_customers(
    client, analyst, survey, customers, settings
):
    settings.MANYI_CONTACT_MIN_DAYS = 0
    other = survey_open(survey=survey_create_from_blueprint(user=analyst, key="ces_service"))
    client.force_login(analyst)
    _post(client, survey, "send", sample_size="2")
    _post(client, other, "send", sample_size="2")
    first, second = Distribution.objects.order_by("pk")
    invited = [set(d.invitations.values_list("customer_id", flat=True)) for d in (first, second)]
    assert invited[0] == invited[1] and len(invited[0]) == 2


def test_distribution_detail_lists_the_invitations(client, analyst, survey, customers):
    client.force_login(analyst)
    _post(client, survey, "send", region="北京")
    distribution = Distribution.objects.get()
    response = client.get(reverse("surveys:distribution_detail", args=[distribution.pk]))
    assert response.status_code == 200
    assert customers[5].name in response.text
    # an analyst sees the address masked (privacy)
    assert "p***@example.com" in response.text and "p5@example.com" not in response.text
    assert [i.customer for i in response.context["page"]] == [customers[5]]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sample_size": "3", "sample_percent": "10"}, "not both"),
        ({"sample_percent": "150"}, "less than or equal to 100"),
        ({"seed": "abc"}, "Enter a whole number"),
        ({"segment": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, analyst, survey, customers, fields, message):
    client.force_login(analyst)
    response = _post(client, survey, "send", **fields)
    assert response.status_code == 400
    assert message in response.text
    assert not Distribution.objects.exists()


def test_a_draft_survey_cannot_be_sent(client, analyst, draft, customers):
    client.force_login(analyst)
    page = client.get(reverse("surveys:distribute", args=[draft.pk]))
    response = _post(client, draft, "send")
    assert "This survey is not open" in page.text
    assert response.status_code == 409
    assert "only be sent for an open survey" in response.text
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_viewers_may_not_distribute(client, users_by_role, survey, customers, role):
    client.force_login(users_by_role[role])
    trigger = TriggerFactory(survey=survey)
    urls = [
        reverse("surveys:distribute", args=[survey.pk]),
        reverse("surveys:triggers", args=[survey.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    assert _post(client, survey, "send").status_code == 403
    toggle = client.post(reverse("surveys:trigger_toggle", args=[trigger.pk]))
    assert toggle.status_code == 403
    assert not Distribution.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, survey):
    response = client.get(reverse("surveys:distribute", args=[survey.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_survey_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("surveys:distribute", args=[999999])).status_code == 404


def test_triggers_create_and_toggle(client, analyst, survey):
    # given
    client.force_login(analyst)
    url = reverse("surveys:triggers", args=[survey.pk])
    # when
    created = client.post(
        url, {"event": "interaction_closed", "delay_hours": "48", "channel": "sms"}
    )
    trigger = Trigger.objects.get()
    toggled = client.post(reverse("surveys:trigger_toggle", args=[trigger.pk]))
    # then
    assert created.status_code == 302 and toggled.status_code == 302
    trigger.refresh_from_db()
    assert (trigger.survey, trigger.event, trigger.delay_hours) == (
        survey,
        "interaction_closed",
        48,
    )
    assert trigger.channel == "sms" and trigger.is_active is False
    page = client.get(url)
    assert "Interaction closed" in page.text and "Switch on" in page.text


def test_trigger_form_errors(client, analyst, survey):
    client.force_login(analyst)
    response = client.post(
        reverse("surveys:triggers", args=[survey.pk]),
        {"event": "moon_landing", "delay_hours": "-1", "channel": "email"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Trigger.objects.exists()


def test_toggle_needs_post(client, analyst, survey):
    client.force_login(analyst)
    trigger = TriggerFactory(survey=survey)
    assert client.get(reverse("surveys:trigger_toggle", args=[trigger.pk])).status_code == 405
    trigger.refresh_from_db()
    assert trigger.is_active


def test_distribution_detail_describes_the_selection_by_name(client, analyst, survey, customers):
    # given
    gold = SegmentFactory(name="Gold")
    Customer.objects.filter(pk=customers[0].pk).update(segment=gold)
    client.force_login(analyst)
    # when
    _post(client, survey, "send", segment=str(gold.pk), sample_size="1")
    page = client.get(reverse("surveys:distribution_detail", args=[Distribution.objects.get().pk]))
    # then
    assert Distribution.objects.get().filters == {"segment": str(gold.pk)}
    assert "Segment: Gold" in page.text
    assert "at most 1 customer" in page.text
