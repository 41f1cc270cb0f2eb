"""Pure rules of the webhooks service: which events an endpoint wants, the public JSON
payload, the retry schedule and which destination addresses may be reached."""
