"""CDK entry point (``cdk synth``/``cdk deploy`` run it from infra/): reads the catalog, stages the package.

I/O: reads resolvers/catalog.toml and schema.graphql, copies the Lambda package into infra/build/lambda.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The CDK CLI runs `python app.py` inside infra/; the app reads the repository's own resolvers package (the
# catalog and its validation), so the repository root must be importable.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.catalog_source import catalog_source  # noqa: E402
from infra.config import InfraConfigError, load_config  # noqa: E402
from infra.nag import suppress  # noqa: E402
from infra.package import lambda_python, stage_package  # noqa: E402
from infra.stack import RUNTIME, VendStack  # noqa: E402
from resolvers.errors import ConfigError  # noqa: E402


def build(app: cdk.App, package_dir: Path) -> VendStack:
    """The one stack, with cdk-nag's AwsSolutions rules applied; shared by this entry point and the tests."""
    source = catalog_source(app.node.try_get_context, os.environ, REPO_ROOT)
    catalog = source.catalog
    config = load_config(app.node.try_get_context, os.environ, needs=catalog.variables)
    stack = VendStack(
        app,
        f"CredentialVending-{config.stage}",
        config=config,
        catalog=catalog,
        package_dir=stage_package(
            REPO_ROOT, package_dir, catalog=source.catalog_path, python=_bytecode_python()
        ),
        schema_path=source.schema_path,
        resolver_code_path=REPO_ROOT / "resolvers" / "appsync" / "vendResolver.js",
    )
    suppress(stack)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    return stack


def _bytecode_python() -> str | None:
    python = lambda_python(RUNTIME.name)
    if python is None:
        # Still a complete package: Lambda compiles it at each cold start instead (infra/package.py).
        sys.stderr.write(
            f"note: no {RUNTIME.name} interpreter here, so the Lambda package ships without bytecode "
            "(set VEND_LAMBDA_PYTHON to add it)\n"
        )
    return python


def main() -> int:
    app = cdk.App()
    try:
        build(app, REPO_ROOT / "infra" / "build" / "lambda")
    except (InfraConfigError, ConfigError) as exc:
        # One message with every problem, not a traceback: the first synth of a new user lands here.
        sys.stderr.write(f"{exc}\n")
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
