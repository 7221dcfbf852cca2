"""Sending SMS through a pluggable backend, chosen by MANYI_SMS_BACKEND like Django's email
backends: console (default), locmem (tests), or a provider's adapter."""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    provider_id: str = ""
    error: str = ""
    delivered: bool = False  # true when the provider confirms delivery synchronously


class BaseSmsBackend(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str) -> SmsResult:
        """Send one message; report failure in the result rather than raising."""


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each message to standard output, as Django's console email backend does."""

    def send(self, *, to: str, text: str) -> SmsResult:
        sys.stdout.write(f"--- SMS to {to} ---\n{text}\n")
        sys.stdout.flush()
        return SmsResult(ok=True, delivered=True)


outbox: list[dict] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in `manyi.core.sms.outbox`, for tests."""

    def send(self, *, to: str, text: str) -> SmsResult:
        outbox.append({"to": to, "text": text})
        return SmsResult(ok=True, provider_id=str(len(outbox)), delivered=True)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.MANYI_SMS_BACKEND)()


def send_sms(*, to: str, text: str) -> SmsResult:
    return get_backend().send(to=to, text=text)
