"""Pre-aggregated count tables. Every score is a function of how many valid answers took each
value, so dashboards read these small tables instead of millions of answers (the design of
Zulip's analytics app). `counts.fill()` adds what was submitted since the last fill and
records how far it got; `manyi rebuild_counts` recomputes them from scratch."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The cuts every count is kept by; "" / 0 stand for "none" so that the unique key has no NULLs.
CUT_FIELDS = ("segment_id", "region", "team_id", "channel")


class AnswerCount(models.Model):
    """Valid answers of one value, by day, survey, question (code), item, role and cuts."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    question_code = models.CharField(_("question"), max_length=50)
    item = models.CharField(_("evaluated item"), max_length=50, default="")
    role = models.CharField(_("role"), max_length=12, default="value")
    value = models.SmallIntegerField(_("value"), default=0)
    option = models.CharField(_("option"), max_length=100, default="")
    segment_id = models.IntegerField(default=0)
    region = models.CharField(max_length=100, default="")
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "survey", "question_code", "item", "role", "value", "option",
                    "segment_id", "region", "team_id", "channel",
                ],
                name="answer_count_key",
            )
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["survey", "question_code", "day"], name="answer_count_question"),
            models.Index(fields=["question_code", "item", "day"], name="answer_count_item"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.question_code}.{self.item or '-'}={self.value}: {self.count}"


class ResponseCount(models.Model):
    """Submitted responses by day, survey, validity and cuts: the n behind rates."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    valid = models.BooleanField(_("valid"))
    segment_id = models.IntegerField(default=0)
    region = models.CharField(max_length=100, default="")
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("response count")
        verbose_name_plural = _("response counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "valid", "segment_id", "region", "team_id", "channel"],
                name="response_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} valid={self.valid}: {self.count}"


class FillState(models.Model):
    """How far the count tables are filled: responses submitted up to `filled_until`."""

    name = models.CharField(max_length=50, unique=True)
    filled_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.filled_until:%Y-%m-%d %H:%M}"
