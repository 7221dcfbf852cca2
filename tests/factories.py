"""factory_boy factories for every model, shared by all test packages."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.accounts.models import Team, User
from manyi.customers import models as cm
from manyi.customers.choices import Channel, ContactKind, Gender, InteractionKind


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Segment
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Segment {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Customer

    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    gender = Gender.FEMALE
    birth_year = 1985
    region = "上海"
    city = "上海"


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ContactPoint

    customer = factory.SubFactory(CustomerFactory)
    kind = ContactKind.PHONE
    value = factory.Sequence(lambda n: f"1380013{n:04d}")
    is_primary = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "Appliances"
    price = Decimal("199.00")


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Purchase

    external_id = factory.Sequence(lambda n: f"O{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    purchased_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    amount = Decimal("199.00")


class PurchaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.PurchaseItem

    purchase = factory.SubFactory(PurchaseFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("199.00")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = InteractionKind.INQUIRY
    channel = Channel.PHONE
    subject = factory.Sequence(lambda n: f"Question {n}")
    content = "When will my order arrive?"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))


# Surveys: make surveys with services.design.survey_create_from_blueprint; these factories
# build what surrounds them.


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation already sent (the frequency cap and reminders read `sent_at`)."""

    class Meta:
        model = "surveys.Invitation"

    customer = factory.SubFactory(CustomerFactory)
    channel = "email"
    address = factory.Sequence(lambda n: f"invitee{n}@example.com")
    language = "zh-hans"
    status = "sent"
    sent_at = factory.LazyFunction(timezone.now)
    delivered_at = factory.SelfAttribute("sent_at")


class TriggerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Trigger"

    event = "purchase_delivered"
    delay_hours = 24
    channel = "email"
