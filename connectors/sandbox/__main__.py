"""``python -m connectors.sandbox``: serve the connector sandbox."""

from connectors.sandbox.server import main

if __name__ == "__main__":
    raise SystemExit(main())
