from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    """Plan → do → check → act (PDCA). A check without evidence sends the action back to
    plan; one that shows it worked moves it to act (make the change the standard)."""

    PLAN = "plan", pgettext_lazy("PDCA", "Plan")
    DO = "do", pgettext_lazy("PDCA", "Do")
    CHECK = "check", pgettext_lazy("PDCA", "Check")
    ACT = "act", pgettext_lazy("PDCA", "Act")


# Which stage may follow which, by hand. A recorded check moves an action on its own.
STAGE_MOVES = {
    Stage.PLAN: (Stage.DO,),
    Stage.DO: (Stage.PLAN, Stage.CHECK),
    Stage.CHECK: (Stage.PLAN, Stage.DO, Stage.ACT),
    Stage.ACT: (Stage.PLAN,),
}


class Metric(models.TextChoices):
    CSAT = "csat", _("CSAT (top-2-box %)")
    NPS = "nps", _("NPS")
    ITEM = "item", _("Evaluated item (mean score)")
    COMPLAINT_RATE = "complaint_rate", _("Complaints per 100 customers")


class FindingKind(models.TextChoices):
    ITEM_BELOW_TARGET = "item_below_target", _("An item below target")
    COMPLAINT_CATEGORY = "complaint_category", _("A frequent complaint category")
    LAGGING_GROUP = "lagging_group", _("A region, product or segment that lags")
    OTHER = "other", _("Other")


class Comparison(models.TextChoices):
    NONE = "none", _("None (before and after only)")
    REST = "rest", _("Everyone the action did not touch")
    GROUP = "group", _("One other group")


class Method(models.TextChoices):
    BEFORE_AFTER = "before_after", _("Before and after")
    DID = "did", _("Difference in differences")


class Verdict(models.TextChoices):
    """`metrics.effects.Verdict`, as stored and shown."""

    WORKED = "worked", _("Worked")
    NO_EVIDENCE = "no_evidence", _("No evidence")
    WORSE = "worse", _("Worse")
    UNDECIDED = "undecided", _("Too few answers to tell")
