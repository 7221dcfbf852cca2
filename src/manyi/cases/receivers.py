"""Signal connections of the cases app."""

from manyi.customers.signals import interaction_saved
from manyi.surveys.signals import response_submitted

from .interactions import on_interaction_saved
from .rules import on_response_submitted

response_submitted.connect(on_response_submitted, dispatch_uid="cases_from_survey_answers")
interaction_saved.connect(on_interaction_saved, dispatch_uid="cases_from_complaints")
