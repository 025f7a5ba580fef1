"""The sync engine: per connection x marketplace x entity state, backfill and delta planning, scheduling."""
