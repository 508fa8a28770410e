"""The stand-in ``hashicorp/aws`` and ``hashicorp/awscc`` providers real Terraform loads offline.

It speaks Terraform's plugin protocol (version 6) through the generated protocol
bindings and TLS handshake of the PyPI ``tf`` package, and serves the schemas generated
from the published bindings (``aws_schema.json``, ``awscc_schema.json``; awscc's nested
objects are nested attributes). The ``tf`` package's own schema classes
offer only set and single nesting, while most AWS blocks are lists, so this package
builds the protocol messages itself (:mod:`.schema`) and keeps ``tf`` for the wire work.

* :mod:`.schema`: compact JSON schema -> protocol ``Schema`` messages;
* :mod:`.values`: what planning and applying share (the provider context, unknowns, digests);
* :mod:`.planned_values`: plan (computed = unknown);
* :mod:`.applied_values` and :mod:`.derived_attributes`: apply (deterministic realistic values);
* :mod:`.datasources`: deterministic answers for the data sources the project reads;
* :mod:`.server`: the gRPC servicer and the go-plugin handshake.
"""
