"""The CDK app that deploys the credential vending service (Cognito, AppSync, the resolver Lambda, vend roles)."""
