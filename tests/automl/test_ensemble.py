import numpy as np
import pytest

from automl._ensemble import ensemble_selection
from automl._task import METRICS


def test_complementary_models_are_combined():
    y = np.array([0, 1] * 50)
    rng = np.random.RandomState(0)
    noise = rng.uniform(size=100)
    # Each model is right on a different half of the rows; their average is right everywhere.
    a = np.where(np.arange(100) < 50, y, 1 - y).astype(float)
    b = np.where(np.arange(100) >= 50, y, 1 - y).astype(float)
    preds = [np.c_[1 - p * 0.6 - 0.2, p * 0.6 + 0.2] for p in (a, b)]
    preds.append(np.c_[noise, 1 - noise])
    weights = ensemble_selection(preds, y, METRICS["log_loss"], size=20, labels=np.arange(2))
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] > 0 and weights[1] > 0


def test_a_dominant_model_takes_all_the_weight():
    y = np.linspace(0, 1, 50)
    preds = [y.copy(), y + 1.0, y - 2.0]
    weights = ensemble_selection(preds, y, METRICS["rmse"], size=10)
    assert weights.tolist() == [1.0, 0.0, 0.0]
