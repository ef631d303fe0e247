"""The conversation lifecycle (issue 11, docs/lifecycle.md): first-response SLA, auto-resolve, satisfaction."""
