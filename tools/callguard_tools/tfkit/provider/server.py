"""The gRPC side of the stand-in provider: the plugin-protocol servicer and the handshake.

Terraform validates configuration against the schema itself (unknown or missing
arguments, block names and counts, value types); the provider only has to serve the
schema faithfully and answer plan, apply and read requests consistently, which is what
this servicer does. Any failure inside a request becomes an error diagnostic naming
the stand-in, never a Python traceback on Terraform's terminal.
"""

# The servicer method names are fixed by Terraform's plugin protocol.
# ruff: noqa: N802

from __future__ import annotations

import base64
import functools
import json
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from concurrent import futures
from typing import Any, TypeVar

import grpc
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.runner import _self_signed_cert
from tf.utils import read_dynamic_value, to_dynamic_value

from callguard_tools.tfkit.provider import applied_values, datasources, planned_values, values
from callguard_tools.tfkit.provider.schema import (
    PROVIDERS,
    Block,
    attributes,
    blocks,
    document,
    schema_to_pb,
)

Response = TypeVar("Response")

#: Region when neither the provider block nor AWS_REGION/AWS_DEFAULT_REGION says one.
DEFAULT_REGION = "us-east-1"
#: The account the stand-in pretends to be in (``allowed_account_ids[0]`` wins).
DEFAULT_ACCOUNT = "123456789012"


def _error(summary: str, detail: str = "") -> pb.Diagnostic:
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)


def _guard(
    response: Callable[..., Any],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn an exception inside a request into an error diagnostic of ``response`` type."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: Any, request: Any, context: Any) -> Any:
            try:
                return method(self, request, context)
            except Exception as exc:  # reported to Terraform as a diagnostic, not swallowed
                detail = "".join(traceback.format_exception(exc, limit=-3))
                kind = getattr(request, "type_name", "")
                name = getattr(self, "name", "aws")
                return response(
                    diagnostics=[_error(f"offline {name} stand-in failed on {kind}: {exc}", detail)]
                )

        return wrapper

    return decorate


def conform(block: Block, value: Any) -> Any:
    """Return ``value`` with exactly the block's attributes and blocks (stored state upgrade)."""
    if value is None:
        return None
    shaped = {name: value.get(name) for name in attributes(block)}
    for name, spec in blocks(block).items():
        current = value.get(name)
        if spec["nesting"] == "single":
            shaped[name] = conform(spec["block"], current) if current is not None else None
        else:
            shaped[name] = [conform(spec["block"], item) for item in current or []]
    return shaped


class StandInProvider(rpc.ProviderServicer):  # type: ignore[misc]
    """Serves a generated schema (hashicorp/aws or hashicorp/awscc) and deterministic results."""

    def __init__(self, name: str = "aws") -> None:
        self.name = name
        doc = document(name)
        self.provider_block: Block = doc["provider"]
        self.resources: dict[str, Block] = doc["resource_schemas"]
        self.data_sources: dict[str, Block] = doc["data_source_schemas"]
        self.ctx = values.Context(region=self._env_region())
        self._schema_response: pb.GetProviderSchema.Response | None = None

    @staticmethod
    def _env_region() -> str:
        return (
            os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        )

    # ---------------------------------------------------------------- schema
    def GetMetadata(self, request: Any, context: Any) -> Any:
        """Advertise the types and that the schema is always served in full."""
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in self.resources],
            data_sources=[
                pb.GetMetadata.DataSourceMetadata(type_name=t) for t in self.data_sources
            ],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        """Return the provider, resource and data-source schemas (built once)."""
        if self._schema_response is None:
            self._schema_response = pb.GetProviderSchema.Response(
                provider=schema_to_pb(self.provider_block),
                provider_meta=pb.Schema(version=0, block=pb.Schema.Block()),
                resource_schemas={t: schema_to_pb(b) for t, b in self.resources.items()},
                data_source_schemas={t: schema_to_pb(b) for t, b in self.data_sources.items()},
                server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            )
        return self._schema_response

    # ---------------------------------------------------------------- validation
    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        """Accept: Terraform has already checked the configuration against the schema."""
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        """Accept: enum and conflict rules are not in the bindings (see the docs)."""
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        """Accept: as for resources."""
        return pb.ValidateDataResourceConfig.Response()

    # ---------------------------------------------------------------- configure
    @_guard(pb.ConfigureProvider.Response)
    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        """Take region, account (``allowed_account_ids``) and default tags from the config."""
        config = read_dynamic_value(request.config) or {}
        region = config.get("region")
        # Values may still be unknown (derived from resources); use only known strings.
        listed = config.get("allowed_account_ids")
        accounts = (
            sorted(a for a in listed if isinstance(a, str)) if isinstance(listed, list) else []
        )
        default_tags: dict[str, str] = {}
        entries = config.get("default_tags")
        for entry in entries if isinstance(entries, list) else []:
            tags = entry.get("tags") if isinstance(entry, dict) else None
            if isinstance(tags, dict):
                default_tags.update({k: v for k, v in tags.items() if isinstance(v, str)})
        self.ctx = values.Context(
            region=region if isinstance(region, str) and region else self._env_region(),
            account=accounts[0] if accounts else DEFAULT_ACCOUNT,
            default_tags=default_tags,
        )
        return pb.ConfigureProvider.Response()

    # ---------------------------------------------------------------- resources
    def _resource(self, type_name: str) -> Block:
        if type_name not in self.resources:
            raise KeyError(f"{type_name} is not in the generated schema (run make schema)")
        return self.resources[type_name]

    @_guard(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        """Re-shape stored JSON state to the current schema (the stand-in has one version)."""
        block = self._resource(request.type_name)
        raw = json.loads(request.raw_state.json) if request.raw_state.json else None
        return pb.UpgradeResourceState.Response(
            upgraded_state=to_dynamic_value(conform(block, raw))
        )

    def ReadResource(self, request: Any, context: Any) -> Any:
        """Report no drift: what was applied is what exists."""
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    @_guard(pb.PlanResourceChange.Response)
    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        """Plan like the real provider: unset computed attributes are unknown."""
        block = self._resource(request.type_name)
        prior = read_dynamic_value(request.prior_state)
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:
            planned = None
        elif prior is None:
            planned = planned_values.plan_create(block, proposed, self.ctx)
        else:
            planned = planned_values.plan_update(block, proposed, self.ctx, prior)
        return pb.PlanResourceChange.Response(
            planned_state=to_dynamic_value(planned), planned_private=request.prior_private
        )

    @_guard(pb.ApplyResourceChange.Response)
    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        """Apply: fill every unknown with a deterministic realistic value; deletes succeed."""
        block = self._resource(request.type_name)
        planned = read_dynamic_value(request.planned_state)
        new_state = (
            None
            if planned is None
            else applied_values.apply(request.type_name, block, planned, self.ctx)
        )
        return pb.ApplyResourceChange.Response(
            new_state=to_dynamic_value(new_state), private=request.planned_private
        )

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        """Refuse: there is nothing real to import offline."""
        return pb.ImportResourceState.Response(
            diagnostics=[
                _error(f"the offline {self.name} stand-in cannot import {request.type_name}")
            ]
        )

    def MoveResourceState(self, request: Any, context: Any) -> Any:
        """Refuse: cross-type moves need the real provider."""
        return pb.MoveResourceState.Response(
            diagnostics=[_error(f"the offline {self.name} stand-in cannot move resource state")]
        )

    # ---------------------------------------------------------------- data sources
    @_guard(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: Any, context: Any) -> Any:
        """Answer from the arguments and the provider configuration, deterministically."""
        if request.type_name not in self.data_sources:
            raise KeyError(f"{request.type_name} is not in the generated schema")
        block = self.data_sources[request.type_name]
        config = read_dynamic_value(request.config) or {}
        state = datasources.read(request.type_name, block, config, self.ctx)
        return pb.ReadDataSource.Response(state=to_dynamic_value(state))

    # ---------------------------------------------------------------- functions, stop
    def GetFunctions(self, request: Any, context: Any) -> Any:
        """No provider functions are served."""
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        """Nothing runs in the background, so stopping is immediate."""
        return pb.StopProvider.Response()


class _Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
    """go-plugin's controller: Terraform asks the plugin to shut down through it."""

    def __init__(self) -> None:
        self.stopped = False

    def Shutdown(self, request: Any, context: Any) -> Any:
        """Mark the server for shutdown once the reply is sent."""
        self.stopped = True
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
    """go-plugin's stdio stream: nothing to forward."""

    def StreamStdio(self, request: Any, context: Any) -> Any:
        """Return an empty stream."""
        return iter([])


def _provider_arg(args: list[str]) -> str:
    """Return the provider named by ``--provider NAME`` (default ``aws``)."""
    if "--provider" not in args:
        return "aws"
    index = args.index("--provider")
    name = args[index + 1] if index + 1 < len(args) else ""
    if name not in PROVIDERS:
        raise SystemExit(f"--provider must be one of {', '.join(PROVIDERS)}, not {name!r}")
    return name


def _server(name: str, controller: _Controller) -> grpc.Server:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    rpc.add_ProviderServicer_to_server(StandInProvider(name), server)
    controller_rpc.add_GRPCControllerServicer_to_server(controller, server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    return server


def serve(argv: list[str] | None = None) -> None:
    """Serve one stand-in provider (``--provider aws|awscc``) on a unix socket.

    Started by Terraform (go-plugin sets ``TF_PLUGIN_MAGIC_COOKIE``), print the
    handshake line and serve over TLS until Terraform shuts the plugin down. With
    ``--reattach``, serve every stand-in (aws and awscc), each on its own socket, print
    one ``TF_REATTACH_PROVIDERS`` value naming them all and serve until terminated, so
    several Terraform runs can share one provider process.
    """
    args = sys.argv[1:] if argv is None else argv
    reattach = "--reattach" in args
    provider = _provider_arg(args)
    if not reattach and os.environ.get("TF_PLUGIN_MAGIC_COOKIE") is None:
        print(
            f"This is the offline stand-in for the hashicorp/{provider} Terraform provider; "
            "Terraform starts it (see docs/offline-terraform.md).",
            file=sys.stderr,
        )
        raise SystemExit(1)
    controller = _Controller()
    names = PROVIDERS if reattach else (provider,)
    servers = [_server(name, controller) for name in names]
    with tempfile.TemporaryDirectory(prefix=f"tfkit-{provider}-") as tmp:
        if reattach:
            entries = {}
            for name, server in zip(names, servers, strict=True):
                socket = os.path.join(tmp, f"{name}.sock")
                server.add_insecure_port(f"unix://{socket}")
                entries[f"registry.terraform.io/hashicorp/{name}"] = {
                    "Protocol": "grpc",
                    "ProtocolVersion": 6,
                    "Pid": os.getpid(),
                    "Test": True,
                    "Addr": {"Network": "unix", "String": socket},
                }
            line = json.dumps(entries)
        else:
            socket = os.path.join(tmp, "plugin.sock")
            try:
                chain, credentials = _self_signed_cert()
            except OSError:
                # The key cache under ~/.cache is an optimisation; without a writable
                # home directory, generate a fresh key in the temporary directory.
                os.environ["HOME"] = tmp
                chain, credentials = _self_signed_cert()
            servers[0].add_secure_port(f"unix://{socket}", credentials)
            cert = base64.b64encode(chain).decode().rstrip("=")
            line = f"1|6|unix|{socket}|grpc|{cert}"
        for server in servers:
            server.start()
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

        def stop(*_: Any) -> None:
            for server in servers:
                server.stop(grace=0)

        signal.signal(signal.SIGTERM, stop)
        try:
            # wait_for_termination returns True on timeout, i.e. while still serving.
            while servers[0].wait_for_termination(0.05) and (reattach or not controller.stopped):
                pass
        except KeyboardInterrupt:
            pass
        stop()
