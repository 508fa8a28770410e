"""The sample job workbook ``callguard outbound template`` writes (and the guide shows).

One question of every type, a greeting and an ending that use receiver columns, and
receivers whose numbers are typed as text with the prefix set in the configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import openpyxl
from openpyxl.styles import Font

CONFIGURATION: Final = (
    ("Key", "Value"),
    ("job_id", "open-day-reminder"),
    ("greeting", "Hello {{ name }}, this is Example School calling about the open day."),
    ("ending", "Thank you {{ name }}. Goodbye."),
    ("phone_prefix", "+852"),
    ("source_phone_number", "+85230001234"),
    ("language", "en-US"),
    ("voice", "Joanna"),
    ("window_start", "09:00"),
    ("window_end", "20:00"),
    ("weekdays", "Mon-Fri"),
    ("holidays", "2026-12-25, 2026-12-26"),
    ("default_timezone", "Asia/Hong_Kong"),
    ("max_attempts", "3"),
    ("retry_delay_minutes", "30"),
)
QUESTIONS: Final = (
    ("question_template", "question_type"),
    ("The open day is on {{ date }} at the main hall.", "Message"),
    ("Press 1 or say OK when you have a pen ready.", "OK"),
    ("Will {{ name }} come to the open day?", "Yes/No"),
    (
        "Which session suits you? A: morning, B: noon, C: afternoon, D: evening, E: none.",
        "Multiple Choice",
    ),
    ("How many people will come with you?", "Number"),
    ("On which date could you come if {{ date }} does not suit you?", "Date"),
    ("At what time would you arrive?", "Time"),
)
RECEIVERS: Final = (
    ("id", "phone_number", "name", "date", "class"),
    ("s001", "91234567", "Chan Tai Man", "Saturday 12 December", "3A"),
    ("s002", "+852 6123 4567", "Wong Mei Ling", "Saturday 12 December", "3B"),
    ("s003", "5123 4567", "Lee Ka Yan", "Sunday 13 December", "4A"),
)

SHEETS: Final = (
    ("configuration", CONFIGURATION),
    ("questions", QUESTIONS),
    ("receivers", RECEIVERS),
)


def write_sample(path: Path) -> None:
    """Write the sample workbook to ``path`` (cells as text, so no number loses a zero)."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    if first is not None:
        workbook.remove(first)
    for name, rows in SHEETS:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            for cell in column:
                cell.number_format = "@"
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    workbook.save(path)


def markdown_tables() -> str:
    """Return the sample's sheets as Markdown tables (docs/outbound-jobs.md shows them)."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|")

    parts = []
    for name, rows in SHEETS:
        lines = [
            "| " + " | ".join(cell(c) for c in rows[0]) + " |",
            "|" + "|".join(" --- " for _ in rows[0]) + "|",
            *("| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]),
        ]
        parts.append(f"### Sheet `{name}`\n\n" + "\n".join(lines) + "\n")
    return "\n".join(parts)
