"""Headers the tracking edge asks senders to add to each message, so that bounces and
complaints (which quote the original headers) can be tied back to tenant, campaign and message."""

TENANT_HEADER = "X-Emailtrack-Tenant"
CAMPAIGN_HEADER = "X-Emailtrack-Campaign"
MESSAGE_HEADER = "X-Emailtrack-Message"
