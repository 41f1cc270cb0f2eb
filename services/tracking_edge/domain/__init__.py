"""The tracking edge's pure rules (no I/O): hit classification (``classify``), HTML and text
link rewriting, merge tags, List-Unsubscribe headers and tracking-domain names."""
