"""Outgoing e-mail: messages buffered on the unit of work and sent over SMTP after it commits."""
