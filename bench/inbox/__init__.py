"""Inbox benchmark: seed a large PostgreSQL database and time the inbox query and page."""
