"""The survey's public link and its QR code (SVG, drawn locally by segno: nothing fetched)."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from .models import Survey


def public_url(survey: Survey) -> str:
    return settings.MANYI_BASE_URL + reverse("respond:public", args=[survey.public_token])


def qr_svg(url: str) -> bytes:
    # Error correction "M" survives a smudged print; scale 4 gives ~150 px for a short link.
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, title=url)
    return buffer.getvalue()
