"""Test data per domain: each factory adds rows to the caller's session and flushes (never commits),
so it works inside the per-test rollback as well as inside a test's own committed unit of work."""
