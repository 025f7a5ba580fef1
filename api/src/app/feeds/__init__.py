"""Feeds API: create a feed document, upload it, submit the feed and fetch its processing report."""
