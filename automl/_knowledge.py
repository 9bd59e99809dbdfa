"""The estimator's link to the past: warm-start configurations in, trials out.

Placeholder until the knowledge base lands: no warm start, nothing recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class WarmStart:
    configurations: list = field(default_factory=list)

    @classmethod
    def plan(cls, est, frame, target, task, metric, space, seed) -> WarmStart:
        return cls()

    def explain(self, trials: pd.DataFrame) -> dict:
        return {"used": False, "reason": "no knowledge base", "neighbors": []}

    def record(self, est, result, spec) -> None:
        return None
