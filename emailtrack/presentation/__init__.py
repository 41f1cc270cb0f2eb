"""Presentation shared by the CLI (``emailtrack.commands``) and the operator side of the
gateway (JSON API, dashboard): protobuf replies as JSON-ready dictionaries, CSV export.
Pure; it sits below both and imports only ``emailtrack.v1``."""
