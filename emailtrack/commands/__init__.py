"""Sub-commands of the ``emailtrack`` CLI, one module per group."""
