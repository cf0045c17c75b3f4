"""Plumbing on moto: an AppSync event becomes working STS credentials for the vend role's session.

moto enforces no session policy, so this proves the wiring only; the policy itself is proven on the pure side
(golden files, property tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3

from resolvers.resolver import build_resolver, dispatch
from resolvers.service import VendService
from resolvers.sts import StsIssuer
from tests import support


@dataclass
class Context:
    aws_request_id: str = "req-moto"


def test_event_to_credentials_to_assumed_role_session(aws: None) -> None:
    telemetry = support.RecordingTelemetry()
    service = VendService(
        catalog=support.catalog(),
        settings=support.settings(),
        issuer=StsIssuer(lambda: boto3.client("sts", region_name=support.REGION)),
        telemetry=telemetry,
    )
    event = support.load_event("cognito_id_token")
    envelope = dispatch(build_resolver(service), event, Context(), telemetry)
    creds = envelope["data"]
    support.ISSUED_SECRETS.update({creds["secretAccessKey"], creds["sessionToken"]})
    assert creds["accessKeyId"].startswith("ASIA")
    assert creds["expiration"].endswith("Z")

    vended = boto3.client(
        "sts",
        region_name=support.REGION,
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds["sessionToken"],
    )
    arn = vended.get_caller_identity()["Arn"]
    assert arn == f"arn:aws:sts::{support.ACCOUNT}:assumed-role/vend-uploads/{support.SUB}.TENANT_FILES"
    (record,) = telemetry.records
    assert (record.decision, record.access_key_id) == ("granted", creds["accessKeyId"])
