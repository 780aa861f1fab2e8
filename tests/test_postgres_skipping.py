"""Without a PostgreSQL server the `postgres` tests are skipped with the reason in the summary,
and with GONGKAI_REQUIRE_POSTGRES=1 (CI) they fail instead: a pytest run in a subprocess against
a port nothing listens on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGET = "tests/unit/domain/test_concurrency.py"


def run_without_server(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GONGKAI_REQUIRE_POSTGRES"}
    env.update({"GONGKAI_TEST_POSTGRES_PORT": "1", **extra})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TARGET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("required", [False, True], ids=["optional", "required"])
def test_an_unreachable_server_skips_or_fails_the_postgres_tests(required: bool) -> None:
    result = run_without_server(**({"GONGKAI_REQUIRE_POSTGRES": "1"} if required else {}))
    summary = result.stdout.strip().splitlines()[-1]
    assert "PostgreSQL at 127.0.0.1:1 unreachable" in result.stdout
    if required:
        assert result.returncode == 1
        assert "2 passed, 2 errors" in summary
        assert "GONGKAI_REQUIRE_POSTGRES=1" in result.stdout
    else:
        assert result.returncode == 0
        assert "2 passed, 2 skipped" in summary
