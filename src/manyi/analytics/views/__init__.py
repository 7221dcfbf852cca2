"""Dashboards: overview, evaluated items, and scores broken down by segment, team, region,
channel or survey."""

from .pages import breakdown, items, overview, segments, teams

__all__ = ["breakdown", "items", "overview", "segments", "teams"]
