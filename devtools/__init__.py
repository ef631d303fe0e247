"""What a developer runs and nothing ships: the local runner behind `make run` and the Telegram stand-in."""
