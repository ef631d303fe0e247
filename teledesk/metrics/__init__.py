"""The desk's metrics: what the metrics step counts, where it keeps it, and where it writes it."""
