"""SQLite storage through sqlite-utils: articles, search, users, subscriptions, deliveries."""
