"""``skyasset studio``: a local web page to choose a sky, look around it in 3D, and download its files.

The server is Starlette on uvicorn (plain ``h11``, no extras): both are small, typed and actively kept, they add
five pure-Python packages and import in about 0.2 s, and Starlette's routing and streaming need no template engine
or ORM. The page is static HTML and JavaScript with three.js vendored in the package, so it works offline.
"""

from __future__ import annotations

__all__: list[str] = []  # the server is skyasset.studio.server.serve, imported by `skyasset studio`
