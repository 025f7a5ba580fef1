"""Tenants (a seller, a brand or an agency's client), their feature flags and who may act on them."""
