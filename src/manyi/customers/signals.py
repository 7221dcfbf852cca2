"""What other apps may react to, without the customers app knowing them."""

from django.dispatch import Signal

# Sent when an interaction is recorded or changed through `services.interaction_save`, or
# a complaint is imported (`imported=True`, in the import chunk's transaction); arguments:
# interaction, created, user, imported.
interaction_saved = Signal()
