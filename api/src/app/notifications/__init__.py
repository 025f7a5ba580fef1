"""SP-API notifications: the application's destinations, per-seller subscriptions and the SQS consumer."""
