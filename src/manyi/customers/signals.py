"""What other apps may react to, without the customers app knowing them."""

from django.dispatch import Signal

# Sent when an interaction is recorded or changed through `services.interaction_save`,
# inside its transaction; arguments: interaction, created, user.
interaction_saved = Signal()
