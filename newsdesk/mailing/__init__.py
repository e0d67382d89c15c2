"""The mailing list: subscribers, double opt-in, preferences, unsubscribe, suppressions."""
