"""What other apps may react to, without the surveys app knowing them."""

from django.dispatch import Signal

# Sent once, when a response is submitted (not again for a second submission), inside the
# submission's transaction; argument: response.
response_submitted = Signal()
