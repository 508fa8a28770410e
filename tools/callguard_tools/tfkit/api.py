"""What ``make validate`` and ``make plan-offline`` do, as functions tests and the demo call.

* :func:`fmt_check`, :func:`validate_dir`, :func:`validate_all`, :func:`module_test`
  (:mod:`.validation`);
* :func:`offline_root`, :func:`plan_offline`, :func:`environment_root` (:mod:`.plans`);
* the result types and :class:`TfkitError` (:mod:`.results`).

Every Terraform command runs in its own process through :mod:`.launcher`.
"""

from __future__ import annotations

from callguard_tools.tfkit.plans import (
    OfflinePlan,
    environment_root,
    offline_root,
    plan_dir,
    plan_offline,
)
from callguard_tools.tfkit.results import CheckResult, Diagnostic, TfkitError, ValidationReport
from callguard_tools.tfkit.validation import (
    fmt_check,
    module_test,
    needs_init,
    shared_provider,
    terraform_dirs,
    validate_all,
    validate_dir,
)

__all__ = [
    "CheckResult",
    "Diagnostic",
    "OfflinePlan",
    "TfkitError",
    "ValidationReport",
    "environment_root",
    "fmt_check",
    "module_test",
    "needs_init",
    "offline_root",
    "plan_dir",
    "plan_offline",
    "shared_provider",
    "terraform_dirs",
    "validate_all",
    "validate_dir",
]
