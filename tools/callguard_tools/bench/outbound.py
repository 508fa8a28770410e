"""Outbound benchmark: read, validate and render a 10,000-receiver job, ours next to Callouts'.

What is measured, side by side in one run, on the same workbook:

- **Ours**: the job loader (:data:`OUR_LOADER`), which reads the workbook,
  validates it and renders every message of every receiver in the sandbox.
- **Callouts' way** (the anchor): ``pandas.read_excel`` of every sheet, the
  receivers sheet turned into records, then ``jinja2.Template.render`` of the
  greeting, each question and the ending for each receiver, wrapped in
  ``<speak>``. Each template is compiled once, which is kinder to the anchor than
  compiling per render.

Each sample runs in a fresh interpreter, so neither side inherits the other's
imports or memory; the sides alternate, sample after sample, so noise from a
shared machine hits both alike, and the median is reported. *Time* is wall time
inside the child from before the first import of the side's libraries to the end
of the work (imports count: a cold Lambda pays them). *Peak memory* is the
child's peak resident set size, interpreter included; an empty interpreter's
figure is printed for reference. On Linux it is ``VmHWM`` of ``/proc/self/status``,
not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries the parent's high-water
mark into ``ru_maxrss`` across fork and exec, so every child, an empty one too,
would report at least this benchmark's own size (about 40 MiB after it built the
workbook), which hides most of the difference between the two sides.

The outbound Lambda zip's size is printed when ``build/lambda/callguard-outbound.zip``
exists. Knob: ``CALLGUARD_BENCH_OUTBOUND_ROUNDS`` (default 3).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

RECEIVERS: Final = 10_000
ROUNDS: Final = 3
#: Our side, as ``module:function``: ``function(path) -> (job or None, problems)``.
#: This is the one place the benchmark names our reader.
OUR_LOADER: Final = "callguard.outbound.load:load_job"
ZIP: Final = Path("build/lambda/callguard-outbound.zip")
ZIP_BUDGET: Final = 6 * 1024 * 1024
#: Targets from the issue: at most this share of the anchor's time and peak memory.
TIME_TARGET: Final = 0.5
MEMORY_TARGET: Final = 1 / 3

QUESTIONS: Final = (
    ("{{ username }}, will you attend the parents' evening on Friday?", "Yes/No"),
    ("Which session suits you: A morning, B afternoon, C evening?", "Multiple Choice"),
    ("How many people will come with {{ username }}?", "Number"),
    ("On which date could you come instead?", "Date"),
    ("At what time would you arrive?", "Time"),
    ("Please say OK if class {{ class }} may send you reminders.", "OK"),
)

_PREAMBLE: Final = """
import json, resource, sys, time
started = time.perf_counter()
"""
_REPORT: Final = """
finished = time.perf_counter()
try:  # Linux: this process's own high-water mark (ru_maxrss keeps the parent's, see above)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stdout.write(json.dumps({"seconds": finished - started, "peak_kib": peak, "count": count}))
"""
#: The anchor: Callouts' reading (pandas) and rendering (plain Jinja2).
ANCHOR_CHILD: Final = (
    _PREAMBLE
    + """
import jinja2, pandas
sheets = pandas.read_excel(sys.argv[1], sheet_name=None)
config = dict(zip(sheets["configuration"]["Key"], sheets["configuration"]["Value"]))
questions = sheets["questions"].to_dict("records")
receivers = sheets["receivers"].to_dict("records")
templates = [jinja2.Template(str(config["greeting"]))]
templates += [jinja2.Template(str(q["question_template"])) for q in questions]
templates.append(jinja2.Template(str(config["ending"])))
count = 0
for receiver in receivers:
    for template in templates:
        message = "<speak>" + template.render(**receiver) + "</speak>"
        count += 1
"""
    + _REPORT
)
#: Our side: the loader reads, validates and renders; a job with errors is a failure.
OURS_CHILD: Final = (
    _PREAMBLE
    + """
import importlib, pathlib
module, function = sys.argv[2].split(":")
loader = getattr(importlib.import_module(module), function)
job, problems = loader(pathlib.Path(sys.argv[1]))
errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
if job is None or errors:
    sys.exit(f"our loader refused the bench workbook: {errors[:3]}")
count = len(job.receivers) * (len(job.questions) + 2)
"""
    + _REPORT
)
EMPTY_CHILD: Final = _PREAMBLE + "count = 0\n" + _REPORT


@dataclass(frozen=True)
class Sample:
    """One child's figures."""

    seconds: float
    peak_kib: int
    count: int


def build_workbook(path: Path, receivers: int = RECEIVERS) -> None:
    """Write a Callouts-style workbook: configuration, 6 questions, ``receivers`` rows.

    Phone numbers are numeric cells, as spreadsheets store them, with a ``+852``
    prefix in the configuration (the blog's example).
    """
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook(write_only=True)
    config = book.create_sheet("configuration")
    config.append(["Key", "Value"])
    config.append(["greeting", "Hello {{ username }}, this is Riverside School calling."])
    config.append(["ending", "Thank you {{ username }}. Goodbye."])
    config.append(["phone_prefix", "+852"])
    questions = book.create_sheet("questions")
    questions.append(["question_template", "question_type"])
    for row in QUESTIONS:
        questions.append(list(row))
    sheet = book.create_sheet("receivers")
    sheet.append(["id", "phone_number", "username", "class"])
    for index in range(receivers):
        sheet.append([f"s{index:05d}", 91_230_000 + index, f"Parent {index}", f"{index % 12 + 1}B"])
    book.save(path)


def _run(program: str, *args: str) -> Sample:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "child failed")
    data = json.loads(done.stdout)
    return Sample(float(data["seconds"]), int(data["peak_kib"]), int(data["count"]))


def _median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.seconds for s in samples),
        int(statistics.median(s.peak_kib for s in samples)),
        samples[0].count,
    )


def _ours_available() -> str | None:
    """Return why our loader cannot be run, or ``None`` when it can."""
    module, function = OUR_LOADER.split(":")
    check = f"import importlib; getattr(importlib.import_module({module!r}), {function!r})"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return None
    return done.stderr.strip().splitlines()[-1] if done.stderr else "import failed"


def run(rounds: int | None = None, receivers: int = RECEIVERS) -> dict[str, Sample]:
    """Run the benchmark, print its figures and return the medians by side."""
    rounds = rounds or int(os.environ.get("CALLGUARD_BENCH_OUTBOUND_ROUNDS", ROUNDS))
    print(f"== outbound: validate + render {receivers:,} receivers x 6 questions", flush=True)
    print(f"   {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.2f}")
    missing = _ours_available()
    if missing:
        print(f"   ours: {OUR_LOADER} is not available ({missing}); anchor only")
    medians: dict[str, Sample] = {}
    with tempfile.TemporaryDirectory(prefix="callguard-bench-") as folder:
        path = Path(folder) / "job.xlsx"
        build_workbook(path, receivers)
        print(f"   workbook: {path.stat().st_size / 1024:.0f} KiB, {rounds} round(s), medians")
        sides: dict[str, tuple[str, ...]] = {"anchor": (ANCHOR_CHILD, str(path))}
        if not missing:
            sides["ours"] = (OURS_CHILD, str(path), OUR_LOADER)
        samples: dict[str, list[Sample]] = {name: [] for name in sides}
        for _ in range(rounds):
            for name, (program, *args) in sides.items():
                samples[name].append(_run(program, *args))
        medians = {name: _median(found) for name, found in samples.items()}
    empty = _run(EMPTY_CHILD)
    print(f"   {'side':<28}{'time s':>9}{'peak MiB':>10}{'messages':>10}")
    labels = {"ours": "ours (read+validate+render)", "anchor": "Callouts (pandas + Jinja2)"}
    for name, sample in medians.items():
        print(
            f"   {labels[name]:<28}{sample.seconds:>9.2f}{sample.peak_kib / 1024:>10.1f}"
            f"{sample.count:>10,}"
        )
    print(f"   {'empty interpreter':<28}{'':>9}{empty.peak_kib / 1024:>10.1f}")
    if "ours" in medians:
        ours, anchor = medians["ours"], medians["anchor"]
        time_ratio = ours.seconds / anchor.seconds
        memory_ratio = ours.peak_kib / anchor.peak_kib
        net_ratio = (ours.peak_kib - empty.peak_kib) / max(1, anchor.peak_kib - empty.peak_kib)
        print(
            f"   ours/anchor: time {time_ratio:.2f} (target <= {TIME_TARGET:.2f}), "
            f"peak memory {memory_ratio:.2f} (target <= {MEMORY_TARGET:.2f}; "
            f"{net_ratio:.2f} above the empty interpreter)"
        )
    if ZIP.exists():
        size = ZIP.stat().st_size
        verdict = "within" if size <= ZIP_BUDGET else "OVER"
        print(f"   {ZIP}: {size / 1024 / 1024:.2f} MiB ({verdict} the 6 MiB budget)")
    else:
        print(f"   {ZIP}: not built")
    return medians


if __name__ == "__main__":
    run()
