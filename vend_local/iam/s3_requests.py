"""S3 request mapping: a REST request -> the IAM action(s), resource ARN(s) and s3:* condition keys AWS
evaluates for it. Pure, no I/O.

Sources: the Service Authorization Reference for Amazon S3 (actions, resources, condition keys) and the S3 API
reference's "Permissions" section of each operation. What an operation needs beyond its own action is asked
as a separate ``Request``, as S3 does: PutObject with an ACL header also needs s3:PutObjectAcl, with
x-amz-tagging also s3:PutObjectTagging; CopyObject needs s3:GetObject on the source.

Anything not in the tables below -- an unknown sub-resource or query parameter, a POST form upload -- is
``NotModelled``: the enforcement denies it and names it. A request is header-signed (s3:authType REST-HEADER)
or, given ``presigned``, a presigned URL whose authentication parameters the caller has already removed
(s3:authType REST-QUERY-STRING, and s3:signatureAge, the milliseconds since it was signed).
"""

from __future__ import annotations

# expat refuses external entities and (2.4.1+) entity bombs; S3's DeleteObjects body is small XML.
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, unquote

from vend_local.iam.http_request import HttpRequest, Mapped, NotModelled, Operation, absent
from vend_local.iam.model import Request

# Query parameters that select the operation (S3's "sub-resources"), and those that only shape it.
SUBRESOURCES: Final = frozenset(
    {
        "acl",
        "cors",
        "delete",
        "list-type",
        "location",
        "partNumber",
        "policy",
        "tagging",
        "uploadId",
        "uploads",
        "versioning",
        "versions",
    }
)
PLAIN_PARAMS: Final = frozenset(
    {
        "continuation-token",
        "delimiter",
        "encoding-type",
        "fetch-owner",
        "key-marker",
        "marker",
        "max-keys",
        "max-parts",
        "max-uploads",
        "part-number-marker",
        "prefix",
        "start-after",
        "upload-id-marker",
        "version-id-marker",
        "versionId",
        "x-id",  # the AWS SDK for JavaScript v3 names the operation in the query ("x-id=PutObject")
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
    }
)
# Condition keys backed by a request header: the header's value when present, known absent otherwise.
HEADER_KEYS: Final = {
    "s3:x-amz-acl": "x-amz-acl",
    "s3:x-amz-content-sha256": "x-amz-content-sha256",
    "s3:x-amz-copy-source": "x-amz-copy-source",
    "s3:x-amz-grant-full-control": "x-amz-grant-full-control",
    "s3:x-amz-grant-read": "x-amz-grant-read",
    "s3:x-amz-grant-read-acp": "x-amz-grant-read-acp",
    "s3:x-amz-grant-write": "x-amz-grant-write",
    "s3:x-amz-grant-write-acp": "x-amz-grant-write-acp",
    "s3:x-amz-metadata-directive": "x-amz-metadata-directive",
    "s3:x-amz-server-side-encryption": "x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm": "x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class": "x-amz-storage-class",
    "s3:x-amz-website-redirect-location": "x-amz-website-redirect-location",
    "s3:object-lock-mode": "x-amz-object-lock-mode",
    "s3:object-lock-retain-until-date": "x-amz-object-lock-retain-until-date",
    "s3:object-lock-legal-hold": "x-amz-object-lock-legal-hold",
}
# List operations' keys, from their query parameters.
LIST_KEYS: Final = {"s3:prefix": "prefix", "s3:delimiter": "delimiter", "s3:max-keys": "max-keys"}
# Never present here: no access points. (s3:TlsVersion is present when the request came over TLS.)
ALWAYS_ABSENT: Final = absent(
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
    "s3:AccessPointNetworkOrigin",
)
ACL_HEADERS: Final = (
    "x-amz-acl",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
)

Table = Mapping[tuple[str, frozenset[str]], tuple[str, str]]
# (method, sub-resources) -> (operation, action) for the bucket itself. DeleteObjects and PUT/POST with extra
# permissions are handled in code below.
BUCKET_TABLE: Final[Table] = {
    ("GET", frozenset()): ("ListObjects", "s3:ListBucket"),
    ("HEAD", frozenset()): ("HeadBucket", "s3:ListBucket"),
    ("PUT", frozenset()): ("CreateBucket", "s3:CreateBucket"),
    ("DELETE", frozenset()): ("DeleteBucket", "s3:DeleteBucket"),
    ("GET", frozenset({"location"})): ("GetBucketLocation", "s3:GetBucketLocation"),
    ("GET", frozenset({"versions"})): ("ListObjectVersions", "s3:ListBucketVersions"),
    ("GET", frozenset({"uploads"})): ("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
    ("GET", frozenset({"cors"})): ("GetBucketCors", "s3:GetBucketCORS"),
    ("PUT", frozenset({"cors"})): ("PutBucketCors", "s3:PutBucketCORS"),
    ("DELETE", frozenset({"cors"})): ("DeleteBucketCors", "s3:PutBucketCORS"),
    ("GET", frozenset({"policy"})): ("GetBucketPolicy", "s3:GetBucketPolicy"),
    ("PUT", frozenset({"policy"})): ("PutBucketPolicy", "s3:PutBucketPolicy"),
    ("DELETE", frozenset({"policy"})): ("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
    ("GET", frozenset({"tagging"})): ("GetBucketTagging", "s3:GetBucketTagging"),
    ("PUT", frozenset({"tagging"})): ("PutBucketTagging", "s3:PutBucketTagging"),
    ("DELETE", frozenset({"tagging"})): ("DeleteBucketTagging", "s3:PutBucketTagging"),
    ("GET", frozenset({"versioning"})): ("GetBucketVersioning", "s3:GetBucketVersioning"),
    ("PUT", frozenset({"versioning"})): ("PutBucketVersioning", "s3:PutBucketVersioning"),
    ("GET", frozenset({"acl"})): ("GetBucketAcl", "s3:GetBucketAcl"),
    ("PUT", frozenset({"acl"})): ("PutBucketAcl", "s3:PutBucketAcl"),
}
# Object operations; the second action is the one a versionId selects (S3's *Version actions).
OBJECT_TABLE: Final[Mapping[tuple[str, frozenset[str]], tuple[str, str, str]]] = {
    ("GET", frozenset()): ("GetObject", "s3:GetObject", "s3:GetObjectVersion"),
    ("HEAD", frozenset()): ("HeadObject", "s3:GetObject", "s3:GetObjectVersion"),
    ("DELETE", frozenset()): ("DeleteObject", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("GET", frozenset({"uploadId"})): (
        "ListParts",
        "s3:ListMultipartUploadParts",
        "s3:ListMultipartUploadParts",
    ),
    ("POST", frozenset({"uploadId"})): ("CompleteMultipartUpload", "s3:PutObject", "s3:PutObject"),
    ("DELETE", frozenset({"uploadId"})): (
        "AbortMultipartUpload",
        "s3:AbortMultipartUpload",
        "s3:AbortMultipartUpload",
    ),
    ("GET", frozenset({"tagging"})): (
        "GetObjectTagging",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
    ),
    ("PUT", frozenset({"tagging"})): (
        "PutObjectTagging",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
    ),
    ("DELETE", frozenset({"tagging"})): (
        "DeleteObjectTagging",
        "s3:DeleteObjectTagging",
        "s3:DeleteObjectVersionTagging",
    ),
    ("GET", frozenset({"acl"})): ("GetObjectAcl", "s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("PUT", frozenset({"acl"})): ("PutObjectAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
}
# Writes whose headers can ask for more than s3:PutObject (ACL, tags, object lock).
WRITES: Final[Mapping[tuple[str, frozenset[str]], str]] = {
    ("PUT", frozenset()): "PutObject",
    ("POST", frozenset({"uploads"})): "CreateMultipartUpload",
    ("PUT", frozenset({"partNumber", "uploadId"})): "UploadPart",
}


@dataclass(frozen=True, slots=True)
class Presigned:
    """What a presigned URL tells S3's condition keys."""

    signature_age_ms: int


@dataclass(frozen=True, slots=True)
class _Target:
    bucket: str | None
    key: str | None  # None: the bucket itself (or the service, without a bucket)


def map_s3(
    request: HttpRequest,
    *,
    virtual_host_bucket: str | None = None,
    presigned: Presigned | None = None,
    tls_version: str | None = None,
) -> Mapped:
    """The IAM questions S3 asks for ``request``; ``virtual_host_bucket`` when the Host header named it,
    ``presigned`` when it is a presigned URL, ``tls_version`` ("1.3") when it came over TLS."""
    unknown = sorted({k for k, _ in request.query} - SUBRESOURCES - PLAIN_PARAMS)
    if unknown:
        return NotModelled(
            f"S3 {request.method} ?{'&'.join(unknown)}", f"query parameter(s) {', '.join(unknown)}"
        )
    target = _target(request.path, virtual_host_bucket)
    subs = frozenset(k for k, _ in request.query if k in SUBRESOURCES)
    context, missing = _context(request, presigned)
    if tls_version is None:
        missing = missing | {"s3:tlsversion"}
    else:
        context["s3:TlsVersion"] = (tls_version,)
    if target.bucket is None:
        if request.method == "GET" and not subs:
            return Operation("ListBuckets", (Request("s3:ListAllMyBuckets", "*", context, missing),))
        return NotModelled(f"S3 {request.method} /", "a service-level request other than ListBuckets")
    bucket_arn = f"arn:aws:s3:::{target.bucket}"
    if target.key is None:
        return _bucket_operation(request, subs, bucket_arn, context, missing)
    return _object_operation(request, subs, f"{bucket_arn}/{target.key}", context, missing)


def _target(path: str, virtual_host_bucket: str | None) -> _Target:
    if virtual_host_bucket is not None:
        key = path[1:] if path.startswith("/") else path
        return _Target(virtual_host_bucket, key or None)
    bucket, _, key = path.removeprefix("/").partition("/")
    return _Target(bucket or None, key or None)


def _context(
    request: HttpRequest, presigned: Presigned | None
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    context: dict[str, tuple[str, ...]] = {
        "s3:authType": ("REST-HEADER" if presigned is None else "REST-QUERY-STRING",),
        "s3:signatureversion": ("AWS4-HMAC-SHA256",),
    }
    missing: set[str] = set(ALWAYS_ABSENT)
    if presigned is not None:
        # Left out for a header-signed request (neither present nor absent): a policy naming it is NotModelled.
        context["s3:signatureAge"] = (str(presigned.signature_age_ms),)
    for key, header in HEADER_KEYS.items():
        value = request.header(header)
        if value is None:
            missing.add(key.lower())
        else:
            context[key] = (value,)
    version = request.param("versionId")
    if version is None:
        missing.add("s3:versionid")
    else:
        context["s3:versionid"] = (version,)
    tagging = request.header("x-amz-tagging")
    if tagging is None:
        missing.add("s3:requestobjecttagkeys")
    else:
        tags = parse_qsl(tagging, keep_blank_values=True)
        context["s3:RequestObjectTagKeys"] = tuple(k for k, _ in tags)
        for tag_key, tag_value in tags:
            context[f"s3:RequestObjectTag/{tag_key}"] = (tag_value,)
    return context, frozenset(missing)


def _list_context(
    request: HttpRequest, context: dict[str, tuple[str, ...]], missing: frozenset[str]
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    # A parameter sent empty ("prefix=") is present with the value ""; one not sent is absent (IAM's Null).
    listed = dict(context)
    gone = set(missing)
    for key, param in LIST_KEYS.items():
        value = request.param(param)
        if value is None:
            gone.add(key.lower())
        else:
            listed[key] = (value,)
    return listed, frozenset(gone)


def _bucket_operation(
    request: HttpRequest,
    subs: frozenset[str],
    bucket_arn: str,
    context: dict[str, tuple[str, ...]],
    missing: frozenset[str],
) -> Mapped:
    method = request.method
    if method == "POST" and subs == {"delete"}:
        return _delete_objects(request, bucket_arn, context, missing)
    if method == "GET" and subs == {"list-type"}:
        if request.param("list-type") != "2":
            return NotModelled("S3 GET bucket ?list-type", f"list-type={request.param('list-type')!r}")
        listed, gone = _list_context(request, context, missing)
        return Operation("ListObjectsV2", (Request("s3:ListBucket", bucket_arn, listed, gone),))
    entry = BUCKET_TABLE.get((method, subs))
    if entry is None:
        return NotModelled(f"S3 {method} bucket {_describe(subs)}", "no mapping for this bucket operation")
    name, action = entry
    # The list keys are the list parameters as sent; any other bucket request (HeadBucket's s3:ListBucket
    # included) sends none, so they are absent.
    context, missing = _list_context(request, context, missing)
    return Operation(name, (Request(action, bucket_arn, context, missing),))


def _object_operation(
    request: HttpRequest,
    subs: frozenset[str],
    object_arn: str,
    context: dict[str, tuple[str, ...]],
    missing: frozenset[str],
) -> Mapped:
    method = request.method
    versioned = request.param("versionId") is not None
    write = WRITES.get((method, subs))
    if write is not None:
        return _write(request, write, object_arn, context, missing)
    entry = OBJECT_TABLE.get((method, subs))
    if entry is None:
        return NotModelled(f"S3 {method} object {_describe(subs)}", "no mapping for this object operation")
    name, action, version_action = entry
    return Operation(name, (Request(version_action if versioned else action, object_arn, context, missing),))


def _write(
    request: HttpRequest,
    name: str,
    object_arn: str,
    context: dict[str, tuple[str, ...]],
    missing: frozenset[str],
) -> Mapped:
    """PutObject, CreateMultipartUpload, UploadPart (and their Copy forms): s3:PutObject, plus what the headers ask."""
    actions = ["s3:PutObject"]
    if name != "UploadPart":
        if any(request.header(h) is not None for h in ACL_HEADERS):
            actions.append("s3:PutObjectAcl")
        if request.header("x-amz-tagging") is not None:
            actions.append("s3:PutObjectTagging")
        if (
            request.header("x-amz-object-lock-mode") is not None
            or request.header("x-amz-object-lock-retain-until-date") is not None
        ):
            actions.append("s3:PutObjectRetention")
        if request.header("x-amz-object-lock-legal-hold") is not None:
            actions.append("s3:PutObjectLegalHold")
    requests = [Request(action, object_arn, context, missing) for action in actions]
    source = request.header("x-amz-copy-source")
    if source is not None:
        if name == "CreateMultipartUpload":
            return NotModelled("S3 CreateMultipartUpload", "x-amz-copy-source on CreateMultipartUpload")
        copied = _copy_source(source)
        if copied is None:
            return NotModelled(f"S3 {name} (copy)", "an x-amz-copy-source that is not bucket/key")
        source_arn, version = copied
        requests.append(
            Request("s3:GetObjectVersion" if version else "s3:GetObject", source_arn, context, missing)
        )
        name = {"PutObject": "CopyObject", "UploadPart": "UploadPartCopy"}[name]
    return Operation(name, tuple(requests))


def _copy_source(value: str) -> tuple[str, bool] | None:
    """``x-amz-copy-source``: ``[/]bucket/key[?versionId=v]``, URL-encoded."""
    path, _, query = value.partition("?")
    bucket, sep, key = unquote(path).removeprefix("/").partition("/")
    if not bucket or not sep or not key:
        return None
    version = dict(parse_qsl(query)).get("versionId")
    return f"arn:aws:s3:::{bucket}/{key}", version is not None


# S3's DeleteObjects takes at most 1,000 keys a request.
DELETE_OBJECTS_MAX_KEYS: Final = 1000


def _delete_objects(
    request: HttpRequest, bucket_arn: str, context: dict[str, tuple[str, ...]], missing: frozenset[str]
) -> Mapped:
    """DeleteObjects: S3 authorises s3:DeleteObject (or s3:DeleteObjectVersion) for every key in the body."""
    try:
        root = ET.fromstring(request.body)  # noqa: S314 - see the import: no external entities, no bombs
    except ET.ParseError:
        return NotModelled("S3 DeleteObjects", "a body that is not XML")
    requests: list[Request] = []
    objects = [element for element in root if _local(element.tag) == "Object"]
    if len(objects) > DELETE_OBJECTS_MAX_KEYS:
        # S3 refuses the whole request (MalformedXML); judging each key first would only spend CPU.
        return NotModelled("S3 DeleteObjects", f"more than {DELETE_OBJECTS_MAX_KEYS} keys, which S3 refuses")
    for element in objects:
        fields = {_local(child.tag): child.text or "" for child in element}
        if "Key" not in fields:
            return NotModelled("S3 DeleteObjects", "an <Object> without a <Key>")
        action = "s3:DeleteObjectVersion" if "VersionId" in fields else "s3:DeleteObject"
        requests.append(Request(action, f"{bucket_arn}/{fields['Key']}", context, missing))
    if not requests:
        return NotModelled("S3 DeleteObjects", "a body that names no object")
    return Operation("DeleteObjects", tuple(requests))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _describe(subs: Iterable[str]) -> str:
    names = sorted(subs)
    return f"?{'&'.join(names)}" if names else "(no sub-resource)"
