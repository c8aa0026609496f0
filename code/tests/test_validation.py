"""The shared input checks reject the same targets scikit-learn's classifiers reject."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from groundml._validation import check_classification_targets

X4 = np.arange(8.0).reshape(4, 2)


@pytest.mark.parametrize("y", [[0, 1, 1, 0], ["b", "a", "a", "c"], [2.0, 5.0, 5.0, 2.0],
                               [[1], [0], [1], [0]]])
def test_classes_and_encoding_match_sklearn(y):
    classes, encoded = check_classification_targets(y)
    sk = SkLogisticRegression().fit(X4, np.ravel(y))
    np.testing.assert_array_equal(classes, sk.classes_)
    np.testing.assert_array_equal(classes[encoded], np.ravel(y))


@pytest.mark.parametrize("y, message", [
    ([1, 1, 1, 1], "only one class"),
    ([0.5, 1.0, 0.0, 1.0], "continuous"),
    ([0.0, np.nan, 1.0, 1.0], "NaN"),
    (np.zeros((4, 2)), "1D"),
])
def test_bad_targets_raise_like_sklearn(y, message):
    with pytest.raises(ValueError, match=message):
        check_classification_targets(y)
    with pytest.raises(ValueError):  # scikit-learn rejects the same targets
        SkLogisticRegression().fit(X4, y)
