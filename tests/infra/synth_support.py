"""What the infra tests share: the synthesised stack and its test deployment parameters. Reads infra/cdk.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from infra.app import build
from infra.stack import VendStack

ACCOUNT = "123456789012"
REGION = "eu-west-1"
# What `cdk synth` would see: cdk.json's context (our defaults and the CDK feature flags), plus the parameters a
# user passes with -c.
CDK_JSON_CONTEXT: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "infra" / "cdk.json").read_text(encoding="utf-8")
)["context"]
PARAMETERS = {
    "account": ACCOUNT,
    "region": REGION,
    "bucket_name": "example-uploads",
    "table_name": "example-items",
}
CONTEXT: dict[str, Any] = {**CDK_JSON_CONTEXT, **PARAMETERS}


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


def synth_with(root: Path, **overrides: Any) -> Synth:
    """One offline synth (cdk-nag included) with CONTEXT and ``overrides``, under ``root``."""
    app = cdk.App(outdir=str(root / "cdk.out"), context={**CONTEXT, **overrides})
    stack = build(app, root / "lambda")
    # Raises if cdk-nag or a construct validation (IAM sizes) reports a problem.
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / stack.template_file).read_text())
    return Synth(stack=stack, template=template, assembly_dir=Path(assembly.directory))
