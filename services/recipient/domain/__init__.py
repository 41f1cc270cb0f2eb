"""Pure rules of the recipient service (no I/O): address normalisation, delivery-status
transitions, suppression decisions and paging tokens."""
