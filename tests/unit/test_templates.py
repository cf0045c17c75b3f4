"""Template parsing: {{variables}} are ours, ${...} is IAM's and passes through."""

from __future__ import annotations

import pytest

from resolvers.templates import TemplateSyntaxError, Var, parse, wildcard_next_to_variable


def test_parse_splits_literals_and_variables() -> None:
    t = parse("arn:aws:s3:::{{bucket}}/users/{{sub}}/*")
    assert t.parts == ("arn:aws:s3:::", Var("bucket"), "/users/", Var("sub"), "/*")
    assert t.variables == {"bucket", "sub"}
    assert t.render({"bucket": "b", "sub": "s"}) == "arn:aws:s3:::b/users/s/*"


def test_claim_variables_have_a_dotted_name() -> None:
    assert parse("tenants/{{claim.tenant}}/").variables == {"claim.tenant"}


def test_iam_policy_variables_are_literal_text() -> None:
    t = parse("${aws:PrincipalTag/vend:sub}/{{sub}}")
    assert t.parts == ("${aws:PrincipalTag/vend:sub}/", Var("sub"))


@pytest.mark.parametrize(
    "bad",
    ["{{}}", "{{ sub }}", "{{Sub}}", "{{sub", "sub}}", "{{a.b.c}}", "{{{sub}}}", "{sub}", "${}", "$${x}}"],
)
def test_malformed_placeholders_are_refused(bad: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="malformed placeholder"):
        parse(bad)


@pytest.mark.parametrize(
    ("source", "beside"),
    [
        ("x/{{claim.t}}*", "claim.t"),
        ("x/*{{claim.t}}/y", "claim.t"),
        ("x/{{sub}}?", "sub"),
        ("x/{{sub}}/*", None),
        ("{{sub}}", None),
        ("*/{{sub}}/", None),
    ],
)
def test_wildcard_beside_a_variable_is_found(source: str, beside: str | None) -> None:
    assert wildcard_next_to_variable(parse(source)) == beside
