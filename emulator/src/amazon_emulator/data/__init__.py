"""Deterministic seeded data: sellers, catalogue, orders with items, buyers and addresses, status
timelines."""
