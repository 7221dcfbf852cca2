"""Response quality: whether a response is valid, response and valid rates."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DEFAULT_MIN_SHARE = Decimal("0.6667")  # two thirds, at the four decimals a survey stores


def answered_share(answered: int, shown: int) -> Decimal:
    """Share of shown questions answered, rounded half-up to four decimals (so that exactly
    two thirds, 0.66666..., meets a stored threshold of 0.6667)."""
    if shown <= 0:
        return Decimal(0)
    return (Decimal(answered) / Decimal(shown)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def is_valid_response(answered: int, shown: int, min_share: Decimal = DEFAULT_MIN_SHARE) -> bool:
    """METHODS.md: valid when at least `min_share` (default two thirds) of the questions the
    respondent was shown are answered. A response shown nothing is not valid."""
    if answered < 0 or shown < 0 or answered > shown:
        raise ValueError(f"answered={answered} and shown={shown} are inconsistent")
    return shown > 0 and answered_share(answered, shown) >= Decimal(min_share)


def rate(part: int, whole: int) -> float | None:
    """part / whole as a fraction, or None when there is no whole to divide by."""
    return part / whole if whole else None
