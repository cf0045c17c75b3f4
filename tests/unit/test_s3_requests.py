"""S3 request mapping, by table: each REST request -> the IAM actions and resources S3 authorises it with
(Service Authorization Reference for Amazon S3; the S3 API reference's "Permissions" of each operation)."""

from __future__ import annotations

from typing import Any

import pytest

from vend_local.iam.http_request import HttpRequest, NotModelled, Operation
from vend_local.iam.model import Request
from vend_local.iam.s3_requests import Presigned, map_s3

BUCKET = "arn:aws:s3:::b"
OBJECT = "arn:aws:s3:::b/users/u1/a.txt"


def req(
    method: str, path: str, query: str = "", headers: dict[str, str] | None = None, body: bytes = b""
) -> HttpRequest:
    pairs = tuple((k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p))
    return HttpRequest(method, path, pairs, {k.lower(): v for k, v in (headers or {}).items()}, body)


def operation(request: HttpRequest, **kwargs: Any) -> Operation:
    mapped = map_s3(request, **kwargs)
    assert isinstance(mapped, Operation), mapped
    return mapped


def asked(request: HttpRequest) -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in operation(request).requests]


@pytest.mark.parametrize(
    ("request_", "name", "questions"),
    [
        (req("GET", "/"), "ListBuckets", [("s3:ListAllMyBuckets", "*")]),
        (req("GET", "/b", "list-type=2&prefix=users/u1/"), "ListObjectsV2", [("s3:ListBucket", BUCKET)]),
        (req("GET", "/b/", "list-type=2&x-id=ListObjectsV2"), "ListObjectsV2", [("s3:ListBucket", BUCKET)]),
        (req("GET", "/b", "prefix=x"), "ListObjects", [("s3:ListBucket", BUCKET)]),
        (req("HEAD", "/b"), "HeadBucket", [("s3:ListBucket", BUCKET)]),
        (req("GET", "/b", "location"), "GetBucketLocation", [("s3:GetBucketLocation", BUCKET)]),
        (req("GET", "/b", "versions"), "ListObjectVersions", [("s3:ListBucketVersions", BUCKET)]),
        (req("GET", "/b", "uploads"), "ListMultipartUploads", [("s3:ListBucketMultipartUploads", BUCKET)]),
        (req("PUT", "/b"), "CreateBucket", [("s3:CreateBucket", BUCKET)]),
        (req("DELETE", "/b"), "DeleteBucket", [("s3:DeleteBucket", BUCKET)]),
        (req("DELETE", "/b", "cors"), "DeleteBucketCors", [("s3:PutBucketCORS", BUCKET)]),
        (req("GET", "/b/users/u1/a.txt"), "GetObject", [("s3:GetObject", OBJECT)]),
        (req("GET", "/b/users/u1/a.txt", "versionId=3"), "GetObject", [("s3:GetObjectVersion", OBJECT)]),
        (req("HEAD", "/b/users/u1/a.txt"), "HeadObject", [("s3:GetObject", OBJECT)]),
        (req("PUT", "/b/users/u1/a.txt", "x-id=PutObject"), "PutObject", [("s3:PutObject", OBJECT)]),
        (req("DELETE", "/b/users/u1/a.txt"), "DeleteObject", [("s3:DeleteObject", OBJECT)]),
        (
            req("DELETE", "/b/users/u1/a.txt", "versionId=3"),
            "DeleteObject",
            [("s3:DeleteObjectVersion", OBJECT)],
        ),
        (req("POST", "/b/users/u1/a.txt", "uploads"), "CreateMultipartUpload", [("s3:PutObject", OBJECT)]),
        (
            req("PUT", "/b/users/u1/a.txt", "partNumber=1&uploadId=U"),
            "UploadPart",
            [("s3:PutObject", OBJECT)],
        ),
        (
            req("POST", "/b/users/u1/a.txt", "uploadId=U"),
            "CompleteMultipartUpload",
            [("s3:PutObject", OBJECT)],
        ),
        (
            req("DELETE", "/b/users/u1/a.txt", "uploadId=U"),
            "AbortMultipartUpload",
            [("s3:AbortMultipartUpload", OBJECT)],
        ),
        (
            req("GET", "/b/users/u1/a.txt", "uploadId=U"),
            "ListParts",
            [("s3:ListMultipartUploadParts", OBJECT)],
        ),
        (req("GET", "/b/users/u1/a.txt", "tagging"), "GetObjectTagging", [("s3:GetObjectTagging", OBJECT)]),
        (req("PUT", "/b/users/u1/a.txt", "acl"), "PutObjectAcl", [("s3:PutObjectAcl", OBJECT)]),
        # A key may end with "/" (a "folder" marker object).
        (req("PUT", "/b/users/u1/"), "PutObject", [("s3:PutObject", "arn:aws:s3:::b/users/u1/")]),
    ],
)
def test_each_operation_asks_for_its_action_on_its_resource(
    request_: HttpRequest, name: str, questions: list[tuple[str, str]]
) -> None:
    mapped = operation(request_)
    assert mapped.name == name
    assert [(r.action, r.resource) for r in mapped.requests] == questions


def test_put_object_with_an_acl_header_also_needs_put_object_acl() -> None:
    for header in ("x-amz-acl", "x-amz-grant-read", "x-amz-grant-full-control"):
        assert asked(req("PUT", "/b/users/u1/a.txt", headers={header: "private"})) == [
            ("s3:PutObject", OBJECT),
            ("s3:PutObjectAcl", OBJECT),
        ]


def test_put_object_with_tags_and_object_lock_asks_for_each() -> None:
    headers = {
        "x-amz-tagging": "team=a&tier=b",
        "x-amz-object-lock-mode": "GOVERNANCE",
        "x-amz-object-lock-legal-hold": "ON",
    }
    assert [a for a, _ in asked(req("PUT", "/b/users/u1/a.txt", headers=headers))] == [
        "s3:PutObject",
        "s3:PutObjectTagging",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
    ]
    # UploadPart carries none of these: only s3:PutObject.
    assert asked(req("PUT", "/b/users/u1/a.txt", "partNumber=1&uploadId=U", headers=headers)) == [
        ("s3:PutObject", OBJECT)
    ]


def test_copy_object_reads_the_source_and_writes_the_destination() -> None:
    copied = operation(
        req("PUT", "/b/users/u1/a.txt", headers={"x-amz-copy-source": "/other/users/u2/b%20c.txt"})
    )
    assert copied.name == "CopyObject"
    assert [(r.action, r.resource) for r in copied.requests] == [
        ("s3:PutObject", OBJECT),
        ("s3:GetObject", "arn:aws:s3:::other/users/u2/b c.txt"),
    ]
    versioned = asked(req("PUT", "/b/k", headers={"x-amz-copy-source": "other/k2?versionId=7"}))
    assert versioned[-1] == ("s3:GetObjectVersion", "arn:aws:s3:::other/k2")
    part = operation(req("PUT", "/b/k", "partNumber=2&uploadId=U", headers={"x-amz-copy-source": "o/k"}))
    assert part.name == "UploadPartCopy"


def test_delete_objects_asks_for_every_key_in_its_body() -> None:
    body = (
        b'<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Object><Key>users/u1/a.txt</Key></Object><Object><Key>users/u2/b.txt</Key><VersionId>9</VersionId>"
        b"</Object><Quiet>true</Quiet></Delete>"
    )
    assert asked(req("POST", "/b", "delete", body=body)) == [
        ("s3:DeleteObject", OBJECT),
        ("s3:DeleteObjectVersion", "arn:aws:s3:::b/users/u2/b.txt"),
    ]


@pytest.mark.parametrize(("keys", "read"), [(999, True), (1000, True), (1001, False)])
def test_delete_objects_reads_at_most_the_1000_keys_s3_takes(keys: int, read: bool) -> None:
    body = b"<Delete>" + b"<Object><Key>users/u1/a.txt</Key></Object>" * keys + b"</Delete>"
    mapped = map_s3(req("POST", "/b", "delete", body=body))
    assert isinstance(mapped, Operation) is read
    if isinstance(mapped, Operation):
        assert len(mapped.requests) == keys


@pytest.mark.parametrize(
    "body", [b"not xml", b"<Delete></Delete>", b"<Delete><Object><VersionId>1</VersionId></Object></Delete>"]
)
def test_a_delete_objects_body_that_cannot_be_read_is_not_modelled(body: bytes) -> None:
    assert isinstance(map_s3(req("POST", "/b", "delete", body=body)), NotModelled)


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        (req("GET", "/b/k", "torrent"), "torrent"),
        (req("GET", "/b", "list-type=2&fetch-owner=true&unknown-param=1"), "unknown-param"),
        (req("GET", "/b/k", "X-Amz-Credential=ASIA/x&X-Amz-Signature=s"), "X-Amz-Credential"),
        (req("POST", "/b"), "bucket"),
        (req("POST", "/b/k"), "object"),
        (req("GET", "/b", "list-type=1"), "list-type"),
        (req("PUT", "/"), "/"),
        (req("GET", "/b", "website"), "website"),
        (req("POST", "/b/k", "uploads", headers={"x-amz-copy-source": "o/k"}), "copy-source"),
        (req("PUT", "/b/k", headers={"x-amz-copy-source": "no-key"}), "copy-source"),
    ],
)
def test_what_has_no_mapping_is_not_modelled_and_named(request_: HttpRequest, named: str) -> None:
    mapped = map_s3(request_)
    assert isinstance(mapped, NotModelled)
    assert named.lower() in f"{mapped.operation} {mapped.reason}".lower()


def context_of(request: HttpRequest) -> Request:
    return operation(request).requests[0]


def test_s3_prefix_is_the_parameter_as_sent_and_absent_when_not_sent() -> None:
    listed = context_of(req("GET", "/b", "list-type=2&prefix=users/u1/&delimiter=/&max-keys=5"))
    assert listed.context["s3:prefix"] == ("users/u1/",)
    assert listed.context["s3:delimiter"] == ("/",)
    assert listed.context["s3:max-keys"] == ("5",)
    empty = context_of(req("GET", "/b", "list-type=2&prefix="))
    assert empty.context["s3:prefix"] == ("",)
    unsent = context_of(req("GET", "/b", "list-type=2"))
    assert "s3:prefix" not in unsent.context
    assert {"s3:prefix", "s3:delimiter", "s3:max-keys"} <= unsent.known_absent
    # HeadBucket also asks for s3:ListBucket, and sends no prefix.
    assert "s3:prefix" in context_of(req("HEAD", "/b")).known_absent


def test_header_keys_are_present_when_sent_and_known_absent_otherwise() -> None:
    sent = context_of(
        req("PUT", "/b/k", headers={"x-amz-server-side-encryption": "aws:kms", "x-amz-acl": "private"})
    )
    assert sent.context["s3:x-amz-server-side-encryption"] == ("aws:kms",)
    assert sent.context["s3:x-amz-acl"] == ("private",)
    assert sent.context["s3:authType"] == ("REST-HEADER",)
    assert "s3:x-amz-storage-class" in sent.known_absent
    assert "s3:x-amz-acl" not in sent.known_absent
    assert "s3:tlsversion" in sent.known_absent  # plain HTTP
    # A key no one can know here (existing object tags) is neither present nor known absent.
    assert not any(k.lower().startswith("s3:existingobjecttag") for k in [*sent.context, *sent.known_absent])


def test_request_object_tags_come_from_the_tagging_header() -> None:
    tagged = context_of(req("PUT", "/b/k", headers={"x-amz-tagging": "team=a%20b&tier="}))
    assert tagged.context["s3:RequestObjectTagKeys"] == ("team", "tier")
    assert tagged.context["s3:RequestObjectTag/team"] == ("a b",)
    assert "s3:requestobjecttagkeys" in context_of(req("PUT", "/b/k")).known_absent


def test_version_id_is_a_context_key_when_given() -> None:
    assert context_of(req("GET", "/b/k", "versionId=7")).context["s3:versionid"] == ("7",)
    assert "s3:versionid" in context_of(req("GET", "/b/k")).known_absent


def test_a_virtual_hosted_request_takes_the_bucket_from_the_host() -> None:
    assert asked(req("GET", "/users/u1/a.txt")) == [("s3:GetObject", "arn:aws:s3:::users/u1/a.txt")]
    mapped = operation(req("GET", "/users/u1/a.txt"), virtual_host_bucket="b")
    assert [(r.action, r.resource) for r in mapped.requests] == [("s3:GetObject", OBJECT)]
    bucket = operation(req("GET", "/", "list-type=2"), virtual_host_bucket="b")
    assert [(r.action, r.resource) for r in bucket.requests] == [("s3:ListBucket", BUCKET)]


def test_a_presigned_request_is_rest_query_string_with_its_signature_age() -> None:
    presigned = operation(
        req("GET", "/b/k", "response-content-disposition=attachment"), presigned=Presigned(1500)
    )
    (request,) = presigned.requests
    assert request.context["s3:authType"] == ("REST-QUERY-STRING",)
    assert request.context["s3:signatureAge"] == ("1500",)
    # A header-signed request states no signature age (a policy that names it is not modelled, never guessed).
    header = context_of(req("GET", "/b/k"))
    assert header.context["s3:authType"] == ("REST-HEADER",)
    assert "s3:signatureage" not in {k.lower() for k in [*header.context, *header.known_absent]}


def test_a_request_over_tls_states_its_version() -> None:
    over_tls = operation(req("GET", "/b/k"), tls_version="1.3").requests[0]
    assert over_tls.context["s3:TlsVersion"] == ("1.3",)
    assert "s3:tlsversion" not in over_tls.known_absent
