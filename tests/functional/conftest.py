"""Fixtures for functional tests: moto with the example vend roles."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests import support


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Fake credentials for the Lambda's own role: moto must never see real ones.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": support.REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        iam = boto3.client("iam", region_name=support.REGION)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{support.ACCOUNT}:role/vend-lambda"},
                    "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                }
            ],
        }
        for arn in support.ROLE_ARNS.values():
            iam.create_role(
                RoleName=arn.rsplit("/", 1)[1],
                AssumeRolePolicyDocument=json.dumps(trust),
                MaxSessionDuration=3600,
            )
        yield
