"""Orders and order items: sync from SP-API (reports backfill, Orders API deltas) and browsing."""
