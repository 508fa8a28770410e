"""Generate the ``hashicorp/awscc`` stand-in schema from its published CDK-Terrain bindings.

``make schema`` runs this after the aws schema (:mod:`.schemagen`), the same way:

1. scan ``modules/`` and ``terraform/`` for the ``awscc_*`` types used and the
   ``hashicorp/awscc`` version pins;
2. download the PyPI wheel ``cdktn-provider-awscc`` at :data:`BINDINGS_VERSION` once with
   ``pip download --no-deps`` into ``build/tfkit/pypi`` (its sha256 is checked). The wheel
   carries the jsii package tarball (``_jsii/provider-awscc@<v>.jsii.tgz``), which holds
   the assembly and the generated JavaScript, ``lib/<type>/index.js`` plus, for large
   resources such as ``lex_bot``, ``lib/<type>/index-structs/*.js``;
3. check that the provider version the bindings were generated from (``package.json``)
   satisfies every pin, read each used type with :class:`.bindings.Reader` in
   nested-attribute mode, and write ``awscc_schema.json`` next to this module.

awscc is built on the plugin framework and declares nested objects as nested attributes,
never blocks, so that is how the schema records and the stand-in serves them.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from callguard_tools.tfkit.bindings import Reader
from callguard_tools.tfkit.schemagen import SchemaGenError, satisfies

BINDINGS_PACKAGE = "cdktn-provider-awscc"
#: Generated from hashicorp/awscc 1.106.0 (the package.json says so; checked at generation).
BINDINGS_VERSION = "1.8.0"
BINDINGS_SHA256 = "7662906caa51a9ffdb251fe6bf4094ae13cffdf4937561088d666dc262093e91"
SCHEMA_PATH = Path(__file__).with_name("awscc_schema.json")
PREFIX = "awscc"

#: Types the outbound engine's Lex V2 bots need (hashicorp/aws has no bot alias resource
#: and associates only Lex V1 bots with Connect).
CORE_RESOURCES = (
    "awscc_connect_integration_association",
    "awscc_lex_bot",
    "awscc_lex_bot_alias",
    "awscc_lex_bot_version",
)
CORE_DATA_SOURCES: tuple[str, ...] = ()

_WHEEL = f"cdktn_provider_awscc-{BINDINGS_VERSION}-py3-none-any.whl"
_JSII_MEMBER = f"cdktn_provider_awscc/_jsii/provider-awscc@{BINDINGS_VERSION}.jsii.tgz"


def fetch_wheel(cache: Path) -> Path:
    """Return the cached bindings wheel, downloading it with ``pip download`` when absent."""
    wheel = cache / _WHEEL
    if not wheel.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed requirement, this interpreter's pip
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(cache),
                f"{BINDINGS_PACKAGE}=={BINDINGS_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    digest = hashlib.sha256()
    with wheel.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != BINDINGS_SHA256:
        wheel.unlink()
        raise SchemaGenError(f"{_WHEEL} does not match the pinned sha256; deleted, run again")
    return wheel


def lib_dir(type_name: str, data: bool) -> str:
    """Return the package directory of one type's binding (``package/lib/lex-bot``)."""
    stem = type_name.removeprefix(f"{PREFIX}_").replace("_", "-")
    return f"package/lib/{'data-awscc-' if data else ''}{stem}"


def _wanted(name: str, dirs: set[str]) -> bool:
    if name in ("package/package.json", "package/lib/provider/index.js"):
        return True
    directory, _, file = name.rpartition("/")
    if file == "index.js" and directory in dirs:
        return True
    parent, _, sub = directory.rpartition("/")
    return sub == "index-structs" and parent in dirs and file.endswith(".js")


def read_package(tarball: Any, dirs: set[str]) -> dict[str, str]:
    """Return the text of the wanted members of the jsii package tarball (one streamed pass)."""
    found: dict[str, str] = {}
    with tarfile.open(fileobj=tarball, mode="r|gz") as archive:
        for member in archive:
            if member.isfile() and _wanted(member.name, dirs):
                handle = archive.extractfile(member)
                if handle is not None:
                    found[member.name] = handle.read().decode("utf-8")
    return found


def read_wheel(wheel: Path, dirs: set[str]) -> dict[str, str]:
    """Return the wanted members of the jsii tarball inside the bindings wheel."""
    with zipfile.ZipFile(wheel) as archive, archive.open(_JSII_MEMBER) as tarball:
        return read_package(tarball, dirs)


def binding_text(texts: dict[str, str], directory: str) -> str | None:
    """Return one type's binding source: ``index.js`` followed by its struct files."""
    main = texts.get(f"{directory}/index.js")
    if main is None:
        return None
    structs = sorted(n for n in texts if n.startswith(f"{directory}/index-structs/"))
    return "\n".join([main, *(texts[n] for n in structs)])


def generate(
    resources: Iterable[str],
    data_sources: Iterable[str],
    texts: dict[str, str],
    pins: Iterable[str],
) -> dict[str, Any]:
    """Return the compact schema document for the given types from the package texts."""
    package = json.loads(texts["package/package.json"])
    provider_version = package["cdktf"]["provider"]["version"]
    for pin in sorted(set(pins)):
        if not satisfies(provider_version, pin):
            raise SchemaGenError(
                f"versions.tf pins hashicorp/awscc {pin!r}, but {BINDINGS_PACKAGE} "
                f"{BINDINGS_VERSION} was generated from {provider_version}: pick the bindings "
                "version that matches the pin (BINDINGS_VERSION in awscc_schemagen.py)"
            )

    def read(kind: str, types: Iterable[str], data: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        sources = {t: binding_text(texts, lib_dir(t, data)) for t in sorted(set(types))}
        missing = sorted(t for t, text in sources.items() if text is None)
        if missing:
            raise SchemaGenError(
                f"{kind} type(s) {', '.join(missing)} not found in {BINDINGS_PACKAGE} "
                f"{BINDINGS_VERSION} (hashicorp/awscc {provider_version}): misspelt, or newer "
                "than the pinned provider"
            )
        for type_name, text in sources.items():
            assert text is not None  # checked just above
            reader = Reader(text, lib_dir(type_name, data), nested_attributes=True)
            if reader.type_name() != type_name:
                raise SchemaGenError(f"{lib_dir(type_name, data)} declares {reader.type_name()}")
            out[type_name] = reader.schema()
        return out

    provider = Reader(texts["package/lib/provider/index.js"], "provider", nested_attributes=True)
    return {
        "provider_source": "registry.terraform.io/hashicorp/awscc",
        "provider_version": provider_version,
        "bindings": f"{BINDINGS_PACKAGE}=={BINDINGS_VERSION} (PyPI)",
        "generated_by": "python -m callguard_tools.tfkit.schemagen",
        "provider": provider.schema(),
        "resource_schemas": read("resource", resources, data=False),
        "data_source_schemas": read("data source", data_sources, data=True),
    }


def wanted_dirs(resources: Iterable[str], data_sources: Iterable[str]) -> set[str]:
    """Return the package directories the given types' bindings live in."""
    return {lib_dir(t, False) for t in resources} | {lib_dir(t, True) for t in data_sources}
