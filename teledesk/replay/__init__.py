"""Reprocessing what the pipeline already took in: `python -m teledesk.replay` (docs/replay.md).

Two ways back in, both through Pub/Sub, so a replayed message reaches a step exactly as the
first delivery did: `window` seeks a step's push subscription(s) to a time (module `window`), and
`dead-letters` moves what a step gave up on from its dead-letter hold back to its input topic
(module `dead_letters`). Both lean on the steps being idempotent by message id.
"""
