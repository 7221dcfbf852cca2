"""Sending survives `kill -9` of the worker: every invitation reaches the provider exactly once.

Real processes: `manyi worker` subprocesses send SMS invitations through a provider stand-in
that records, in its own SQLite file, every call and every message it accepted (once per
idempotency key, as a real provider with idempotency keys does). The provider takes 20 ms per
message. A worker is killed at the two moments that matter, while the provider holds the call:
  1. before the provider accepted the message (the request was in flight), and
  2. after it accepted it, before the worker recorded that (the answer was in flight).
Then another worker finishes, and each invitation was accepted exactly once."""

import os
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from manyi.core.sms import BaseSmsBackend, SmsResult
from manyi.customers.models import Customer
from manyi.surveys.choices import InvitationStatus
from manyi.surveys.models import Invitation
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.distribution import distribution_create, idempotency_key
from tests.factories import ContactPointFactory
from tests.worker_processes import wait_for

INVITATIONS = 300
LATENCY = 0.010  # seconds each way: the provider answers after 20 ms


class ProviderStandIn(BaseSmsBackend):
    """An SMS provider in a file shared by all processes. `PROVIDER_HOLD=before:K` (or
    `after:K`) makes the call that would accept the (K+1)-th message (or that accepted the K-th)
    hold for good, after writing `held-<pid>`, so that the test can kill the worker there."""

    def __init__(self):
        self.folder = Path(os.environ["PROVIDER_DIR"])
        self.db = sqlite3.connect(self.folder / "provider.sqlite3", timeout=30)
        self.db.isolation_level = None
        moment, _, count = os.environ.get("PROVIDER_HOLD", ":").partition(":")
        self.hold = (moment, int(count)) if count else None

    def _hold_if(self, moment: str) -> None:
        (accepted,) = self.db.execute("SELECT count(*) FROM accepted").fetchone()
        if self.hold == (moment, accepted):
            (self.folder / f"held-{os.getpid()}").touch()
            time.sleep(120)

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsResult:
        time.sleep(LATENCY)
        self._hold_if("before")
        self.db.execute(
            "INSERT INTO calls (key, pid) VALUES (?, ?)", (idempotency_key, os.getpid())
        )
        self.db.execute(
            "INSERT OR IGNORE INTO accepted (key, recipient, text) VALUES (?, ?, ?)",
            (idempotency_key, to, text),
        )
        (rowid,) = self.db.execute(
            "SELECT rowid FROM accepted WHERE key = ?", (idempotency_key,)
        ).fetchone()
        self._hold_if("after")
        time.sleep(LATENCY)
        return SmsResult(ok=True, provider_id=f"msg-{rowid}", delivered=True)


@pytest.fixture
def provider(tmp_path):
    db = sqlite3.connect(tmp_path / "provider.sqlite3")
    db.executescript(
        """
        CREATE TABLE calls (key TEXT NOT NULL, pid INTEGER NOT NULL);
        CREATE TABLE accepted (key TEXT PRIMARY KEY, recipient TEXT NOT NULL, text TEXT NOT NULL);
        PRAGMA journal_mode=WAL;
        """
    )
    yield db
    db.close()


def _accepted(provider) -> int:
    return provider.execute("SELECT count(*) FROM accepted").fetchone()[0]


def _held(tmp_path: Path, process) -> bool:
    return (tmp_path / f"held-{process.pid}").exists()


# serialized_rollback: the test starts from the migrated data (dimensions) and its flush
# leaves no re-created content types behind for the next transactional test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_workers_send_every_invitation_exactly_once(shared_db, provider, tmp_path, analyst):
    # given 300 SMS invitations, and their sending queued as one task
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))
    for n in range(INVITATIONS):
        ContactPointFactory(customer__consent_sms=True, kind="phone", value=f"1390000{n:04d}")
    distribution_create(
        survey=survey,
        user=analyst,
        channel="sms",
        customers=Customer.objects.all(),
        filters={},
        seed=1,
    )
    (task,) = DBTaskResult.objects.all()
    shared_db.share()
    env = {"MANYI_SMS_BACKEND": f"{__name__}.ProviderStandIn", "PROVIDER_DIR": str(tmp_path)}

    def accepted_and_held(process, count):
        return lambda: _held(tmp_path, process) and _accepted(provider) == count

    # when a worker is killed while the provider holds the 101st message, not yet accepted
    first = shared_db.start_worker(name="first", PROVIDER_HOLD="before:100", **env)
    wait_for(accepted_and_held(first, 100), timeout=30, what="100 sent", logs=shared_db.log)
    shared_db.kill(first)
    # and the next one while the provider holds the 200th, accepted but not yet answered
    stale = {"MANYI_SEND_STALE_SECONDS": "1"}
    second = shared_db.start_worker(name="second", PROVIDER_HOLD="after:200", **stale, **env)
    wait_for(
        accepted_and_held(second, 200),
        timeout=30,
        what="200 sent",
        logs=lambda: shared_db.log("second"),
    )
    shared_db.kill(second)
    # and a third worker finishes
    third = shared_db.start_worker(name="third", **stale, **env)
    wait_for(
        lambda: _accepted(provider) == INVITATIONS,
        timeout=30,
        what="all sent",
        logs=lambda: shared_db.log("third"),
    )
    assert shared_db.stop(third) == 0  # a graceful stop lets the running task finish
    shared_db.collect()

    # then the provider accepted each invitation exactly once, none lost
    invitations = list(Invitation.objects.order_by("pk"))
    keys = {idempotency_key(i): i for i in invitations}
    accepted = provider.execute("SELECT key, recipient FROM accepted").fetchall()
    assert len(accepted) == INVITATIONS
    assert {key for key, _to in accepted} == set(keys)
    assert sorted(to for _key, to in accepted) == sorted(i.address for i in invitations)
    # the message held before acceptance was sent once, afresh; the one held after acceptance
    # was asked again under its key and not delivered again
    calls = Counter(key for (key,) in provider.execute("SELECT key FROM calls"))
    twice = [key for key, n in calls.items() if n == 2]
    assert len(twice) == 1 and sorted(calls.values()) == [1] * (INVITATIONS - 1) + [2]
    assert keys[twice[0]] == invitations[199]
    # every invitation is recorded as sent, with the provider's id and the attempts it took
    assert {i.status for i in invitations} == {InvitationStatus.SENT}
    assert all(i.sent_at and i.provider_id.startswith("msg-") for i in invitations)
    retried = {i.pk: i.attempts for i in invitations if i.attempts != 1}
    assert retried == {invitations[100].pk: 2, invitations[199].pk: 2}
    # and the killed task was queued again each time and finished on the third worker
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 3
    assert not DBTaskResult.objects.running().exists()
