"""docs/domain.md stays true: every rule the domain enforces is documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RULE = re.compile(r'RuleViolation\(\s*"([a-z_]+)"')


def enforced_rules() -> set[str]:
    return {
        rule
        for path in (ROOT / "domain").glob("*.py")
        for rule in RULE.findall(path.read_text(encoding="utf-8"))
    }


def test_every_enforced_rule_is_in_the_rule_table():
    table = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    missing = sorted(rule for rule in enforced_rules() if f"`{rule}`" not in table)
    assert not missing, f"rules missing from docs/domain.md: {missing}"


def test_every_enforced_rule_is_exercised_by_a_test():
    tests = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != Path(__file__).name
    )
    untested = sorted(rule for rule in enforced_rules() if f'"{rule}"' not in tests)
    assert not untested, f"rules no test names: {untested}"
