"""Demo surveys and their fieldwork: the five templates, opened at the start of the history,
sent in waves or after events to customers who may be contacted, and answered by some of them
(a few more by phone or through the public link), as `answers` says they answer."""

from __future__ import annotations

import base64
import datetime as dt
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from manyi.accounts.models import User
from manyi.customers.models import ContactPoint, Customer, Interaction, Purchase
from manyi.metrics.quality import is_valid_response
from manyi.surveys.choices import (
    InvitationChannel,
    InvitationStatus,
    ResponseChannel,
    ResponseStatus,
    TriggerEvent,
)
from manyi.surveys.models import Answer, Dimension, Invitation, Response, Trigger
from manyi.surveys.services.subject import subject_fill

from . import vocab
from .answers import ANSWERERS, DemoSurvey, Who, shown_and_answered
from .bulk import Table
from .context import Context

DAY = 86400
DAY = 86400
# Share of all demo responses each template gets, and of invitations that are answered.
SHARES = {
    "full_satisfaction": 0.35,
    "csat_purchase": 0.30,
    "nps_relationship": 0.15,
    "ces_service": 0.15,
    "exit": 0.05,
}
ANSWER_RATE = {InvitationChannel.EMAIL: 0.27, InvitationChannel.SMS: 0.36}
SEGMENT_EFFECT = {"regular": 0.0, "high": 0.25, "new": 0.05, "dormant": -0.35, "business": 0.1}
TEAM_EFFECT = {"east": 0.1, "south": 0.0, "north": -0.3, "online": -0.05}


@dataclass
class _People:
    """Per customer (index position): latent satisfaction, language, consents, team key."""

    theta: array
    english: bytearray
    email: bytearray
    sms: bytearray
    team: list[str]


def _people(ctx: Context) -> _People:
    index = ctx.customers
    rng = ctx.rng
    team_keys = [key for key, _name, _lead in vocab.TEAMS]
    segment_keys = [key for key, _name, _description in vocab.SEGMENTS]
    theta, english, email, sms = array("d"), bytearray(), bytearray(), bytearray()
    rows = Customer.objects.order_by("pk").values_list("language", "consent_email", "consent_sms")
    for i, (language, consent_email, consent_sms) in enumerate(rows.iterator(chunk_size=5000)):
        team = team_keys[index.team[i]]
        theta.append(
            rng.gauss(0.25, 0.6)
            + SEGMENT_EFFECT[segment_keys[index.segment[i]]]
            + TEAM_EFFECT[team]
            - 0.8 * index.complained[i]
        )
        english.append(language == "en")
        email.append(consent_email)
        sms.append(consent_sms)
    return _People(theta, english, email, sms, [team_keys[t] for t in index.team])


class _Writer:
    """Buffers invitations, responses and answers, and writes them in batches."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.invitations = Table(
            Invitation,
            ["survey", "customer", "purchase", "interaction", "channel", "token", "language",
             "address", "status", "error", "created_at", "sent_at", "delivered_at", "opened_at",
             "reminded_at"],
        )  # fmt: skip
        self.responses = Table(
            Response,
            ["survey", "version", "invitation", "customer", "channel", "language", "status",
             "resume_key", "entered_by", "started_at", "last_saved_at", "submitted_at",
             "shown_count", "answered_count", "is_valid"],
        )  # fmt: skip
        self.answers = Table(
            Answer, ["response", "question", "dimension", "role", "number", "text", "choices"]
        )
        self.pending: list[tuple[tuple, tuple | None, list[tuple]]] = []
        self.counts = {"invitations": 0, "responses": 0, "answers": 0}

    def add(self, invitation: tuple | None, response: tuple | None, answers: list[tuple]):
        self.pending.append((invitation, response, answers))
        if len(self.pending) >= self.ctx.batch_size:
            self.flush()

    def _new_pks(self, model, after: int) -> list[int]:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [after])
            return [pk for (pk,) in cursor.fetchall()]

    def flush(self) -> None:
        """Insert parents first and read their new ids back in insertion order (ids only grow
        inside this one transaction), then the rows that point at them."""
        if not self.pending:
            return
        before = Invitation.objects.aggregate(m=Max("pk"))["m"] or 0
        self.invitations.insert([inv for inv, _r, _a in self.pending if inv is not None])
        invitation_pks = iter(self._new_pks(Invitation, before))
        responses = []
        for invitation, response, _answers in self.pending:
            pk = next(invitation_pks) if invitation is not None else None
            if response is not None:
                responses.append((*response[:2], pk, *response[3:]))
        before = Response.objects.aggregate(m=Max("pk"))["m"] or 0
        self.responses.insert(responses)
        response_pks = iter(self._new_pks(Response, before))
        answers = []
        for _invitation, response, rows in self.pending:
            if response is not None:
                pk = next(response_pks)
                answers.extend((pk, *row) for row in rows)
        self.answers.insert(answers)
        self.counts["invitations"] += sum(1 for inv, _r, _a in self.pending if inv)
        self.counts["responses"] += len(responses)
        self.counts["answers"] += len(answers)
        self.pending.clear()


def _token(rng) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "big")).decode()


class _Fieldwork:
    """Invites customers to one survey and records who answered and how."""

    def __init__(self, ctx, survey: DemoSurvey, people: _People, writer: _Writer, dims, staff):
        self.ctx, self.s, self.people, self.writer = ctx, survey, people, writer
        self.rng = ctx.rng
        self.dims = dims
        self.staff = staff  # user ids who enter phone interviews
        self.answer = ANSWERERS[survey.survey.blueprint]

    def at(self, t: int) -> dt.datetime:
        return self.ctx.start + dt.timedelta(seconds=t)

    def invite(
        self, ci: int, t: int, addresses: dict[int, tuple[str, str]], about=(None, None), **event
    ) -> None:
        """Invite customer `ci` at `t` (seconds) on a channel they consented to; maybe they
        answer. Customers with no address on any consented channel are passed over."""
        rng, people = self.rng, self.people
        pk = self.ctx.customers.pk[ci]
        email, phone = addresses.get(pk, ("", ""))
        options = [c for c, ok, a in (("email", people.email[ci], email),
                                       ("sms", people.sms[ci], phone)) if ok and a]  # fmt: skip
        if not options:
            return
        channel = options[rng.randrange(len(options))]
        language = "en" if people.english[ci] else "zh-hans"
        delivered = rng.random() < 0.97
        opened = delivered and rng.random() < 0.6
        answers = opened and rng.random() < ANSWER_RATE[channel] / 0.6
        sent = t
        opened_at = sent + rng.randint(60, 2 * DAY) if opened else None
        if opened_at is not None and opened_at >= self.s.horizon:
            opened_at, answers = None, False
        reminded = None if answers else sent + 3 * DAY
        if reminded is not None and reminded >= self.s.horizon:
            reminded = None
        invitation = (
            self.s.survey.pk, pk, *about, channel, _token(rng), language,
            email if channel == "email" else phone,
            InvitationStatus.SENT if delivered else InvitationStatus.FAILED,
            "" if delivered else "550 mailbox unavailable",
            self.at(sent), self.at(sent) if delivered else None,
            self.at(sent + rng.randint(5, 600)) if delivered else None,
            self.at(opened_at) if opened_at is not None else None,
            self.at(reminded) if reminded is not None else None,
        )  # fmt: skip
        response = None
        rows: list[tuple] = []
        if answers:
            response, rows = self.respond(ci, opened_at, channel, language, **event)
        self.writer.add(invitation, response, rows)

    def respond(self, ci, t, channel, language, *, entered_by=None, anonymous=False, **event):
        rng, people = self.rng, self.people
        who = Who(
            theta=people.theta[ci],
            team=people.team[ci],
            english=language == "en",
            t=t,
            thorough=rng.random() > 0.08,
            **event,
        )
        rows = self.answer(self.s, who, self.dims)
        started = self.at(t)
        finished = rng.random() > 0.05  # some never press "submit"
        submitted = self.at(t + rng.randint(60, 900)) if finished else None
        shown, answered = shown_and_answered(self.s, rows)
        valid = is_valid_response(answered, shown) if finished else None
        response = (
            self.s.survey.pk, self.s.version_id, None,
            None if anonymous else self.ctx.customers.pk[ci], channel, language,
            ResponseStatus.SUBMITTED if finished else ResponseStatus.IN_PROGRESS,
            _token(rng), entered_by, started, submitted or started, submitted,
            shown, answered, valid,
        )  # fmt: skip
        return response, rows

    def direct(self, ci: int, t: int) -> None:
        """A response without an invitation: a phone interview or the public link."""
        if self.rng.random() < 0.6:
            entered_by = self.staff[self.rng.randrange(len(self.staff))]
            channel, anonymous = ResponseChannel.PHONE, False
        else:
            entered_by, channel, anonymous = None, ResponseChannel.LINK, True
        language = "en" if self.people.english[ci] else "zh-hans"
        response, rows = self.respond(ci, t, channel, language, entered_by=entered_by,
                                      anonymous=anonymous)  # fmt: skip
        self.writer.add(None, response, rows)


def _addresses(customer_pks) -> dict[int, tuple[str, str]]:
    """Primary email and phone of the given customers."""
    found: dict[int, list[str]] = {}
    pks = sorted(set(customer_pks))
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        contacts = ContactPoint.objects.filter(
            customer_id__in=chunk, kind__in=["email", "phone"], is_primary=True
        ).values_list("customer_id", "kind", "value")
        for pk, kind, value in contacts.order_by("customer_id", "kind"):
            found.setdefault(pk, ["", ""])[0 if kind == "email" else 1] = value
    return {pk: (email, phone) for pk, (email, phone) in found.items()}


NOTHING = (None, None)  # an invitation about no purchase and no interaction


def _position(ctx: Context, customer_pk: int) -> int:
    return bisect_left(ctx.customers.pk, customer_pk)


def _waves(ctx: Context, s: DemoSurvey, invites: int, every_days: int) -> list[tuple]:
    """Relationship surveys go out in waves to customers who had joined by then."""
    rng, joined = ctx.rng, ctx.customers.joined
    waves = list(range(60 * DAY, s.horizon - 10 * DAY, every_days * DAY))
    events = []
    for wave in waves:
        members = bisect_left(joined, wave)
        if not members:
            continue
        chosen = {rng.randrange(members) for _ in range(max(1, invites // len(waves)))}
        events += [(ci, wave + rng.randrange(3 * DAY), {}, NOTHING) for ci in sorted(chosen)]
    return events


def _sampled(rows, share: float, rng) -> list:
    return [row for row in rows if rng.random() < share]


def _after_delivery(ctx: Context, s: DemoSurvey, invites: int) -> list[tuple]:
    purchases = Purchase.objects.filter(delivered_at__isnull=False, returned=False)
    share = min(1.0, invites / max(1, purchases.count()))
    rows = purchases.order_by("pk").values_list("pk", "customer_id", "delivered_at")
    events = []
    for pk, customer_pk, delivered in _sampled(rows.iterator(chunk_size=10000), share, ctx.rng):
        t = int((delivered - ctx.start).total_seconds()) + DAY
        if t < s.horizon:
            events.append((_position(ctx, customer_pk), t, {}, (pk, None)))
    return events


def _after_contact(ctx: Context, s: DemoSurvey, invites: int) -> list[tuple]:
    closed = Interaction.objects.filter(closed_at__isnull=False)
    share = min(1.0, invites / max(1, closed.count()))
    rows = closed.order_by("pk").values_list("pk", "customer_id", "closed_at", "kind", "outcome")
    events = []
    for pk, customer_pk, at, kind, outcome in _sampled(rows.iterator(chunk_size=10000), share,
                                                        ctx.rng):  # fmt: skip
        t = int((at - ctx.start).total_seconds()) + 2 * 3600
        if t < s.horizon:
            event = {"complaint": kind == "complaint", "resolved": outcome == "resolved"}
            events.append((_position(ctx, customer_pk), t, event, (None, pk)))
    return events


def _lost(ctx: Context, s: DemoSurvey, invites: int) -> list[tuple]:
    dormant = [key for key, _n, _d in vocab.SEGMENTS].index("dormant")
    lost = [ci for ci, seg in enumerate(ctx.customers.segment) if seg == dormant]
    rng = ctx.rng
    chosen = sorted({lost[rng.randrange(len(lost))] for _ in range(invites)}) if lost else []
    return [(ci, s.horizon - rng.randrange(270 * DAY) - DAY, {}, NOTHING) for ci in chosen]


def create_surveys(ctx: Context) -> None:
    """The five templates as open surveys, with invitations and answers over the history."""
    total = ctx.sizes.responses
    if not total or not ctx.customers or not len(ctx.customers):
        return
    owner = User.objects.get(username="analyst")
    staff = list(User.objects.filter(role="agent").order_by("pk").values_list("pk", flat=True))
    dims = dict(Dimension.objects.values_list("code", "pk"))
    people = _people(ctx)
    writer = _Writer(ctx)
    for key, share in SHARES.items():
        survey = DemoSurvey(ctx, key, owner)
        work = _Fieldwork(ctx, survey, people, writer, dims, staff)
        target = max(1, round(total * share))
        invites = round(target / 0.3)
        if key == "full_satisfaction":
            events = _waves(ctx, survey, invites, every_days=91)
        elif key == "nps_relationship":
            events = _waves(ctx, survey, invites, every_days=182)
        elif key == "csat_purchase":
            events = _after_delivery(ctx, survey, invites)
        elif key == "ces_service":
            events = _after_contact(ctx, survey, invites)
        else:
            events = _lost(ctx, survey, invites)
        events.sort(key=lambda e: (e[1], e[0]))
        addresses = _addresses(ctx.customers.pk[ci] for ci, _t, _e, _about in events)
        for ci, t, event, about in events:
            work.invite(ci, t, addresses, about, **event)
        if key in ("full_satisfaction", "csat_purchase") and events:
            for _ in range(max(1, target // 12)):
                ci, t, _event, _about = events[ctx.rng.randrange(len(events))]
                work.direct(ci, min(t + ctx.rng.randrange(5 * DAY), survey.horizon - 3600))
        writer.flush()
        # What each response is about, as submitting sets it (bulk rows skip the service).
        subject_fill(Response.objects.filter(survey=survey.survey, status="submitted"))
        if key == "csat_purchase":
            # Asks after every delivery from now on; what is already in the data is not resent.
            Trigger.objects.create(
                survey=survey.survey,
                event=TriggerEvent.PURCHASE_DELIVERED,
                delay_hours=24,
                channel=InvitationChannel.SMS,
                active_since=ctx.end,
            )
    ctx.counts.update(surveys=len(SHARES), **writer.counts)
