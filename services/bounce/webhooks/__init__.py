"""ESP webhooks: signature verification and payload mapping to outcomes, per provider."""
