"""The audit log: who did what to which object (connect, disconnect, PII views, exports, role changes)."""
