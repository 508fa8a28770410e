"""The Lambda zip: reproducible, complete, free of build debris, within budget, importable."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from callguard_tools import build_lambda
from callguard_tools.build_lambda import BuildError, BuildResult, Target


@pytest.fixture(scope="module")
def two_clean_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, BuildResult]:
    """Two builds, each with its own empty dependency cache (pip runs twice)."""
    results = []
    for name in ("first", "second"):
        root = tmp_path_factory.mktemp(name)
        results.append(build_lambda.build(root / "callguard.zip", cache_dir=root / "cache"))
    return results[0], results[1]


def test_two_clean_builds_are_byte_identical(
    two_clean_builds: tuple[BuildResult, BuildResult],
) -> None:
    first, second = two_clean_builds
    assert not first.cache_hit and not second.cache_hit
    assert first.path != second.path
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256


def test_zip_is_within_the_budget(two_clean_builds: tuple[BuildResult, BuildResult]) -> None:
    assert two_clean_builds[0].size <= build_lambda.MAX_ZIP_BYTES


def test_entries_are_sorted_fixed_and_clean(
    two_clean_builds: tuple[BuildResult, BuildResult],
) -> None:
    with zipfile.ZipFile(two_clean_builds[0].path) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert len(names) == two_clean_builds[0].entries
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyi"))]
    for required in (
        "callguard/__init__.py",
        "callguard/handlers/check_number.py",
        "callguard/handlers/flag_number.py",
        "callguard/store/__init__.py",
        "phonenumbers/__init__.py",
    ):
        assert required in names
    assert not [n for n in names if n.startswith(("boto3/", "botocore/", "tests/"))]


def test_handlers_import_from_the_zip(
    two_clean_builds: tuple[BuildResult, BuildResult], tmp_path: Path
) -> None:
    archive = str(two_clean_builds[0].path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import callguard.handlers.check_number as c, callguard.handlers.flag_number as f;"
        "assert c.__file__.startswith(sys.argv[1]), c.__file__;"
        "from callguard.numbers import classify;"
        "assert classify('020 7946 0958', 'GB').e164 == '+442079460958';"
        "import phonenumbers; assert phonenumbers.__file__.startswith(sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, archive], check=True, cwd=tmp_path)


def test_cached_dependencies_are_reused(tmp_path: Path) -> None:
    first = build_lambda.build(tmp_path / "a.zip", cache_dir=tmp_path / "cache")
    second = build_lambda.build(tmp_path / "b.zip", cache_dir=tmp_path / "cache")
    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert first.sha256 == second.sha256
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_budget_is_enforced(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="over the 1000-byte budget"):
        build_lambda.build(tmp_path / "x.zip", cache_dir=tmp_path / "cache", max_bytes=1000)


def test_unknown_architecture(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="unknown architecture"):
        build_lambda.build(tmp_path / "x.zip", target=Target(arch="mips"), cache_dir=tmp_path)


def test_pip_failure_is_reported(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("phonenumberslite==9.0.42 --hash=sha256:" + "0" * 64 + "\n")
    with pytest.raises(BuildError, match="pip could not install"):
        build_lambda.build(
            tmp_path / "x.zip", cache_dir=tmp_path / "cache", requirements=requirements
        )
    assert not (tmp_path / "x.zip").exists()
    assert list((tmp_path / "cache").iterdir()) == []


def test_cache_key_follows_target_and_requirements(tmp_path: Path) -> None:
    requirements = tmp_path / "r.txt"
    requirements.write_text("a==1\n")
    arm = build_lambda.dependency_key(requirements, Target())
    assert arm != build_lambda.dependency_key(requirements, Target(arch="x86_64"))
    assert arm != build_lambda.dependency_key(requirements, Target(python_version="3.12"))
    requirements.write_text("a==2\n")
    assert arm != build_lambda.dependency_key(requirements, Target())


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "f.py"
    source.write_text("")
    with pytest.raises(BuildError, match="same zip entry"):
        build_lambda.write_zip([("a.py", source), ("a.py", source)], tmp_path / "z.zip")


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "cli.zip"
    assert build_lambda.main(["--output", str(output), "--cache-dir", str(tmp_path)]) == 0
    assert "python3.13/arm64" in capsys.readouterr().out
    assert output.is_file()
    assert (
        build_lambda.main(
            ["--output", str(output), "--max-bytes", "10", "--cache-dir", str(tmp_path)]
        )
        == 1
    )
    assert "budget" in capsys.readouterr().err


def test_the_zip_carries_no_test_only_store_operations(
    two_clean_builds: tuple[BuildResult, BuildResult],
) -> None:
    # Tables come from Terraform and tests empty their own: the zip holds the
    # deny list's create_table (local endpoints use it through the package)
    # and nothing that creates the counter table or deletes numbers in bulk.
    with zipfile.ZipFile(two_clean_builds[0].path) as archive:
        runtime = "\n".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("callguard/") and name.endswith(".py")
        )
    assert "def create_table(" in runtime  # the scan reads the package
    for name in ("def create_counter_table(", "def delete_batch(", "DeleteRequest"):
        assert name not in runtime
