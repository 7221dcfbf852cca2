"""Issue 15, item 16: pages are served compressed; static files compressed, hashed and cached
for a year in production; a survey page stays at most 10 KB transferred, with no script."""

import gzip

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from manyi.surveys.models import Invitation
from manyi.surveys.services import design
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _first_page(survey):
    customer = CustomerFactory(consent_email=True)
    invitation = Invitation.objects.create(
        survey=survey, customer=customer, channel="email", language="zh-hans"
    )
    return reverse("respond:invitation", args=[invitation.token])


@pytest.mark.parametrize("key", ["full_satisfaction", "csat_purchase", "nps_relationship"])
def test_the_survey_page_is_sent_compressed_and_small(analyst, key):
    survey = design.survey_open(survey=design.survey_create_from_blueprint(user=analyst, key=key))
    url = _first_page(survey)
    raw = Client().get(url)
    packed = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    # what travels over the wire: the page with all its CSS; no script, nothing else to fetch
    assert len(packed.content) <= 10 * 1024
    assert len(packed.content) < len(raw.content) / 2
    html = gzip.decompress(packed.content).decode()
    assert "<form" in html and "stylesheet" not in html and "<script" not in html


def test_a_client_that_takes_no_compression_gets_the_plain_page(analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    page = Client().get(_first_page(survey))
    assert not page.has_header("Content-Encoding")
    assert b"<form" in page.content


def test_static_files_in_production_are_hashed_compressed_and_cached(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.templatetags.static import static

    url = static("manyi/app.css")
    assert url != "/static/manyi/app.css" and url.endswith(".css")  # a content hash in the name
    assert (tmp_path / url.removeprefix("/static/")).exists()
    assert (tmp_path / (url.removeprefix("/static/") + ".gz")).exists()
    client = Client()
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    body = b"".join(packed.streaming_content)
    assert len(body) < int(plain["Content-Length"]) / 2
    assert "max-age=315360000" in packed["Cache-Control"]
    assert "immutable" in packed["Cache-Control"]
