"""``python -m callguard_tools.bench``: every benchmark, one after the other."""

from __future__ import annotations

from callguard_tools.bench import bulk_import, outbound, runtime


def main() -> None:
    """Run the runtime benchmark, the bulk-import benchmark, then the outbound one."""
    runtime.run()
    print(flush=True)
    bulk_import.run()
    print(flush=True)
    outbound.run()


if __name__ == "__main__":
    main()
