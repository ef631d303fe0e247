"""The relay: Pub/Sub → Socket.IO for the consoles, and the agents' HTTP API."""
