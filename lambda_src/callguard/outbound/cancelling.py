"""Cancelling a job: one definition for the cancel function and the operator command.

The job is flagged in the results table (the planner then schedules nobody and ends
the remaining receivers ``cancelled``) and in the task-token table (the dialer places
none of the job's queued calls), and every call already waiting is resolved
``cancelled``. The execution is not stopped: it runs on to its report and
notification, which say what happened before the cancel (StopExecution would skip
the report). Cancelling twice is harmless.
"""

from __future__ import annotations

from callguard.outbound.job_results import JobResults
from callguard.outbound.task_tokens import TaskTokenStore


def cancel_job(results: JobResults, tokens: TaskTokenStore, job_id: str) -> int:
    """Stop the job's dialling; return how many waiting calls were ended ``cancelled``."""
    if not job_id:
        raise ValueError("a job id is required")
    results.mark_cancelled(job_id)
    return tokens.cancel_job(job_id)
