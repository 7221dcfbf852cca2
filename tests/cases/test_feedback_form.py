"""The public feedback form: no login, no script; a message becomes a case of the customer
found by e-mail or mobile number (or a new one), with its number to quote."""

import pytest
from django.urls import reverse

from manyi.cases.choices import Source
from manyi.cases.models import Case
from manyi.customers.models import Customer
from tests.factories import ContactPointFactory, CustomerFactory

URL = "/feedback/"


def _send(client, **data):
    form = {"case_type": "complaint", "message": "The parcel came <b>open</b>.\nTwo items lost.",
            "name": "Zhao", "phone": "", "email": "", "reply": "on", "lang": "en"}  # fmt: skip
    form.update(data)
    return client.post(URL, form)


def test_a_message_from_a_known_customer_opens_a_case_on_their_record(client, db):
    known = CustomerFactory(name="赵先生")
    ContactPointFactory(customer=known, kind="phone", value="13800138000")
    assert reverse("feedback:form") == URL
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "<script" not in page.content.decode()
    done = _send(client, phone="+86 138 0013 8000")
    assert done.status_code == 200
    case = Case.objects.get()
    assert case.customer == known and case.source == Source.FEEDBACK_FORM
    assert case.subject == "The parcel came <b>open</b>." and "Two items lost." in case.description
    assert case.number in done.content.decode()
    assert Customer.objects.count() == 1


def test_an_unknown_sender_becomes_a_customer_with_the_contact_consent_given(client, db):
    _send(client, email="New.Person@Example.com", name="New Person")
    customer = Customer.objects.get()
    assert customer.name == "New Person" and customer.consent_email and not customer.consent_sms
    assert customer.contacts.get().value == "new.person@example.com"
    assert Case.objects.get().customer == customer


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Give an e-mail address or a mobile number"),
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"phone": "12"}, "Enter a valid mobile number"),
        ({"email": "a@example.com", "website": "http://spam"}, "could not be sent"),
    ],
)
def test_what_is_refused(client, db, data, error):
    page = _send(client, **data)
    assert page.status_code == 400 and error in page.content.decode()
    assert not Case.objects.exists()


def test_the_case_page_shows_the_message_as_text(client, db, analyst):
    _send(client, email="x@example.com")
    client.force_login(analyst)
    page = client.get(Case.objects.get().get_absolute_url()).content.decode()
    assert "&lt;b&gt;open&lt;/b&gt;" in page and "<b>open</b>" not in page
