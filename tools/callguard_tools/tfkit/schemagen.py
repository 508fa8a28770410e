"""Generate the stand-in providers' schemas from the published CDKTF/CDK-Terrain bindings.

``python -m callguard_tools.tfkit.schemagen`` (``make schema``):

1. scans every ``.tf`` file under ``modules/`` and ``terraform/`` for the ``aws_*``
   resource and data-source types it uses, and for the ``hashicorp/aws`` version pin;
2. fetches the npm package ``@cdktn/provider-aws`` at :data:`BINDINGS_VERSION` with
   ``npm pack`` into ``build/tfkit/npm`` (once; the tarball's sha512 is checked), and checks
   that the provider version the bindings were generated from satisfies the pin;
3. reads each used type's ``lib/<type>/index.js`` (see :mod:`.bindings`) and writes
   ``aws_schema.json`` next to this module, recording both versions.

The same command then writes ``awscc_schema.json`` for ``hashicorp/awscc`` (see
:mod:`.awscc_schemagen`). It fails loudly, naming the type, when a used type is not in
the bindings. Re-running it takes a few seconds: only the needed members of the cached
archives are read.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from callguard_tools.tfkit.bindings import BindingError, Reader
from callguard_tools.tfkit.paths import repo_root, tfkit_dir

BINDINGS_PACKAGE = "@cdktn/provider-aws"
#: Generated from hashicorp/aws 6.66.0 (the package.json says so; checked at generation).
BINDINGS_VERSION = "25.7.0"
BINDINGS_INTEGRITY = (
    "sha512-E/nhu0yVZE4mXMgIPuI8tEFt1BExLkA7ARjihdG+/HmfDfzLr+OEF3dkFRvI6glRt30l"
    "rrBWQLwXqCJBxcmyUg=="
)
SCHEMA_PATH = Path(__file__).with_name("aws_schema.json")

#: Types the design commits the project to. They stay in the schema while the modules
#: that use them are being written, so tests and modules can rely on them.
CORE_RESOURCES = (
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_metric_filter",
    "aws_cloudwatch_metric_alarm",
    "aws_connect_contact_flow",
    "aws_connect_contact_flow_module",
    "aws_connect_lambda_function_association",
    "aws_connect_phone_number_contact_flow_association",
    "aws_connect_quick_connect",
    "aws_dynamodb_table",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_kms_alias",
    "aws_kms_key",
    "aws_lambda_event_source_mapping",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_sns_topic",
    "aws_sns_topic_subscription",
    "aws_sqs_queue",
)
CORE_DATA_SOURCES = (
    "aws_caller_identity",
    "aws_connect_instance",
    "aws_connect_queue",
    "aws_iam_policy_document",
    "aws_partition",
    "aws_region",
)


def _use_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf'^\s*(resource|data)\s+"({prefix}_\w+)"', re.MULTILINE)


def _pin_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf'{name}\s*=\s*\{{[^}}]*?source\s*=\s*"(?:registry\.terraform\.io/)?hashicorp/{name}"'
        r'[^}]*?version\s*=\s*"([^"]+)"',
        re.DOTALL,
    )


class SchemaGenError(RuntimeError):
    """Generation cannot produce a faithful schema; the message says why and what to do."""


def tf_files(root: Path) -> list[Path]:
    """Return the project's ``.tf`` files (``modules/`` and ``terraform/``, no ``.terraform``)."""
    found: list[Path] = []
    for top in ("modules", "terraform"):
        base = root / top
        if base.is_dir():
            found.extend(p for p in base.rglob("*.tf") if ".terraform" not in p.parts)
    return sorted(found)


def used_types(files: Iterable[Path], prefix: str = "aws") -> tuple[set[str], set[str]]:
    """Return the (resource types, data-source types) of one provider the files declare.

    ``prefix`` is the provider's type prefix: ``aws`` (``aws_*``) or ``awscc``.
    """
    pattern = _use_pattern(prefix)
    resources: set[str] = set()
    data_sources: set[str] = set()
    for path in files:
        for kind, type_name in pattern.findall(path.read_text(encoding="utf-8")):
            (resources if kind == "resource" else data_sources).add(type_name)
    return resources, data_sources


def provider_pins(files: Iterable[Path], name: str) -> set[str]:
    """Return every ``hashicorp/<name>`` version constraint in ``required_providers`` blocks."""
    pattern = _pin_pattern(name)
    pins: set[str] = set()
    for path in files:
        pins.update(pattern.findall(path.read_text(encoding="utf-8")))
    return pins


def aws_pins(files: Iterable[Path]) -> set[str]:
    """Return every ``hashicorp/aws`` version constraint in ``required_providers`` blocks."""
    return provider_pins(files, "aws")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.strip().lstrip("v").split("."))


def satisfies(version: str, constraint: str) -> bool:
    """Return True when ``version`` meets a Terraform constraint (``~>``, ``>=``, ``=``, ...)."""
    have = _version(version)
    for clause in constraint.split(","):
        match = re.fullmatch(r"\s*(~>|>=|<=|!=|>|<|=)?\s*([\d.]+)\s*", clause)
        if not match:
            raise SchemaGenError(f"cannot read version constraint {constraint!r}")
        op, want_text = match.group(1) or "=", match.group(2)
        want = _version(want_text)
        padded = have + (0,) * (len(want) - len(have))
        checks = {
            "=": padded[: len(want)] == want,
            "!=": padded[: len(want)] != want,
            ">": have > want,
            ">=": have >= want,
            "<": have < want,
            "<=": have <= want,
            "~>": have >= want and have[: len(want) - 1] == want[:-1],
        }
        if not checks[op]:
            return False
    return True


def fetch_bindings(cache: Path) -> Path:
    """Return the cached bindings tarball, downloading it with ``npm pack`` when absent."""
    name = f"cdktn-provider-aws-{BINDINGS_VERSION}.tgz"
    tarball = cache / name
    if not tarball.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SchemaGenError("npm is needed once, to download the CDKTF AWS bindings")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed package spec, npm found on PATH
            [
                npm,
                "pack",
                f"{BINDINGS_PACKAGE}@{BINDINGS_VERSION}",
                "--pack-destination",
                str(cache),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != BINDINGS_INTEGRITY:
        tarball.unlink()
        raise SchemaGenError(f"{name} does not match the pinned sha512; deleted, run again")
    return tarball


def _lib_dir(type_name: str, data: bool) -> str:
    stem = type_name.removeprefix("aws_").replace("_", "-")
    return f"package/lib/{'data-aws-' if data else ''}{stem}/index.js"


def read_members(tarball: Path, wanted: set[str]) -> dict[str, str]:
    """Return the text of the wanted tarball members (one pass over the archive)."""
    found: dict[str, str] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                handle = archive.extractfile(member)
                if handle is not None:
                    found[member.name] = handle.read().decode("utf-8")
                if len(found) == len(wanted):
                    break
    return found


def generate(
    resources: Iterable[str], data_sources: Iterable[str], tarball: Path, pins: Iterable[str]
) -> dict[str, Any]:
    """Return the compact schema document for the given types."""
    wanted_resources = {t: _lib_dir(t, data=False) for t in sorted(set(resources))}
    wanted_data = {t: _lib_dir(t, data=True) for t in sorted(set(data_sources))}
    members = {
        "package/package.json",
        "package/lib/provider/index.js",
        *wanted_resources.values(),
        *wanted_data.values(),
    }
    texts = read_members(tarball, members)
    package = json.loads(texts["package/package.json"])
    provider_version = package["cdktf"]["provider"]["version"]
    for pin in sorted(set(pins)):
        if not satisfies(provider_version, pin):
            raise SchemaGenError(
                f"versions.tf pins hashicorp/aws {pin!r}, but {BINDINGS_PACKAGE} "
                f"{BINDINGS_VERSION} was generated from {provider_version}: pick the bindings "
                "version that matches the pin (BINDINGS_VERSION in schemagen.py)"
            )

    def read(kind: str, table: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        missing = sorted(t for t, member in table.items() if member not in texts)
        if missing:
            raise SchemaGenError(
                f"{kind} type(s) {', '.join(missing)} not found in {BINDINGS_PACKAGE} "
                f"{BINDINGS_VERSION} (hashicorp/aws {provider_version}): misspelt, or newer "
                "than the pinned provider"
            )
        for type_name, member in table.items():
            reader = Reader(texts[member], member)
            if reader.type_name() != type_name:
                raise SchemaGenError(f"{member} declares {reader.type_name()}, not {type_name}")
            out[type_name] = reader.schema()
        return out

    return {
        "provider_source": "registry.terraform.io/hashicorp/aws",
        "provider_version": provider_version,
        "bindings": f"{BINDINGS_PACKAGE}@{BINDINGS_VERSION}",
        "generated_by": "python -m callguard_tools.tfkit.schemagen",
        "provider": Reader(texts["package/lib/provider/index.js"], "provider").schema(),
        "resource_schemas": read("resource", wanted_resources),
        "data_source_schemas": read("data source", wanted_data),
    }


def dump(document: dict[str, Any]) -> str:
    """Serialise compactly but diff-friendly: one line per type."""
    lines = ["{"]
    keys = list(document)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = document[key]
        if key.endswith("_schemas"):
            inner = [
                f"    {json.dumps(t)}: {json.dumps(s, sort_keys=True, separators=(',', ':'))}"
                for t, s in sorted(value.items())
            ]
            lines.append(f'  "{key}": {{\n' + ",\n".join(inner) + f"\n  }}{comma}")
        else:
            encoded = json.dumps(value, sort_keys=True, separators=(",", ":"))
            lines.append(f"  {json.dumps(key)}: {encoded}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate ``aws_schema.json`` and ``awscc_schema.json`` (or check them: ``--check``)."""
    from callguard_tools.tfkit import awscc_schemagen as awscc  # noqa: PLC0415 - no cycle

    parser = argparse.ArgumentParser(prog="python -m callguard_tools.tfkit.schemagen")
    parser.add_argument("--root", type=Path, default=repo_root(), help="repository root")
    parser.add_argument("--output", type=Path, default=SCHEMA_PATH)
    parser.add_argument("--awscc-output", type=Path, default=awscc.SCHEMA_PATH)
    parser.add_argument(
        "--check", action="store_true", help="fail when a committed schema lacks a used type"
    )
    args = parser.parse_args(argv)
    files = tf_files(args.root)
    resources, data_sources = used_types(files)
    cc_resources, cc_data_sources = used_types(files, awscc.PREFIX)
    if args.check:
        missing = [
            (args.output, line)
            for line in missing_types(resources, data_sources, load_document(args.output))
        ] + [
            (args.awscc_output, line)
            for line in missing_types(
                cc_resources, cc_data_sources, load_document(args.awscc_output)
            )
        ]
        for output, line in missing:
            print(f"missing from {output.name}: {line}", file=sys.stderr)
        return 1 if missing else 0
    try:
        document = generate(
            resources | set(CORE_RESOURCES),
            data_sources | set(CORE_DATA_SOURCES),
            fetch_bindings(tfkit_dir() / "npm"),
            aws_pins(files),
        )
        cc_resources |= set(awscc.CORE_RESOURCES)
        cc_data_sources |= set(awscc.CORE_DATA_SOURCES)
        cc_document = awscc.generate(
            cc_resources,
            cc_data_sources,
            awscc.read_wheel(
                awscc.fetch_wheel(tfkit_dir() / "pypi"),
                awscc.wanted_dirs(cc_resources, cc_data_sources),
            ),
            provider_pins(files, awscc.PREFIX),
        )
    except (SchemaGenError, BindingError) as exc:
        print(f"schemagen: error: {exc}", file=sys.stderr)
        return 1
    for output, doc, name in (
        (args.output, document, "aws"),
        (args.awscc_output, cc_document, "awscc"),
    ):
        output.write_text(dump(doc), encoding="utf-8")
        print(
            f"wrote {output} ({len(doc['resource_schemas'])} resources, "
            f"{len(doc['data_source_schemas'])} data sources; hashicorp/{name} "
            f"{doc['provider_version']} from {doc['bindings']})"
        )
    return 0


def load_document(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """Load a generated schema document."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def missing_types(
    resources: Iterable[str], data_sources: Iterable[str], document: dict[str, Any]
) -> list[str]:
    """Return ``resource aws_x`` / ``data aws_y`` lines for used types the schema lacks."""
    return [f"resource {t}" for t in sorted(set(resources) - set(document["resource_schemas"]))] + [
        f"data {t}" for t in sorted(set(data_sources) - set(document["data_source_schemas"]))
    ]


if __name__ == "__main__":
    raise SystemExit(main())
