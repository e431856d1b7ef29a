"""The Telegram side: python-telegram-bot Application, handlers, alerts and digests."""
