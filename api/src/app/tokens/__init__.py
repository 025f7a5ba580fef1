"""LWA refresh tokens (encrypted at rest), access tokens and restricted data tokens (never stored)."""
