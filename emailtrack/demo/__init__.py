"""``emailtrack demo``: a realistic small campaign simulated through the real stack."""
