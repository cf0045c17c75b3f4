"""What the infra tests share: the synthesised stack and its test deployment parameters. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.stack import VendStack

ACCOUNT = "123456789012"
REGION = "eu-west-1"
CONTEXT = {
    "account": ACCOUNT,
    "region": REGION,
    "bucket_name": "example-uploads",
    "table_name": "example-items",
}


@dataclass(frozen=True)
class Synth:
    stack: VendStack
    template: dict[str, Any]
    assembly_dir: Path

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == kind}

    def one(self, kind: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(kind)
        assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        return str(self.stack.resolve(construct.node.default_child.logical_id))

    def resource(self, construct: Any) -> dict[str, Any]:
        """The template resource of an L2 construct."""
        found: dict[str, Any] = self.template["Resources"][self.logical_id(construct)]
        return found
