"""Connectors: one module per external system, registered into the operator registry."""
