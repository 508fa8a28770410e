"""Benchmarks (``make bench``): measured figures, never pass/fail tests.

- :mod:`.runtime`: check-handler cold start and warm latency next to a naive
  baseline handler, our own per-call overhead, and the zip sizes;
- :mod:`.bulk_import`: ``callguard denylist import`` against a PutItem loop.

Everything runs against a local ``moto_server`` on loopback, so absolute times
describe this machine and the emulator, not AWS; the side-by-side ratios and the
overhead excluding the DynamoDB round trip are what carry over.
"""
