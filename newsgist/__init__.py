"""newsgist: summarised news from Jekyll mirrors and feeds, delivered through Telegram."""

__version__ = "0.1.0"
