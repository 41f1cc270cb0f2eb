"""The recipient service's PostgreSQL stores, one module per aggregate (recipients, messages,
suppression, campaigns, mailboxes, privacy, usage) over shared row helpers (``rows``); each
store owns its transactions."""
