"""STS request mapping: a query-protocol request -> the IAM actions and sts:*/aws:Request* condition keys AWS
evaluates for it. Pure, no I/O.

Sources: the STS API reference (AssumeRole's parameters) and the Service Authorization Reference for AWS STS.
AssumeRole is authorised as sts:AssumeRole on the role, plus sts:TagSession when the call passes session tags
(or transitive tag keys) and sts:SetSourceIdentity when it sets a source identity, each with the same context.
GetCallerIdentity needs no permission at all (and an explicit Deny cannot refuse it). Other STS operations are
``NotModelled``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from vend_local.iam.http_request import HttpRequest, Mapped, NotModelled, Operation, absent
from vend_local.iam.model import Request

_TAG: Final = re.compile(r"Tags\.member\.(\d+)\.(Key|Value)")
_TRANSITIVE: Final = re.compile(r"TransitiveTagKeys\.member\.(\d+)")
_POLICY_ARN: Final = re.compile(r"PolicyArns\.member\.(\d+)\.arn")
# A member index is a list position; far more digits than any list STS takes would also overflow int().
_MAX_INDEX_DIGITS: Final = 9


@dataclass(frozen=True, slots=True)
class AssumeRoleCall:
    """What an AssumeRole request asks for, read from its parameters (the session registry keeps it)."""

    role_arn: str
    role_session_name: str
    tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None
    policy_arns: tuple[str, ...]
    external_id: str | None


def assume_role_call(params: Mapping[str, str]) -> AssumeRoleCall | None:
    """The AssumeRole call in ``params`` (query-protocol form fields), or None when it is not one."""
    if params.get("Action") != "AssumeRole" or "RoleArn" not in params:
        return None
    tags: dict[int, dict[str, str]] = {}
    transitive: dict[int, str] = {}
    policy_arns: dict[int, str] = {}
    for name, value in params.items():
        if match := _TAG.fullmatch(name) or _TRANSITIVE.fullmatch(name) or _POLICY_ARN.fullmatch(name):
            if len(match[1]) > _MAX_INDEX_DIGITS:
                # No list position STS takes; not a call we can read whole, so not one we judge (refused).
                return None
            index = int(match[1])
            if match.re is _TAG:
                tags.setdefault(index, {})[match[2]] = value
            elif match.re is _TRANSITIVE:
                transitive[index] = value
            else:
                policy_arns[index] = value
    return AssumeRoleCall(
        role_arn=params["RoleArn"],
        role_session_name=params.get("RoleSessionName", ""),
        tags=tuple((t.get("Key", ""), t.get("Value", "")) for _, t in sorted(tags.items())),
        transitive_tag_keys=tuple(v for _, v in sorted(transitive.items())),
        source_identity=params.get("SourceIdentity"),
        policy_arns=tuple(v for _, v in sorted(policy_arns.items())),
        external_id=params.get("ExternalId"),
    )


def map_sts(request: HttpRequest) -> Mapped:
    params = request.form()
    action = params.get("Action", "")
    if action == "GetCallerIdentity":
        return Operation("GetCallerIdentity", ())
    call = assume_role_call(params)
    if call is None:
        return NotModelled(f"STS {action or '(no Action)'}", f"no mapping for sts:{action}")
    context: dict[str, tuple[str, ...]] = {"sts:RoleSessionName": (call.role_session_name,)}
    missing: set[str] = set()
    optional = {
        "sts:SourceIdentity": (call.source_identity,) if call.source_identity is not None else None,
        "sts:ExternalId": (call.external_id,) if call.external_id is not None else None,
        "aws:TagKeys": tuple(k for k, _ in call.tags) or None,
        "sts:TransitiveTagKeys": call.transitive_tag_keys or None,
    }
    for key, values in optional.items():
        if values is None:
            missing.add(key)
        else:
            context[key] = values
    for tag_key, tag_value in call.tags:
        context[f"aws:RequestTag/{tag_key}"] = (tag_value,)
    actions = ["sts:AssumeRole"]
    if call.tags or call.transitive_tag_keys:
        actions.append("sts:TagSession")
    if call.source_identity is not None:
        actions.append("sts:SetSourceIdentity")
    known_absent = absent(*missing)
    return Operation("AssumeRole", tuple(Request(a, call.role_arn, context, known_absent) for a in actions))
