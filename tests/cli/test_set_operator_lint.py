"""The catalog warning for a ForAllValues: condition without a Null guard, through `vend catalog check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import schema_with_scopes, vend

SCOPE = """
[scopes.ITEMS]
description = "Items."
any_signed_in_user = true
role = "data"
max_duration_seconds = 900

[[scopes.ITEMS.statements]]
sid = "Own"
effect = "{effect}"
actions = ["dynamodb:GetItem"]
resources = ["{{{{table_arn}}}}"]
{conditions}
"""
FOR_ALL = 'conditions."{operator}"."dynamodb:LeadingKeys" = ["{{{{sub}}}}"]'
GUARD = 'conditions.Null."{key}" = ["{value}"]'
WARNING = (
    'warning: scopes.ITEMS.statements[0].conditions."ForAllValues:StringEquals"."dynamodb:LeadingKeys": '
    "ForAllValues is true for a request without dynamodb:LeadingKeys, so this Allow also allows requests that lack "
    'it; add conditions.Null."dynamodb:LeadingKeys" = ["false"] to the statement'
)


def check(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    conditions: str,
    *,
    effect: str = "Allow",
    strict: bool = False,
) -> tuple[int, str]:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(SCOPE.format(effect=effect, conditions=conditions), encoding="utf-8")
    schema = tmp_path / "schema.graphql"
    schema.write_text(schema_with_scopes("ITEMS"), encoding="utf-8")
    argv = ["catalog", "check", str(catalog), "--schema", str(schema), *(["--strict"] if strict else [])]
    result = vend(capsys, *argv)
    return result.code, result.out


def test_for_all_values_without_a_null_guard_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = check(capsys, tmp_path, FOR_ALL.format(operator="ForAllValues:StringEquals"))
    assert code == 0
    assert f"{tmp_path / 'catalog.toml'}: {WARNING}\n" in out
    assert "0 error(s), 1 warning(s)" in out


def test_the_warning_fails_the_check_with_strict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = check(capsys, tmp_path, FOR_ALL.format(operator="ForAllValues:StringEquals"), strict=True)
    assert code == 1
    assert WARNING in out


@pytest.mark.parametrize(
    ("guard", "warns"),
    [
        (GUARD.format(key="dynamodb:LeadingKeys", value="false"), False),
        (GUARD.format(key="DynamoDB:leadingkeys", value="FALSE"), False),  # keys and booleans without case
        (GUARD.format(key="dynamodb:LeadingKeys", value="true"), True),  # requires the key absent: no guard
        (GUARD.format(key="dynamodb:Attributes", value="false"), True),  # another key
    ],
)
def test_a_null_guard_on_the_same_key_silences_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, guard: str, warns: bool
) -> None:
    code, out = check(capsys, tmp_path, FOR_ALL.format(operator="ForAllValues:StringEquals") + "\n" + guard)
    assert code == 0
    assert ("1 warning(s)" in out) is warns


@pytest.mark.parametrize(
    ("operator", "effect", "warns"),
    [
        ("ForAllValues:StringLike", "Allow", True),
        ("ForAllValues:StringEqualsIfExists", "Allow", True),
        ("ForAnyValue:StringEquals", "Allow", False),  # false for a missing key: it does not widen
        ("StringEquals", "Allow", False),
        ("ForAllValues:StringEquals", "Deny", False),  # a Deny that also covers missing keys fails closed
    ],
)
def test_only_for_all_values_in_an_allow_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, operator: str, effect: str, warns: bool
) -> None:
    if effect == "Deny":
        conditions = FOR_ALL.format(operator=operator).replace('["{{sub}}"]', '["x"]')
        code, out = check(capsys, tmp_path, conditions, effect="Deny")
    else:
        code, out = check(capsys, tmp_path, FOR_ALL.format(operator=operator))
    assert code == 0
    assert ("1 warning(s)" in out) is warns, out
