"""CloudWatch metrics in the invocation's log line: the embedded metric format (EMF), built once.

Lambda ships each log line as is, and CloudWatch extracts the metrics an EMF
``_aws`` block declares, so counting a failed challenge or a lost notification
needs no API call, no permission and no time on the caller's path. Handlers
name what they count as :class:`Metric` values; the envelope turns all of an
invocation's metrics into one block (:func:`embedded`), in the one namespace.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

#: The CloudWatch namespace of every callguard metric.
NAMESPACE: Final = "callguard"


@dataclass(frozen=True, slots=True)
class Metric:
    """One count of ``name``, with the dimensions (name, value) it is counted under."""

    name: str
    dimensions: tuple[tuple[str, str], ...] = ()
    value: int = 1
    unit: str = "Count"


def embedded(metrics: Sequence[Metric], now: float | None = None) -> dict[str, object]:
    """Return the log-line fields that declare ``metrics`` (empty when there are none).

    One directive per metric, each with its own dimension set, under a single
    ``_aws`` block: EMF takes a list of directives, so one line can carry a
    failed challenge and a failed notification at once. Dimension values and
    metric values become top-level fields, as EMF requires.
    """
    if not metrics:
        return {}
    fields: dict[str, object] = {
        "_aws": {
            "Timestamp": int((time.time() if now is None else now) * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [[name for name, _ in metric.dimensions]],
                    "Metrics": [{"Name": metric.name, "Unit": metric.unit}],
                }
                for metric in metrics
            ],
        }
    }
    for metric in metrics:
        fields.update(metric.dimensions)
        fields[metric.name] = metric.value
    return fields
