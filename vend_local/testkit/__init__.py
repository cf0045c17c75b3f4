"""The test kit for teams with their own scope catalog: an enforcing embedded AWS seeded from the catalog, vends
as any user through the real handler, and allow/deny assertions by SDK call or by evaluation. The pytest
fixtures are in vend_local.pytest_plugin (registered through the ``pytest11`` entry point); docs/testing-kit.md
shows how to use them. Local-only: never imported by resolvers/ or shipped in the Lambda asset.
"""

from vend_local.testkit.checks import ScopeChecker, assert_sdk_allows, assert_sdk_denies
from vend_local.testkit.local import LocalUser, LocalVend, Vended, VendRefused
from vend_local.testkit.server import LocalVendServer, ServerFailed

__all__ = [
    "LocalUser",
    "LocalVend",
    "LocalVendServer",
    "ScopeChecker",
    "ServerFailed",
    "VendRefused",
    "Vended",
    "assert_sdk_allows",
    "assert_sdk_denies",
]
