"""Uploaded import files hold personal data: they have no public URL, a name nobody can guess,
and only the import's uploader or an administrator can download them, through a view."""

import importlib
import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from manyi import urls as root_urls
from manyi.accounts.choices import Role
from manyi.core.storage import PrivateStorage
from manyi.customers.choices import ImportKind
from manyi.customers.models import ImportJob
from tests.factories import UserFactory

CSV = "external_id,name,phone\nC1,张三,13800138000\n".encode()


@pytest.fixture
def on_disk(tmp_path, settings, monkeypatch):
    """Uploads on disk as in production, with DEBUG on (when Django would serve MEDIA_URL)."""
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "manyi.core.storage.PrivateStorage",
            "OPTIONS": {"location": private},
        },
    }
    field = ImportJob._meta.get_field("file")
    if hasattr(field, "_storage_callable"):  # the field's storage was evaluated at import
        monkeypatch.setattr(field, "storage", field._storage_callable())
    settings.DEBUG = True
    importlib.reload(root_urls)
    clear_url_caches()
    yield media, private
    settings.DEBUG = False
    importlib.reload(root_urls)
    clear_url_caches()


def upload(client, user):
    client.force_login(user)
    response = client.post(
        reverse("customers:import_list"),
        {"kind": ImportKind.CUSTOMERS, "file": SimpleUploadedFile("customers.csv", CSV)},
    )
    assert response.status_code == 302
    client.logout()
    return ImportJob.objects.get()


def test_an_upload_is_stored_privately_under_an_unguessable_name(client, analyst, on_disk):
    # given
    media, private = on_disk
    # when
    job = upload(client, analyst)
    # then: a random name, outside MEDIA_ROOT, with no URL
    assert re.fullmatch(r"imports/[0-9a-f]{32}\.csv", job.file.name), job.file.name
    assert "customers" not in job.file.name
    assert (private / job.file.name).read_bytes() == CSV
    assert not [p for p in media.rglob("*") if p.is_file()]
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018


def test_no_media_url_serves_an_upload_even_in_debug(client, analyst, admin_user, on_disk):
    job = upload(client, analyst)
    guessed = job.created_at.strftime("imports/%Y/%m/customers.csv")
    for user in (None, analyst, admin_user):
        if user:
            client.force_login(user)
        for name in (job.file.name, guessed):
            url = f"/media/{name}"
            with pytest.raises(Resolver404):
                resolve(url)
            assert client.get(url).status_code == 404, (user, url)


def test_only_the_uploader_and_admins_can_download_the_file(client, analyst, admin_user, on_disk):
    # given
    job = upload(client, analyst)
    url = reverse("customers:import_file", args=[job.pk])
    other_analyst = UserFactory(username="analyst2", role=Role.ANALYST)
    agent = UserFactory(username="agent2", role=Role.AGENT)
    # then: anonymous visitors log in first; others are told it does not exist or is not theirs
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for user, status in ((other_analyst, 404), (agent, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    for user in (analyst, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == CSV
        assert 'filename="customers.csv"' in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"


def test_the_import_page_links_the_file_through_the_view(client, analyst, on_disk):
    job = upload(client, analyst)
    client.force_login(analyst)
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("customers:import_file", args=[job.pk]) in page
    assert job.file.name not in page


def test_private_storage_has_no_url(tmp_path):
    with pytest.raises(ValueError):
        PrivateStorage(location=tmp_path).url("imports/x.csv")
    assert isinstance(PrivateStorage(location=tmp_path), FileSystemStorage)


def test_the_admin_links_the_file_through_the_view(client, analyst, admin_user, on_disk):
    job = upload(client, analyst)
    client.force_login(admin_user)
    page = client.get(reverse("admin:customers_importjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert reverse("customers:import_file", args=[job.pk]) in page.content.decode()
    assert job.file.name not in page.content.decode()
