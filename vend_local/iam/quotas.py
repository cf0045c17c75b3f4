"""IAM's quotas on policy documents (IAM User Guide, "IAM and AWS STS quotas") and how IAM counts a document
against them: its JSON without white space. Pure, no I/O. One home for the numbers that the vend roles' ceilings,
the revocation deny policy and infra's synth-time size checks all hold documents to.
"""

from __future__ import annotations

import json
from typing import Any, Final

# A role's trust policy: the default quota (a quota request can raise it to 4,096, which we do not assume).
TRUST_POLICY_MAX: Final = 2_048
# A role's inline policies, in total (an AWS::IAM::Policy attached to the role counts as inline).
INLINE_POLICIES_MAX: Final = 10_240
# A managed policy's document, and the versions IAM keeps of it.
MANAGED_POLICY_MAX: Final = 6_144
MAX_POLICY_VERSIONS: Final = 5


def policy_characters(document: Any) -> int:
    """Characters IAM counts toward a document's quota: the JSON without white space."""
    return sum(1 for ch in json.dumps(document, separators=(",", ":")) if not ch.isspace())
