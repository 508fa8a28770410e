"""The outbound zip carries the engine and its dependencies; the inbound zip carries neither."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from callguard_tools import build_lambda
from callguard_tools.build_lambda import BuildResult

REPO = Path(__file__).resolve().parents[2]
OUTBOUND_DEPS = ("openpyxl/", "et_xmlfile/", "jinja2/", "markupsafe/", "defusedxml/", "tzdata/")


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, BuildResult]:
    root = tmp_path_factory.mktemp("zips")
    cache = REPO / "build" / "cache"  # shared with make build: pip runs once per machine
    inbound = build_lambda.build(root / "callguard.zip", cache_dir=cache)
    outbound = build_lambda.build_outbound(root / "callguard-outbound.zip", cache_dir=cache)
    return inbound, outbound


def test_the_inbound_zip_has_no_outbound_code_or_dependencies(
    zips: tuple[BuildResult, BuildResult],
) -> None:
    inbound, _ = zips
    with zipfile.ZipFile(inbound.path) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.startswith(("callguard/outbound/", *OUTBOUND_DEPS))]
    assert not [n for n in names if n.startswith("phonenumbers/tzdata/")]  # phonenumberslite
    assert inbound.size <= build_lambda.MAX_ZIP_BYTES


def test_the_outbound_zip_holds_engine_deps_and_time_zone_data_within_budget(
    zips: tuple[BuildResult, BuildResult],
) -> None:
    _, outbound = zips
    with zipfile.ZipFile(outbound.path) as archive:
        names = set(archive.namelist())
    for prefix in (*OUTBOUND_DEPS, "callguard/outbound/", "callguard/handlers/", "phonenumbers/"):
        assert any(n.startswith(prefix) for n in names), prefix
    assert "phonenumbers/tzdata/__init__.py" in names  # the full phonenumbers
    assert "callguard/outbound/job.schema.json" in names
    assert outbound.size <= build_lambda.MAX_OUTBOUND_ZIP_BYTES


def test_the_outbound_zip_leaves_out_geocoder_and_carrier_data(
    zips: tuple[BuildResult, BuildResult],
) -> None:
    _, outbound = zips
    with zipfile.ZipFile(outbound.path) as archive:
        names = archive.namelist()
    unused = [
        n for n in names if n.startswith(("phonenumbers/geodata/", "phonenumbers/carrierdata/"))
    ]
    assert not unused, unused[:3]
    assert "phonenumbers/data/__init__.py" in names  # parsing and validation metadata stay


def test_the_outbound_zip_is_reproducible(
    zips: tuple[BuildResult, BuildResult], tmp_path: Path
) -> None:
    again = build_lambda.build_outbound(tmp_path / "again.zip", cache_dir=REPO / "build" / "cache")
    assert again.sha256 == zips[1].sha256


def test_the_outbound_engine_imports_and_runs_from_its_zip(
    zips: tuple[BuildResult, BuildResult], tmp_path: Path
) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import callguard.outbound.load as l, openpyxl, jinja2, phonenumbers;"
        "import phonenumbers.timezone as t;"
        "assert l.__file__.startswith(sys.argv[1]) and openpyxl.__file__.startswith(sys.argv[1]);"
        "assert 'Asia/Hong_Kong' in t.time_zones_for_number(phonenumbers.parse('+85291234567'));"
        "assert phonenumbers.is_valid_number(phonenumbers.parse('+442079460958'));"
        "from callguard.outbound.phones import normalise;"
        "from callguard.outbound.tables import Cell;"
        "assert normalise(Cell('91234567', 'r!B2', numeric=True), 'HK') == ('+85291234567', None);"
        "from callguard.spreadsheet import neutralise; assert neutralise('=1') == \"'=1\""
    )
    subprocess.run([sys.executable, "-c", code, str(zips[1].path)], check=True, cwd=tmp_path)


def _inbound_handlers() -> list[str]:
    handlers = REPO / "lambda_src" / "callguard" / "handlers"
    return sorted(
        f"callguard.handlers.{p.stem}" for p in handlers.glob("*.py") if p.stem != "__init__"
    )


@pytest.mark.parametrize("module", _inbound_handlers())
def test_no_inbound_handler_imports_the_outbound_engine(module: str) -> None:
    code = (
        f"import sys, {module};"
        "loaded = [m for m in sys.modules if m.startswith('callguard.outbound') or "
        "m.split('.')[0] in ('openpyxl', 'jinja2', 'defusedxml', 'tzdata')];"
        "assert not loaded, loaded"
    )
    env = {"PYTHONPATH": str(REPO / "lambda_src"), "AWS_DEFAULT_REGION": "eu-west-2"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
