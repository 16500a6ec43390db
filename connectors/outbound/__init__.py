"""The outbound connectors: SMS gateway, publication (公示) platform, allocation (配租) system."""
