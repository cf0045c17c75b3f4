"""Local-only tooling: the AppSync-compatible dev server, the `vend` CLI and schema generation.

Never imported by resolvers/ and never shipped in the Lambda asset. The CDK app imports one pure module from here,
vend_local.iam.ceiling (a vend role's identity policy), so that the catalog tests judge what infra deploys.
"""

from typing import Final

# The project's one version (pyproject reads it; `vend --version` prints it; schema.graphql's header carries it).
__version__: Final = "0.1.0"
