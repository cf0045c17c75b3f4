"""Local-only tooling: the AppSync-compatible dev server, the `vend` CLI and schema generation.

Never imported by resolvers/ and never shipped in the Lambda asset.
"""

from typing import Final

# The project's one version (pyproject reads it; `vend --version` prints it; schema.graphql's header carries it).
__version__: Final = "0.1.0"
