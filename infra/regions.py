"""The regions this stack can deploy to, and why each other region is refused. Pure data, no I/O.

A region is supported when both hold:
- Powertools publishes its layer there for our runtime and architecture (the public SSM parameter
  ``/aws/service/powertools/python/arm64/python3.13/<version>`` the stack resolves at deploy time). Without it the
  deploy fails with CloudFormation's "Unable to fetch parameters" long after synth said yes. The list is the one
  in Powertools' install docs (layer table, Python 3.13, arm64), which is the same for every Python version.
- every resource type the stack creates (Cognito, AppSync, Lambda, IAM, CloudWatch Logs, WAF) exists there.
  tests/infra/test_regions.py checks this list against cfn-lint's per-region CloudFormation schemas, so a
  region whose schema lacks one of our resource types (or that cfn-lint has no schema for) cannot be listed.

GovCloud and China are other partitions with their own layer accounts and are not supported.
"""

from __future__ import annotations

from typing import Final

# Powertools' arm64 layer regions (its install docs, "Lambda layer" table).
POWERTOOLS_LAYER_REGIONS: Final = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ca-central-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)

# Layer regions we still refuse, each with the reason (tests/infra/test_regions.py keeps these honest).
REFUSED: Final = {
    "mx-central-1": "AWS AppSync is not available there",
    "me-south-1": "no CloudFormation resource schema is published for it to check our resource types against",
}

SUPPORTED_REGIONS: Final = tuple(sorted(POWERTOOLS_LAYER_REGIONS - set(REFUSED)))


def region_problem(region: str) -> str | None:
    """Why ``region`` cannot host the stack, with the list of regions that can; None when it can."""
    if region in SUPPORTED_REGIONS:
        return None
    reason = REFUSED.get(region, "the Powertools layer (or a service the stack uses) is not published there")
    return f"region: {region!r} is not supported ({reason}); supported: {', '.join(SUPPORTED_REGIONS)}"
