"""Running the whole platform locally: embedded PostgreSQL, the tansu broker and every
component as a child process (``emailtrack up``); also used by the tests."""
