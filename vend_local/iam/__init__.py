"""The local IAM evaluator: AWS's documented policy evaluation for a role session, as pure functions.

No boto3, no I/O. ``model`` holds the shared types and ``evaluate``; ``evaluation`` combines the policy kinds in
AWS's order (``prepare`` once, ``evaluate_prepared`` per request); ``document`` parses and validates policies;
``statement``, ``conditions``, ``patterns``, ``policy_variables`` and ``values`` judge one statement;
``session_context`` and ``closed_world`` build requests. Shared with the CDK app: ``ceiling`` (a vend role's identity
policy), ``trust`` (its trust policy and session denies) and ``revocation`` (the operator-owned revocation deny and
the operator's own policy). docs/local-server.md says what is modelled and what is not. Local-only: never imported
by resolvers/ or shipped in the Lambda asset.
"""
