"""spapi-saas: the multi-tenant Amazon seller data platform (API, workers, scheduler)."""
