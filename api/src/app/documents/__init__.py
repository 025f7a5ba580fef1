"""The asynchronous-document component: Amazon's create -> poll -> document -> download -> parse
flow with a durable record per request (`amazon_documents`), shared by every dataset."""
