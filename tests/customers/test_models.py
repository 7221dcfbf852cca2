import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from manyi.customers.models import ContactPoint, Customer
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    PurchaseFactory,
    PurchaseItemFactory,
)

pytestmark = pytest.mark.django_db


def test_age_follows_the_local_year():
    customer = CustomerFactory(birth_year=timezone.localdate().year - 40)
    assert customer.age == 40
    assert CustomerFactory(birth_year=None).age is None


def test_external_id_is_unique_but_may_be_absent_many_times():
    CustomerFactory(external_id=None)
    CustomerFactory(external_id=None)
    CustomerFactory(external_id="X1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(external_id="X1")
    assert Customer.objects.filter(external_id__isnull=True).count() == 2


@pytest.mark.parametrize("year", [1800, 2500])
def test_database_rejects_implausible_birth_years(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(birth_year=year)


def test_database_rejects_unknown_choice_values():
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(gender="robot")


def test_contact_value_is_unique_per_customer_and_kind():
    contact = ContactPointFactory(value="13800138000")
    ContactPointFactory(value="13800138000")  # another customer may share a phone
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(customer=contact.customer, kind="phone", value="13800138000")


def test_purchase_amount_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseFactory(amount=Decimal("-1"))


def test_line_total_multiplies_price_by_quantity():
    item = PurchaseItemFactory(quantity=3, unit_price=Decimal("19.90"))
    assert item.line_total == Decimal("59.70")


def test_interaction_cannot_close_before_it_happened():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        InteractionFactory(occurred_at=now, closed_at=now - dt.timedelta(minutes=1))


def test_deleting_a_customer_removes_their_records():
    customer = CustomerFactory()
    PurchaseItemFactory(purchase=PurchaseFactory(customer=customer))
    InteractionFactory(customer=customer)
    customer.delete()
    assert not ContactPoint.objects.exists()
    from manyi.customers.models import Interaction, Purchase, PurchaseItem

    assert not Purchase.objects.exists()
    assert not PurchaseItem.objects.exists()
    assert not Interaction.objects.exists()
