"""Hostile names for every name that reaches a chart, and the pages that draw charts: shared
by the browser test of the charts and the test of the chart data and tooltip formatters."""

import datetime as dt

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.benchmarks.models import BenchmarkScore, Competitor
from manyi.surveys.models import Dimension, Invitation
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    PurchaseItemFactory,
    SegmentFactory,
    TeamFactory,
    UserFactory,
)

# Markup runs (the image's onerror opens a dialog) or is shown as the characters typed.
ATTACK = '"><img src=x onerror=alert(1)>'


def hostile(label: str) -> str:
    return f"<b>{label}</b>{ATTACK}"


ITEMS = (
    "product_quality",
    "price",
    "delivery",
    "service_attitude",
    "response_speed",
    "after_sales",
    "channels",
    "brand",
)
SURVEY = hostile("Survey")
NAMES = {
    "segment": hostile("Segment"),
    "team": hostile("Team"),
    "region": hostile("Region"),
    "product": hostile("Product"),
    "staff": hostile("Staff"),
    "survey": SURVEY,
}


def _respond(survey, pages, **start):
    response = response_start(survey=survey, language="en", **start)
    for page, data in pages:
        assert response_save_page(response=response, page=page, data=QueryDict(data)).ok
    assert response_submit(response=response).ok


def _full_answer(price: int) -> list:
    items = "&".join(f"q__items__{code}={price if code == 'price' else 4}" for code in ITEMS)
    gap = "&".join(
        f"q__gap__{code}__expected=5&q__gap__{code}__experienced=4"
        for code in ("product_quality", "delivery")
    )
    return [
        (1, f"q__overall={price}&{items}"),
        (2, f"q__importance__price=5&{gap}"),
        (3, "q__repurchase=4&q__nps=9"),
    ]


def seed_hostile_names(analyst) -> dict:
    """Every name that reaches a chart is hostile; enough answers for every chart to draw."""
    for code in ITEMS:
        Dimension.objects.filter(code=code).update(name_zh=hostile(code), name_en=hostile(code))
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    )
    survey.title_zh = survey.title_en = SURVEY
    survey.save(update_fields=["title_zh", "title_en"])
    staff = UserFactory(username="hostile_staff", role=Role.AGENT, first_name=NAMES["staff"])
    customer = CustomerFactory(
        team=TeamFactory(name=NAMES["team"]),
        segment=SegmentFactory(name=NAMES["segment"]),
        region=NAMES["region"],
    )
    # answers by invitation, about a purchase of the product and a contact the staff handled
    for price in (2, 3, 4, 5):
        purchase = PurchaseItemFactory(
            purchase__customer=customer, product__sku="HOSTILE", product__name=NAMES["product"]
        ).purchase
        invitation = Invitation.objects.create(
            survey=survey,
            customer=customer,
            channel="email",
            language="en",
            purchase=purchase,
            interaction=InteractionFactory(customer=customer, handled_by=staff),
        )
        _respond(survey, _full_answer(price), channel="email", invitation=invitation)
    # and one entered by the staff member from a phone interview
    _respond(survey, _full_answer(4), channel="phone", customer=customer, entered_by=staff)
    today = timezone.localdate()
    BenchmarkScore.objects.create(
        competitor=Competitor.objects.create(name=hostile("Competitor")),
        dimension=Dimension.objects.get(code="price"),
        satisfaction=70,
        period_start=today - dt.timedelta(days=60),
        period_end=today,
    )
    return {"survey": survey}


def dashboards(survey) -> list[tuple[str, dict[str, str | None]]]:
    """Each page with the charts on it, and the names one of which each chart's tooltips must
    show literally (none: the chart shows no stored names, only translated labels)."""
    item = tuple(hostile(code) for code in ITEMS)  # points may hide one another
    pages = [
        (reverse("analytics:overview"), {"trend-percent": (), "trend-nps": ()}),
        (reverse("analytics:items"), {"ranking": item, "quadrant": item, "gaps": item}),
        (reverse("analytics:segments"), {"breakdown": (NAMES["segment"],)}),
        (reverse("analytics:teams"), {"breakdown": (NAMES["team"],)}),
        (reverse("analytics:breakdown", args=["channel"]), {"breakdown": ()}),
    ]
    for by in ("region", "survey", "product", "staff"):
        pages.append((reverse("analytics:breakdown", args=[by]), {"breakdown": (NAMES[by],)}))
    # pages without a chart today, where the same names appear in tables
    pages += [
        (reverse("behaviour:indicators"), {}),
        (reverse("behaviour:loyalty"), {}),
        (reverse("benchmarks:list"), {}),
        (reverse("reports:report", args=[survey.pk]), {}),
    ]
    return pages
