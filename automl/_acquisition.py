"""SMAC's expected improvement weighted by a prior over where the optimum lies (piBO).

Hvarfner et al. 2022: the acquisition at ``x`` is ``EI(x) * prior(x) ** (beta / (t + 1))``,
``t`` the trials SMAC has chosen itself (the initial configurations do not count). Early on the
prior steers the proposals towards what did well on similar datasets; as the search's own
trials accumulate, the exponent falls towards 0 and plain EI takes over. SMAC's own
``PriorAcquisitionFunction`` reads a prior from each hyperparameter's distribution, which its
conditional spaces do not allow (``SMAC_NOTES``); this one takes any density over the vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from smac.acquisition.function import EI
from smac.acquisition.function.abstract_acquisition_function import AbstractAcquisitionFunction

DECAY_BETA = 5.0  # the prior's exponent at SMAC's first own trial


class PriorWeightedEI(AbstractAcquisitionFunction):
    """``EI(xi=0)`` times ``prior(X) ** (decay_beta / (t + 1))``; ``prior`` maps configuration
    vectors (rows, NaN where inactive) to positive values."""

    def __init__(
        self, prior: Callable[[np.ndarray], np.ndarray], decay_beta: float = DECAY_BETA
    ) -> None:
        super().__init__()
        self._ei = EI(xi=0.0, log=False)
        self._prior = prior
        self._decay_beta = decay_beta
        self._initial_trials: int | None = None
        self.iteration = 0

    @property
    def name(self) -> str:
        return "Prior-weighted expected improvement"

    def _update(self, **kwargs: Any) -> None:
        if self._initial_trials is None:
            self._initial_trials = kwargs["num_data"]
        self.iteration = kwargs["num_data"] - self._initial_trials
        self._ei.update(model=self.model, **kwargs)

    def exponent(self) -> float:
        """The prior's current exponent."""
        return self._decay_beta / (self.iteration + 1)

    def _compute(self, X: np.ndarray) -> np.ndarray:
        ei = self._ei._compute(X)
        prior = np.asarray(self._prior(X), dtype=float).reshape(-1, 1)
        return ei * prior ** self.exponent()
