"""Credential vending resolver: the deployable Lambda package (pure core, one STS adapter, the handler)."""
