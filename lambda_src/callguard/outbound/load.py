"""The one entry point: read any job file, assemble the model, validate it.

``load_job(path)`` is what the CLI, the intake Lambda and the benchmark call. It
never raises for bad input: every problem comes back as a :class:`Problem`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from callguard.outbound.assemble import assemble
from callguard.outbound.limits import DEFAULT_LIMITS, Limits
from callguard.outbound.model import Job
from callguard.outbound.problems import Problem, UnreadableJobError, error
from callguard.outbound.tables import RawJob
from callguard.outbound.validate import validate_job
from callguard.outbound.xlsx_reader import read_xlsx


def read_raw(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[RawJob, list[Problem]]:
    """Read ``path`` by its kind; raise :class:`UnreadableJobError` if it is none of them."""
    if not path.exists():
        raise UnreadableJobError(error(path.name, "file_missing", "the file does not exist"))
    # Each reader is imported when its format is met: a workbook never loads csv or json.
    if path.is_dir():
        from callguard.outbound.csv_reader import read_csv_bundle  # noqa: PLC0415

        return read_csv_bundle(path, limits)
    suffix = path.suffix.casefold()
    if suffix == ".json":
        from callguard.outbound.json_reader import read_json  # noqa: PLC0415

        return read_json(path, limits)
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, limits)
    if suffix == ".zip":
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                is_workbook = "[Content_Types].xml" in archive.namelist()
            if is_workbook:
                return read_xlsx(path, limits)
            from callguard.outbound.csv_reader import read_csv_bundle  # noqa: PLC0415

            return read_csv_bundle(path, limits)
        return read_xlsx(path, limits)  # reports "not a zip"
    raise UnreadableJobError(
        error(
            path.name,
            "file_format",
            f"{suffix or 'a file without a suffix'} is not a job format; use an .xlsx "
            "workbook, a .json job, or a directory or .zip of the three CSV files",
        )
    )


def load_job(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Job | None, list[Problem]]:
    """Read, assemble and validate the job at ``path``.

    Returns ``(job, problems)``. ``job`` is ``None`` when the file could not be read
    as a job at all (:func:`is_unreadable` is then true); otherwise it holds every
    receiver read without error. The job may be called only when no problem is an
    error (:func:`~callguard.outbound.problems.has_errors`).
    """
    try:
        raw, problems = read_raw(Path(path), limits)
    except UnreadableJobError as exc:
        return None, [exc.problem]
    except OSError as exc:
        return None, [
            error(Path(path).name, "file_missing", f"cannot read the file: {exc.strerror}")
        ]
    job, more = assemble(raw)
    problems.extend(more)
    if job is not None:
        problems.extend(validate_job(job, limits))
    return job, problems


def is_unreadable(problems: list[Problem]) -> bool:
    """Return whether the problems say the file was not a readable job (exit code 2)."""
    return any(p.code.startswith("file_") for p in problems)
