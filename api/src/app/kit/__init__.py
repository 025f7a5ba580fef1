"""Domain-free helpers: logging, errors, embedded servers, Redis, metrics."""
