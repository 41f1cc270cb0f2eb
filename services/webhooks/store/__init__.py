"""PostgreSQL access of the webhooks service: ``endpoints`` (endpoints and their secrets)
and ``deliveries`` (the delivery outbox, the worker's claims and results, the log)."""
