"""The estimator's link to its past: warm-start configurations in, trials out."""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl._space import SPACE_VERSION, config_key, translate

MAX_WARM_CONFIGS = 25


def resolve_knowledge_base(value):
    """A KnowledgeBase from the estimator's ``knowledge_base`` parameter."""
    from knowledge_base import KnowledgeBase

    if value is None:
        return KnowledgeBase.default(on_corrupt="skip")
    if isinstance(value, KnowledgeBase):
        return value
    if isinstance(value, (str, os.PathLike)):
        return KnowledgeBase(Path(value), on_corrupt="skip")
    raise TypeError(
        "`knowledge_base` must be None, a folder path or a KnowledgeBase, "
        f"got {type(value).__name__}."
    )


@dataclass
class WarmStart:
    """What the knowledge base suggested for one fit, and how to record the fit afterwards."""

    configurations: list = field(default_factory=list)
    origins: list[dict[str, Any]] = field(default_factory=list)
    neighbors: pd.DataFrame = field(default_factory=pd.DataFrame)
    untranslated: dict[str, int] = field(default_factory=dict)
    prior: list = field(default_factory=list)  # (Configuration, quantile) for the surrogate
    prior_datasets: int = 0
    metafeatures: pd.Series | None = None
    fingerprint: str | None = None
    kb: Any = None
    reason: str = ""
    seconds: float = 0.0

    @classmethod
    def plan(cls, est, frame, target, task, metric, space, seed) -> WarmStart:
        """Meta-features, nearest past datasets and their best configurations, translated."""
        if not (est.warm_start or est.update_knowledge_base):
            return cls(reason="warm_start=False")
        start = time.monotonic()
        from knowledge_base import dataset_fingerprint
        from metalearning import compute_metafeatures
        from metalearning.warmstart import leave_one_out_exclusions, suggest_configurations

        kb = resolve_knowledge_base(est.knowledge_base)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mf = compute_metafeatures(frame, target, task=task.value, random_state=0)
        plan = cls(metafeatures=mf, fingerprint=dataset_fingerprint(frame, target), kb=kb)
        if not est.warm_start:
            plan.reason = "warm_start=False"
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # NaN meta-features
                exclude = (
                    leave_one_out_exclusions(kb, mf, plan.fingerprint) if est.leave_one_out else []
                )
                found = suggest_configurations(
                    kb, mf, task.value, metric=metric.name, exclude=exclude
                )
            plan.neighbors = found.neighbors
            plan._translate(found.suggestions, space)
            if est.transfer:
                plan._translate_prior(found.transfer, space)
            plan.reason = "" if plan.configurations else "no similar dataset in the knowledge base"
        plan.seconds = time.monotonic() - start
        return plan

    def _translate(self, suggestions, space) -> None:
        for s in suggestions:
            config, why = translate(s.config, space)
            if config is None:
                reason = (
                    "model not in this space" if why.startswith("model") else "value out of space"
                )
                self.untranslated[reason] = self.untranslated.get(reason, 0) + 1
                continue
            if len(self.configurations) >= MAX_WARM_CONFIGS:
                break
            self.configurations.append(config)
            self.origins.append(
                {
                    "dataset_id": s.dataset_id,
                    "dataset": s.dataset_name,
                    "distance": s.distance,
                    "past_loss": s.loss,
                    "past_metric": s.metric,
                    "source": s.source,
                    "key": config_key(config),
                }
            )

    def _translate_prior(self, results, space) -> None:
        """Past results that fit this space, except the warm configurations (run for real)."""
        warm = {o["key"] for o in self.origins}
        datasets = set()
        for r in results:
            config, _ = translate(r.config, space)
            if config is None or config_key(config) in warm:
                continue
            self.prior.append((config, r.quantile))
            datasets.add(r.dataset_id)
        self.prior_datasets = len(datasets)

    def explain(self, trials: pd.DataFrame, n_prior_told: int = 0) -> dict[str, Any]:
        """Which datasets were nearest, what came from each, and how it scored here."""
        scored = {
            config_key(c): (s, st)
            for c, s, st in zip(trials["config"], trials["score"], trials["status"])
        }
        configs = []
        for origin in self.origins:
            score, status = scored.get(origin["key"], (np.nan, "not run"))
            entry = {k: v for k, v in origin.items() if k != "key"}
            entry.update(score_here=score, status_here=status)
            configs.append(entry)
        return {
            "used": bool(self.configurations),
            "reason": self.reason,
            "fingerprint": self.fingerprint,
            "neighbors": self.neighbors.to_dict("records") if len(self.neighbors) else [],
            "configurations": configs,
            "untranslated": dict(self.untranslated),
            "transfer": {
                "results": len(self.prior),
                "datasets": self.prior_datasets,
                "told_to_optimizer": int(n_prior_told),
            },
            "seconds": round(self.seconds, 3),
        }

    def record(self, est, result, spec) -> None:
        """Append this dataset and every trial to the user's knowledge base."""
        if self.kb is None or self.metafeatures is None or not self.kb.writable:
            return
        from metalearning.warmstart import metafeatures_json

        n_rows = sum(len(v) for v in spec.splits[0])
        dataset = pd.DataFrame(
            [
                {
                    "dataset_id": self.fingerprint,
                    "name": f"user-{self.fingerprint[:8]}",
                    "source": "user",
                    "openml_dataset_id": None,
                    "openml_task_id": None,
                    "task": spec.task.value,
                    "n_rows": n_rows,
                    "n_features": len(spec.columns.names),
                    "metafeatures": metafeatures_json(self.metafeatures),
                }
            ]
        )
        runs = runs_frame(result.trials, self.fingerprint, spec, source="user", seed=spec.seed)
        try:
            self.kb.append(datasets=dataset, runs=runs)
        except Exception as exc:  # recording must never cost the user the fitted model
            warnings.warn(f"Could not record this fit in the knowledge base: {exc}", stacklevel=3)


def runs_frame(trials, dataset_id: str, spec, *, source: str, seed: int, fidelity: float = 1.0):
    """Trial records as rows of the knowledge base's runs table."""
    rows = [
        {
            "dataset_id": dataset_id,
            "task": spec.task.value,
            "model": t.model,
            "config": json.dumps(t.config, sort_keys=True, default=_plain),
            "original_config": None,
            "metric": spec.metric,
            "score": None if not np.isfinite(t.score) else float(t.score),
            "loss": None if not np.isfinite(t.loss) else float(t.loss),
            "fit_time": float(t.fit_time),
            "fidelity": fidelity,
            "resampling": spec.resampling,
            "status": t.status,
            "seed": int(seed),
            "source": source,
            "space_version": SPACE_VERSION,
            "error": t.error[:2000] or None,
        }
        for t in trials
    ]
    return pd.DataFrame(rows)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")
