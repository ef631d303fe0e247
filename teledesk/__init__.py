"""teledesk: customer support over Telegram, as an event-driven pipeline on Google Cloud."""
