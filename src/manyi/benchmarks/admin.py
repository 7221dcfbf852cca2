from django.contrib import admin

from . import models


@admin.register(models.Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.BenchmarkScore)
class BenchmarkScoreAdmin(admin.ModelAdmin):
    list_display = ["competitor", "dimension", "period_start", "period_end", "satisfaction", "n"]
    list_filter = ["competitor", "dimension"]
    list_select_related = ["competitor", "dimension"]
