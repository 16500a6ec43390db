"""The data-source connectors: one module per government data source."""
