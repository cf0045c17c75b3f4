"""The local IAM evaluator: AWS's documented policy evaluation for a role session, as pure functions.

No boto3, no I/O. ``model`` holds the shared types and ``evaluate``; ``evaluation`` combines the policy kinds in
AWS's order (``prepare`` once, ``evaluate_prepared`` per request); ``document`` parses and validates policies;
``statement``, ``conditions``, ``patterns``, ``policy_variables`` and ``values`` judge one statement;
``session_context`` and ``closed_world`` build requests; ``ceiling`` is a vend role's identity policy, shared with
the CDK app. docs/local-server.md says what is modelled and what is not. Local-only: never imported by resolvers/
or shipped in the Lambda asset.
"""
