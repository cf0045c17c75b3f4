"""The local IAM evaluator: AWS's documented policy evaluation for a role session, as pure functions.

No boto3, no I/O. `model` holds the shared types and ``evaluate``; the rest of the package parses and judges
policy documents. Local-only: never imported by resolvers/ or shipped in the Lambda asset.
"""
