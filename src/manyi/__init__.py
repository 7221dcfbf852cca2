"""manyi (满意): customer-satisfaction tracking."""

__version__ = "0.1.0"
