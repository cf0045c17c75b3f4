"""Local-only tooling: the AppSync-compatible dev server, the `vend` CLI and schema generation.

Never imported by resolvers/ and never shipped in the Lambda asset.
"""
