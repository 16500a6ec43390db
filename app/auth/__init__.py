"""Authentication (JWT bearer tokens and session cookies) and authorisation helpers."""
