"""The JSON API (``/api/v1``) and the gRPC backend it shares with the dashboard."""
