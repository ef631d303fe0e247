"""Telegram: the Bot API's limits, its updates read into envelopes, and the outbound client."""
