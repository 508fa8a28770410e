"""Build the Lambda deployment zips reproducibly: ``make build`` -> ``build/lambda/*.zip``.

Two zips, each with its own pinned, hash-checked dependencies:

- ``callguard.zip`` (1 MiB budget): the inbound handlers
  (``callguard.handlers.<name>.handler``) and ``lambda_src/requirements.txt``. It
  leaves out ``callguard/outbound``, so a caller never waits on the outbound
  engine's workbook reader, Jinja2 or time-zone data.
- ``callguard-outbound.zip`` (6 MiB budget): the core package plus
  ``callguard/outbound`` and ``lambda_src/requirements-outbound.txt``.

Dependencies are installed
for the *Lambda* platform (default python3.13 on arm64), not the build machine:
``pip install --only-binary=:all: --platform ... --python-version ...
--implementation cp --no-compile --target``.

Reproducible by construction: entries sorted by name, every timestamp 1980-01-01,
permissions 0644, no ``__pycache__``/``.pyc`` (pip's would be compiled by the
local interpreter, useless on Lambda and different on every build), no type stubs.
Two clean builds with the same zlib produce byte-identical zips, so Terraform's
``filebase64sha256()`` only changes when the code does.

The pip install is cached under ``build/cache/`` keyed by a hash of the
requirements file and the target platform, so repeated builds take well under a
second and do not touch the network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from callguard_tools.installation import checkout_root, run_script

#: Where the inputs and outputs are, relative to the checkout's root (the build
#: reads the Lambda sources, which are not part of an installed package).
RUNTIME_PACKAGE: Final = Path("lambda_src", "callguard")
REQUIREMENTS: Final = Path("lambda_src", "requirements.txt")
DEFAULT_OUTPUT: Final = Path("build", "lambda", "callguard.zip")
OUTBOUND_REQUIREMENTS: Final = Path("lambda_src", "requirements-outbound.txt")
OUTBOUND_OUTPUT: Final = Path("build", "lambda", "callguard-outbound.zip")
#: Sub-packages of ``callguard`` the inbound zip leaves out (relative to the package).
INBOUND_EXCLUDES: Final = ("outbound",)
#: Dependency data the outbound engine never reads, left out of its zip (relative to
#: the installed dependencies): libphonenumber's geocoder and carrier names (tens of
#: MiB unpacked). The engine parses and validates numbers and reads their time zones
#: (``phonenumbers.timezone``, kept), so it needs the full distribution, not these.
OUTBOUND_DEPENDENCY_EXCLUDES: Final = ("phonenumbers/geodata", "phonenumbers/carrierdata")
DEFAULT_CACHE: Final = Path("build", "cache")

#: Lambda architecture -> manylinux platform tag pip installs wheels for.
PLATFORMS: Final = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
DEFAULT_ARCH: Final = "arm64"
DEFAULT_PYTHON: Final = "3.13"
#: Size budget per zip (bytes): small zips keep cold starts short.
MAX_ZIP_BYTES: Final = 1024 * 1024
#: The outbound zip carries a workbook reader, Jinja2, libphonenumber with its
#: time-zone data and the IANA zones: a bigger budget, checked the same way.
MAX_OUTBOUND_ZIP_BYTES: Final = 6 * 1024 * 1024

#: Fixed metadata of every entry.
ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
FILE_MODE: Final = 0o100644
#: Build artefacts and files that do nothing at run time.
EXCLUDED_DIRS: Final = frozenset({"__pycache__", "bin"})
EXCLUDED_SUFFIXES: Final = (".pyc", ".pyo", ".pyi")
EXCLUDED_NAMES: Final = frozenset({"direct_url.json", "INSTALLER", "REQUESTED", ".DS_Store"})


class BuildError(RuntimeError):
    """The zip could not be built, or breaks its budget."""


@dataclass(frozen=True, slots=True)
class Target:
    """The Lambda runtime a zip is built for."""

    arch: str = DEFAULT_ARCH
    python_version: str = DEFAULT_PYTHON

    @property
    def platform(self) -> str:
        """The pip ``--platform`` tag for :attr:`arch`."""
        try:
            return PLATFORMS[self.arch]
        except KeyError:
            raise BuildError(
                f"unknown architecture {self.arch!r}; use one of {', '.join(PLATFORMS)}"
            ) from None


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What was built: where, how big, its digest, and whether the dependency cache hit."""

    path: Path
    size: int
    sha256: str
    entries: int
    cache_hit: bool


def dependency_key(requirements: Path, target: Target) -> str:
    """Cache key: the requirements' content plus everything that changes pip's choice."""
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"\0{target.platform}\0{target.python_version}\0cp".encode())
    return digest.hexdigest()[:24]


def install_dependencies(requirements: Path, target: Target, cache_dir: Path) -> tuple[Path, bool]:
    """Return a directory holding the installed dependencies, installing them if needed.

    The install goes to a temporary directory renamed into place on success, so an
    interrupted build never leaves a half-filled cache entry.
    """
    destination = (
        cache_dir / f"deps-{target.arch}-py{target.python_version}-"
        f"{dependency_key(requirements, target)}"
    )
    if destination.is_dir():
        return destination, True
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="deps-", dir=cache_dir))
    command = [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-input",
        "--require-hashes", "--no-deps",
        "--only-binary=:all:",
        "--platform", target.platform,
        "--python-version", target.python_version,
        "--implementation", "cp",
        "--no-compile",
        "--target", str(staging),
        "-r", str(requirements),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(
            f"pip could not install {requirements.name} for {target.platform} / "
            f"python {target.python_version}:\n{completed.stderr.strip()}"
        )
    try:
        staging.rename(destination)
    except OSError:  # a concurrent build finished first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return destination, False


def iter_files(
    root: Path, prefix: str = "", exclude: Sequence[str] = ()
) -> Iterator[tuple[str, Path]]:
    """Yield (archive name, path) for every shippable file under ``root``.

    ``exclude`` names directories relative to ``root`` (``"outbound"``) left out whole.
    """
    excluded = {root / name for name in exclude}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d for d in dirnames if d not in EXCLUDED_DIRS and Path(directory) / d not in excluded
        ]
        for filename in filenames:
            if filename in EXCLUDED_NAMES or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            path = Path(directory) / filename
            relative = path.relative_to(root).as_posix()
            yield (f"{prefix}{relative}", path)


def write_zip(files: Sequence[tuple[str, Path]], output: Path) -> int:
    """Write ``files`` as a reproducible zip at ``output``; return the entry count."""
    names = [name for name, _ in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BuildError(f"two files map to the same zip entry: {', '.join(duplicates)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    # A private temporary name, renamed over the output: concurrent builds never mix.
    handle, temporary = tempfile.mkstemp(prefix=output.name, suffix=".partial", dir=output.parent)
    os.close(handle)
    partial = Path(temporary)
    with zipfile.ZipFile(partial, "w") as archive:
        for name, path in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.chmod(0o644)
    partial.replace(output)
    return len(files)


def build(
    output: Path = DEFAULT_OUTPUT,
    *,
    target: Target | None = None,
    cache_dir: Path = DEFAULT_CACHE,
    requirements: Path = REQUIREMENTS,
    package: Path = RUNTIME_PACKAGE,
    max_bytes: int = MAX_ZIP_BYTES,
    exclude: Sequence[str] = INBOUND_EXCLUDES,
    dependency_exclude: Sequence[str] = (),
) -> BuildResult:
    """Build a zip and enforce its size budget; raise :class:`BuildError` on failure.

    The defaults build the inbound zip; :func:`build_outbound` the outbound one.
    ``exclude`` names sub-packages of ``package`` to leave out, ``dependency_exclude``
    directories of the installed dependencies.
    Relative paths are taken from the checkout's root, whatever the current directory.
    """
    root = checkout_root("the Lambda build")
    output, cache_dir, requirements, package = (
        root / path for path in (output, cache_dir, requirements, package)
    )
    target = target or Target()
    deps, cache_hit = install_dependencies(requirements, target, cache_dir)
    files = [
        *iter_files(package, f"{package.name}/", exclude),
        *iter_files(deps, exclude=dependency_exclude),
    ]
    entries = write_zip(files, output)
    data = output.read_bytes()
    if len(data) > max_bytes:
        raise BuildError(f"{output} is {len(data)} bytes, over the {max_bytes}-byte budget")
    return BuildResult(
        path=output,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        entries=entries,
        cache_hit=cache_hit,
    )


def build_outbound(
    output: Path = OUTBOUND_OUTPUT,
    *,
    target: Target | None = None,
    cache_dir: Path = DEFAULT_CACHE,
    max_bytes: int = MAX_OUTBOUND_ZIP_BYTES,
) -> BuildResult:
    """Build ``callguard-outbound.zip``: the whole package and the outbound dependencies."""
    return build(
        output,
        target=target,
        cache_dir=cache_dir,
        requirements=OUTBOUND_REQUIREMENTS,
        max_bytes=max_bytes,
        exclude=(),
        dependency_exclude=OUTBOUND_DEPENDENCY_EXCLUDES,
    )


def _describe(result: BuildResult, budget: int, target: Target) -> str:
    where = result.path
    root = checkout_root()
    if where.is_relative_to(root):
        where = where.relative_to(root)
    source = "cached" if result.cache_hit else "installed"
    return (
        f"built {where}: {result.size} bytes ({result.size / 1024:.0f} KiB, budget "
        f"{budget // 1024} KiB), {result.entries} files, "
        f"python{target.python_version}/{target.arch}, sha256 {result.sha256}, "
        f"dependencies {source}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m callguard_tools.build_lambda [--arch ...] [--python ...]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--arch",
        choices=sorted(PLATFORMS),
        default=os.environ.get("CALLGUARD_LAMBDA_ARCH", DEFAULT_ARCH),
        help="Lambda architecture (env CALLGUARD_LAMBDA_ARCH; default %(default)s)",
    )
    parser.add_argument(
        "--python",
        default=os.environ.get("CALLGUARD_LAMBDA_PYTHON", DEFAULT_PYTHON),
        help="Lambda Python version (env CALLGUARD_LAMBDA_PYTHON; default %(default)s)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="zip to write")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="pip cache")
    parser.add_argument("--max-bytes", type=int, default=MAX_ZIP_BYTES, help="size budget")
    parser.add_argument(
        "--outbound-output", type=Path, default=OUTBOUND_OUTPUT, help="outbound zip to write"
    )
    parser.add_argument(
        "--outbound-max-bytes",
        type=int,
        default=MAX_OUTBOUND_ZIP_BYTES,
        help="outbound zip size budget",
    )
    args = parser.parse_args(argv)
    target = Target(arch=args.arch, python_version=args.python)
    try:
        inbound = build(
            args.output, target=target, cache_dir=args.cache_dir, max_bytes=args.max_bytes
        )
        print(_describe(inbound, args.max_bytes, target))
        outbound = build_outbound(
            args.outbound_output,
            target=target,
            cache_dir=args.cache_dir,
            max_bytes=args.outbound_max_bytes,
        )
        print(_describe(outbound, args.outbound_max_bytes, target))
    except BuildError as error:
        print(f"build_lambda: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(run_script(main))
