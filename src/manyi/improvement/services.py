"""Changing an improvement action: saving it, moving it through plan → do → check → act, and
checking whether it worked. Each change of stage goes into the action's history; a change
made from a stale page is refused (`Changed`), never silently written over."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import STAGE_MOVES, Stage, Verdict
from .measure import measure
from .models import Check, Entry, Improvement


class Changed(Exception):
    """The action was changed by someone else since the page was opened."""


class NotAllowed(Exception):
    pass


# Where a check sends the action: it worked → act (make it the standard); no evidence or
# worse → back to plan; too few answers to tell → it stays in check.
AFTER_CHECK = {
    Verdict.WORKED: Stage.ACT,
    Verdict.NO_EVIDENCE: Stage.PLAN,
    Verdict.WORSE: Stage.PLAN,
    Verdict.UNDECIDED: Stage.CHECK,
}


def _bump(improvement: Improvement, version: int | None, **changes) -> None:
    """Write `changes` if the action is still at `version` (None: whatever it is)."""
    rows = Improvement.objects.filter(pk=improvement.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, updated_at=timezone.now(), **changes):
        raise Changed
    improvement.refresh_from_db()


@transaction.atomic
def improvement_save(form, *, user, version: int | None = None) -> Improvement:
    """Create (version None, no pk) or edit an action from its validated form."""
    improvement = form.instance
    if improvement.pk is None:
        improvement.created_by = user
        improvement = form.save()
        Entry.objects.create(
            improvement=improvement, at=timezone.now(), author=user, stage_to=improvement.stage,
            note=_("Action created."),
        )  # fmt: skip
        return improvement
    fields = {
        f.attname: getattr(improvement, f.attname)
        for f in Improvement._meta.concrete_fields
        if f.name in form.changed_data
    }
    _bump(improvement, version, **fields)
    return improvement


@transaction.atomic
def stage_move(improvement: Improvement, to: str, *, user, note: str = "", version=None):
    """Move the action by hand to a stage that may follow its own (see STAGE_MOVES)."""
    current = Improvement.objects.select_for_update().get(pk=improvement.pk)
    if version is not None and current.version != version:
        raise Changed
    if to not in STAGE_MOVES[Stage(current.stage)]:
        raise NotAllowed
    _bump(improvement, None, stage=to)
    Entry.objects.create(
        improvement=improvement, at=timezone.now(), author=user, stage_from=current.stage,
        stage_to=to, note=note,
    )  # fmt: skip


def may_check(improvement: Improvement, today) -> bool:
    """A check is recorded once the after window is over and the action has been done."""
    return improvement.after_window_over(today) and improvement.stage in (Stage.DO, Stage.CHECK)


@transaction.atomic
def check(improvement: Improvement, *, user=None, version=None) -> Check:
    """Measure the metric, keep the numbers and the verdict, and move the action on."""
    current = Improvement.objects.select_for_update().get(pk=improvement.pk)
    if version is not None and current.version != version:
        raise Changed
    if not may_check(current, timezone.localdate()):
        raise NotAllowed
    m = measure(current)
    verdict = Verdict(m.effect.verdict.value)
    stage = AFTER_CHECK[verdict]
    interval = m.effect.interval
    record = Check.objects.create(
        improvement=current,
        checked_at=timezone.now(),
        checked_by=user,
        method=m.method,
        treated_before=m.treated_before.estimate.value,
        treated_after=m.treated_after.estimate.value,
        comparison_before=m.comparison_before.estimate.value if m.comparison_before else None,
        comparison_after=m.comparison_after.estimate.value if m.comparison_after else None,
        treated_before_n=m.treated_before.estimate.n,
        treated_after_n=m.treated_after.estimate.n,
        comparison_before_n=m.comparison_before.estimate.n if m.comparison_before else 0,
        comparison_after_n=m.comparison_after.estimate.n if m.comparison_after else 0,
        estimate=m.effect.estimate,
        low=interval.low if interval else None,
        high=interval.high if interval else None,
        p_value=m.effect.p_value,
        verdict=verdict,
        stage_after=stage,
    )
    _bump(improvement, None, stage=stage)
    Entry.objects.create(
        improvement=current, at=record.checked_at, author=user, stage_from=current.stage,
        stage_to=stage, note=_("Checked: %(verdict)s.") % {"verdict": verdict.label},
    )  # fmt: skip
    return record


def check_due() -> int:
    """The scheduled check: every action being done whose after window is over and that has
    not been checked since, checked once (a periodic task; run twice, it checks nothing
    twice). Returns how many were checked."""
    today = timezone.localdate()
    done = 0
    due = Improvement.objects.filter(
        Q(stage=Stage.DO) | Q(stage=Stage.CHECK, checks__isnull=True), after_until__lt=today
    ).distinct()
    for pk in due.values_list("pk", flat=True):
        try:
            check(Improvement(pk=pk))
        except (Changed, NotAllowed):  # moved by someone meanwhile
            continue
        done += 1
    return done
