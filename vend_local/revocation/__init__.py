"""`vend revoke` and `vend unrevoke`: the records (``records``, pure), the AWS calls (``aws``), where they go
(``target``). Local-only: never imported by resolvers/ or shipped in the Lambda asset.
"""
