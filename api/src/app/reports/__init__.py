"""Reports API: request, poll, download and keep report documents (files live in storage)."""
