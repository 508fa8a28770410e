"""``terraform test`` of the per-instance module: a mocked apply of the published flows.

The assertions live in modules/connect_instance/tests/connect_instance.tftest.hcl
(rendered documents are valid flow JSON, invoke the check and flag functions by ARN
and the check module by its id, fail mode reaches the module, bad ids and numbers
are refused). This test runs them offline and checks that every run block passed.
"""

from __future__ import annotations

import re

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

MODULE = repo_root() / "modules" / "connect_instance"


def test_terraform_test_passes_every_run() -> None:
    test_file = MODULE / "tests" / "connect_instance.tftest.hcl"
    runs = re.findall(r'^run "([^"]+)"', test_file.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(runs) >= 5

    result = api.module_test(MODULE)

    assert result.ok, result.message
    for name in runs:
        assert re.search(rf'run "{name}"\.\.\. pass', result.output), result.output
    assert f"Success! {len(runs)} passed, 0 failed." in result.output
