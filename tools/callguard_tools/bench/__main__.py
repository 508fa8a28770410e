"""``python -m callguard_tools.bench``: every benchmark, one after the other."""

from __future__ import annotations

from callguard_tools.bench import bulk_import, runtime


def main() -> None:
    """Run the runtime benchmark, then the bulk-import benchmark."""
    runtime.run()
    print(flush=True)
    bulk_import.run()


if __name__ == "__main__":
    main()
