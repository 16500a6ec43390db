"""Job runners and worker entry points."""
