"""Sending SMS through a pluggable backend, chosen by MANYI_SMS_BACKEND like Django's email
backends: console (default), locmem (tests), or a provider's adapter.

Every message carries an idempotency key. A sender that crashed after the provider accepted a
message, but before it recorded that, sends again with the same key; the provider must then
answer as it did the first time without delivering again. Provider adapters pass the key on
(most SMS APIs take one, e.g. as an `Idempotency-Key` header or a client reference they
deduplicate on); the console and locmem backends behave the same way."""

from __future__ import annotations

import itertools
import sys
import threading
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
    # A refusal that sending again cannot fix (invalid number, blocked recipient): not retried.
    permanent: bool = False


class BaseSmsBackend(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsResult:
        """Send one message; report failure in the result rather than raising.

        A second call with an idempotency key the provider has accepted before must not deliver
        again: it answers with the first acceptance (same provider id)."""


# The console backend's memory of accepted keys, per process (a real provider keeps it).
_console_accepted: dict[str, SmsResult] = {}
_console_lock = threading.Lock()
_console_ids = itertools.count(1)


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each message to standard output, as Django's console email backend does."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsResult:
        with _console_lock:
            if idempotency_key and idempotency_key in _console_accepted:
                return _console_accepted[idempotency_key]
            result = SmsResult(ok=True, provider_id=f"console-{next(_console_ids)}", delivered=True)
            sys.stdout.write(f"--- SMS to {to} (key {idempotency_key or '-'}) ---\n{text}\n")
            sys.stdout.flush()
            if idempotency_key:
                _console_accepted[idempotency_key] = result
            return result


outbox: list[dict] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in `manyi.core.sms.outbox`, for tests; a key already in the outbox is
    answered with its first acceptance and not added again."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsResult:
        for number, message in enumerate(outbox, start=1):
            if idempotency_key and message["idempotency_key"] == idempotency_key:
                return SmsResult(ok=True, provider_id=str(number), delivered=True)
        outbox.append({"to": to, "text": text, "idempotency_key": idempotency_key})
        return SmsResult(ok=True, provider_id=str(len(outbox)), delivered=True)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.MANYI_SMS_BACKEND)()


def send_sms(*, to: str, text: str, idempotency_key: str) -> SmsResult:
    return get_backend().send(to=to, text=text, idempotency_key=idempotency_key)
