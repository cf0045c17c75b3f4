"""IAM enforcement in the embedded AWS: requests signed with a role session's credentials are allowed only as
AWS would allow them. ``middleware`` is the WSGI layer in front of moto; the decisions are the pure evaluator's
(vend_local.iam). Local-only: never imported by resolvers/ or shipped in the Lambda asset.
"""
