"""``python -m callguard_tools.bench``: every benchmark, one after the other."""

from __future__ import annotations

from callguard_tools.bench import bulk_import, faults, outbound, outbound_pipeline, runtime


def main() -> None:
    """Run the runtime, fault, bulk-import, outbound job and outbound pipeline benches in turn."""
    runtime.run()
    print(flush=True)
    faults.run()
    print(flush=True)
    bulk_import.run()
    print(flush=True)
    outbound.run()
    print(flush=True)
    outbound_pipeline.run()


if __name__ == "__main__":
    main()
