"""The connector sandbox: every external system over real HTTP, from fixture households.

Start it with ``python -m connectors.sandbox --port 8780`` (also ``housing sandbox``), or from
Python with :func:`start_in_thread`. See :mod:`connectors.sandbox.server` for the admin
endpoints and :mod:`connectors.sandbox.fixtures` for the households.
"""

from connectors.sandbox.server import create_app, main, start_in_thread

__all__ = ["create_app", "main", "start_in_thread"]
