"""``Network`` as a scikit-learn estimator (chapters 1 and 4).

clone, GridSearchCV, cross_val_score and a Pipeline with StandardScaler; bit-for-bit
reproducibility; history_, early stopping and warm_start; errors for an unfitted network
and for diverging training; and what predict, predict_proba and score return for every
accepted form of targets. Expected values are computed in the tests (accuracy, R^2, the
folds of a cross-validation), never read back from the package.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import nnbook
from nnbook import Dense, Network


def blobs(n=90, n_features=4, n_classes=3, seed=0, spread=1.0):
    """Gaussian blobs around well-separated centres, labels 0..n_classes-1 (interleaved)."""
    rng = np.random.default_rng(seed)
    centres = 4.0 * rng.normal(size=(n_classes, n_features))
    y = np.arange(n) % n_classes
    return centres[y] + spread * rng.normal(size=(n, n_features)), y


def classifier(n_features=4, n_classes=3, **kwargs):
    settings = dict(loss="cross_entropy", learning_rate=0.1, batch_size=16, epochs=30, seed=0)
    settings.update(kwargs)
    return Network([Dense(n_features, 8, "tanh"), Dense(8, n_classes, "softmax")], **settings)


def regressor(n_outputs=1, **kwargs):
    settings = dict(loss="mse", learning_rate=0.05, batch_size=16, epochs=60, seed=0)
    settings.update(kwargs)
    return Network([Dense(3, 10, "tanh"), Dense(10, n_outputs, "identity")], **settings)


def regression_data(n=80, n_outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    Y = np.column_stack([np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2], X[:, 0] - X[:, 1] ** 2])
    return X, (Y[:, 0] if n_outputs == 1 else Y[:, :n_outputs])


def assert_same_parameters(a, b):
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


# ---------------------------------------------------------------- scikit-learn tools


def test_clone_gives_an_unfitted_copy_that_refits_identically():
    X, y = blobs()
    net = classifier(l2=1e-3).fit(X, y)
    copy = clone(net)
    assert copy.get_params().keys() == net.get_params().keys()
    assert copy.l2 == 1e-3 and copy.seed == 0
    assert copy.layers is not net.layers
    with pytest.raises(NotFittedError):
        copy.predict(X)
    assert_same_parameters(copy.fit(X, y), net)


def test_fit_does_not_touch_the_layer_templates():
    X, y = blobs()
    layers = [Dense(4, 8, "tanh"), Dense(8, 3, "softmax")]
    Network(layers, epochs=2, seed=0).fit(X, y)
    assert layers[0].W is None, "fit must work on copies of the layers it was given"


def test_grid_search_matches_a_hand_written_search():
    X, y = blobs(n=60, seed=1, spread=2.5)
    grid = {"learning_rate": [0.01, 0.3], "l2": [0.0, 0.01]}
    folds = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(classifier(epochs=10), grid, cv=folds).fit(X, y)
    # The same search by hand: fit a fresh network per candidate and fold, score on the
    # held-out part, average.
    for i, params in enumerate(search.cv_results_["params"]):
        scores = []
        for train, test in folds.split(X):
            net = classifier(epochs=10, **params).fit(X[train], y[train])
            scores.append(np.mean(net.predict(X[test]) == y[test]))
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(np.mean(scores))
    best = search.cv_results_["params"][np.argmax(search.cv_results_["mean_test_score"])]
    assert search.best_params_ == best
    assert_same_parameters(search.best_estimator_, classifier(epochs=10, **best).fit(X, y))


def test_cross_val_score_matches_a_hand_written_loop():
    X, y = regression_data(n=60)
    folds = KFold(4)
    scores = cross_val_score(regressor(epochs=20), X, y, cv=folds)
    for score, (train, test) in zip(scores, folds.split(X), strict=True):
        net = regressor(epochs=20).fit(X[train], y[train])
        residual = np.sum((y[test] - net.predict(X[test])) ** 2)
        assert score == pytest.approx(1 - residual / np.sum((y[test] - y[test].mean()) ** 2))


def test_pipeline_with_standard_scaler():
    X, y = blobs(seed=2)
    X = 50.0 + 20.0 * X  # badly scaled features, the reason for the scaler
    pipeline = make_pipeline(StandardScaler(), classifier()).fit(X, y)
    scaled = (X - X.mean(axis=0)) / X.std(axis=0)
    by_hand = classifier().fit(scaled, y)
    np.testing.assert_array_equal(pipeline.predict(X), by_hand.predict(scaled))
    assert pipeline.score(X, y) == by_hand.score(scaled, y) >= 0.95
    # A grid search over the pipeline reaches the network's hyperparameters by name: its
    # scores are those of the pipeline refitted by hand with each value on each fold.
    grid = [0.001, 0.1]
    search = GridSearchCV(pipeline, {"network__learning_rate": grid}, cv=3).fit(X, y)
    by_hand = []
    for rate in grid:
        scores = []
        for train, test in StratifiedKFold(3).split(X, y):
            fold = make_pipeline(StandardScaler(), classifier(learning_rate=rate))
            scores.append(fold.fit(X[train], y[train]).score(X[test], y[test]))
        by_hand.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], by_hand, rtol=1e-12)
    assert by_hand[0] != by_hand[1], "the two learning rates must be told apart"
    assert search.best_params_["network__learning_rate"] == grid[int(np.argmax(by_hand))]


def test_scikit_learn_sees_the_task_of_the_loss():
    # ARCHITECTURE.md: cross_val_score and GridSearchCV work on Network "as on
    # MLPClassifier", whose integer cv means stratified folds.
    assert is_classifier(classifier()) and not is_regressor(classifier())
    assert is_regressor(regressor()) and not is_classifier(regressor())
    # Samples sorted by class (as in iris): plain 3-fold splitting would train each fold
    # without one of the classes; stratified folds keep every class in every fold.
    X, y = blobs(seed=14)
    order = np.argsort(y, kind="stable")
    X, labels = X[order], np.array(["a", "b", "c"])[y[order]]
    scores = cross_val_score(classifier(), X, labels, cv=3)
    for score, (train, test) in zip(scores, StratifiedKFold(3).split(X, labels), strict=True):
        net = classifier().fit(X[train], labels[train])
        assert score == np.mean(net.predict(X[test]) == labels[test])
    assert scores.min() >= 0.9


# ---------------------------------------------------------------- training behaviour


def test_same_seed_same_result_bit_for_bit():
    X, y = blobs()
    first = classifier(optimizer="adam", learning_rate=0.01).fit(X, y)
    second = classifier(optimizer="adam", learning_rate=0.01).fit(X, y)
    assert_same_parameters(first, second)
    assert first.history_ == second.history_
    third = classifier(optimizer="adam", learning_rate=0.01, seed=1).fit(X, y)
    assert not np.array_equal(first.parameters()[0], third.parameters()[0])
    # Refitting the same object starts again from the seed.
    assert_same_parameters(first.fit(X, y), second)


def test_history_records_every_epoch_and_validation_metrics():
    X, y = blobs(seed=3)
    X_val, y_val = blobs(n=30, seed=3)
    net = classifier(epochs=12).fit(X, y, validation_data=(X_val, y_val))
    assert set(net.history_) == {"loss", "val_loss", "val_score"}
    assert all(len(values) == 12 for values in net.history_.values())
    assert net.history_["loss"][-1] < net.history_["loss"][0]
    # The last entries describe the final parameters.
    assert net.history_["val_loss"][-1] == pytest.approx(net.cost(X_val, y_val), rel=1e-12)
    assert net.history_["val_score"][-1] == np.mean(net.predict(X_val) == y_val)
    assert set(classifier(epochs=3).fit(X, y).history_) == {"loss"}


def test_history_loss_of_a_single_batch_epoch_is_the_cost_before_the_step():
    X, y = blobs(n=20)
    start = classifier(epochs=1, batch_size=20).initialize()
    net = classifier(epochs=1, batch_size=20).fit(X, y)
    assert net.history_["loss"] == [pytest.approx(start.cost(X, y), rel=1e-12)]


def test_history_loss_of_a_single_batch_epoch_is_the_cost_before_the_step_with_l2():
    X, y = blobs(n=20)
    start = classifier(epochs=1, batch_size=20, l2=0.05).initialize()
    net = classifier(epochs=1, batch_size=20, l2=0.05).fit(X, y)
    assert net.history_["loss"] == [pytest.approx(start.cost(X, y), rel=1e-12)]


def _noisy_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] + rng.normal(scale=1.5, size=60) > 0).astype(int)
    X_val = rng.normal(size=(40, 5))
    return X, y, X_val, (X_val[:, 0] > 0).astype(int)


def test_early_stopping_restores_the_best_parameters():
    X, y, X_val, y_val = _noisy_problem()

    def make(**kwargs):
        return Network([Dense(5, 30, "relu"), Dense(30, 2, "softmax")], learning_rate=0.3,
                       batch_size=8, seed=1, **kwargs)

    net = make(epochs=200, patience=5).fit(X, y, validation_data=(X_val, y_val))
    val_loss = net.history_["val_loss"]
    best = int(np.argmin(val_loss)) + 1
    assert net.best_epoch_ == best
    assert len(val_loss) == best + 5 < 200, "training should stop 5 epochs after the best"
    assert net.cost(X_val, y_val) == pytest.approx(min(val_loss), rel=1e-12)
    # The restored parameters are those of a run that simply stops at the best epoch.
    assert_same_parameters(net, make(epochs=best).fit(X, y, validation_data=(X_val, y_val)))


def seeded_generator_after_initial_weights(seed, weight_shapes):
    """The generator seeded with ``seed`` after drawing the Glorot-uniform weights of the
    given shapes, as a network's generator is when its first epoch starts."""
    rng = np.random.default_rng(seed)
    for shape in weight_shapes:
        rng.uniform(-1.0, 1.0, size=shape)  # the bounds do not change what is consumed
    return rng


def test_early_stopping_holds_out_validation_fraction_without_validation_data():
    X, y = blobs(n=100, seed=4)
    net = classifier(epochs=40, patience=3, validation_fraction=0.2).fit(X, y)
    assert len(net.history_["val_loss"]) == len(net.history_["loss"]) <= 40
    val_loss = net.history_["val_loss"]
    assert net.best_epoch_ == int(np.argmin(val_loss)) + 1
    assert len(val_loss) in (40, net.best_epoch_ + 3)
    # The held-out samples are the first 20 of a permutation by the seeded generator; the
    # restored parameters give the best validation cost on exactly those samples, and
    # differ from it on any other 20.
    order = seeded_generator_after_initial_weights(0, [(4, 8), (8, 3)]).permutation(100)
    held_out = order[:20]
    assert net.cost(X[held_out], y[held_out]) == pytest.approx(min(val_loss), rel=1e-12)
    assert net.cost(X[order[-20:]], y[order[-20:]]) != pytest.approx(min(val_loss), rel=1e-6)


def test_shuffling_follows_the_seeded_generator():
    # One epoch of SGD by hand, in the order of the seeded generator's permutation.
    X, y = blobs(n=45, seed=15)
    net = classifier(epochs=1, batch_size=10).fit(X, y)

    def one_epoch_by_hand(order):
        ref = classifier().initialize()
        for start in range(0, len(order), 10):
            batch = order[start:start + 10]
            step = [p - 0.1 * g for p, g in zip(ref.parameters(), ref.gradients(X[batch],
                                                                                 y[batch]))]
            ref.set_parameters(step)
        return ref.parameters()

    order = seeded_generator_after_initial_weights(0, [(4, 8), (8, 3)]).permutation(45)
    for p, q in zip(net.parameters(), one_epoch_by_hand(order), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    # The order matters: samples in their given order end elsewhere.
    unshuffled = one_epoch_by_hand(np.arange(45))
    assert max(np.max(np.abs(p - q)) for p, q in zip(net.parameters(), unshuffled)) > 1e-4
    # shuffle=False is that given order.
    for p, q in zip(classifier(epochs=1, batch_size=10, shuffle=False).fit(X, y).parameters(),
                    unshuffled, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_warm_start_continues_training():
    X, y = blobs(seed=5)
    net = classifier(optimizer="momentum", epochs=3, warm_start=True).fit(X, y)
    net.set_params(epochs=2).fit(X, y)
    # 3 + 2 epochs with the same generator and optimizer state = 5 epochs in one go.
    five = classifier(optimizer="momentum", epochs=5).fit(X, y)
    assert_same_parameters(net, five)
    assert net.history_["loss"] == five.history_["loss"][3:]
    # Without warm_start, a second fit starts again from the seed.
    cold = classifier(optimizer="momentum", epochs=3).fit(X, y)
    assert_same_parameters(cold.set_params(epochs=2).fit(X, y),
                           classifier(optimizer="momentum", epochs=2).fit(X, y))


def test_warm_start_honours_a_new_learning_rate_and_keeps_the_optimizer_state():
    X, y = blobs(seed=5)
    net = classifier(optimizer="adam", learning_rate=0.01, epochs=2, warm_start=True).fit(X, y)
    steps = net.optimizer_.iterations
    first_moment = [m.copy() for m, _ in net.optimizer_.state]
    before = [p.copy() for p in net.parameters()]
    grads = net.gradients(X, y)
    net.set_params(learning_rate=1e-4, epochs=1, batch_size=len(X), shuffle=False).fit(X, y)
    assert net.optimizer_.learning_rate == 1e-4
    assert net.optimizer_.iterations == steps + 1
    # The one full-batch Adam step, written out, with the kept moments and step count.
    t = steps + 1
    for w0, w1, g, m0, (_, v) in zip(before, net.parameters(), grads, first_moment,
                                      net.optimizer_.state):
        m = 0.9 * m0 + 0.1 * g
        step = 1e-4 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        np.testing.assert_allclose(w1, w0 - step, rtol=1e-10, atol=1e-14)


def test_regression_predictions_are_vectors_for_one_output_before_and_after_fit():
    X, y = regression_data()
    fresh = regressor().initialize()
    assert fresh.predict(X).shape == (len(X),)
    assert regressor().fit(X, y).predict(X).shape == (len(X),)
    # Targets given as a column come back as a column.
    assert regressor().fit(X, y[:, None]).predict(X).shape == (len(X), 1)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_using_an_unfitted_network_raises_not_fitted_error(method):
    X, y = blobs()
    net = classifier()
    with pytest.raises(NotFittedError):
        getattr(net, method)(*((X, y) if method == "score" else (X,)))


def test_divergence_raises_and_suggests_a_smaller_learning_rate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([30.0, -20.0, 10.0])
    net = Network([Dense(3, 8, "relu"), Dense(8, 1)], loss="mse", learning_rate=5.0,
                  epochs=50, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(nnbook.TrainingDivergedError, match="learning rate") as info:
            net.fit(X, y)
    assert "diverged" in str(info.value)


@pytest.mark.parametrize("loss, learning_rate, epochs", [
    ("cross_entropy", 1e6, 20),  # the cost goes from about 1.5 to about 1e5
    ("mse", 1e3, 20),  # the cost would end near 1e152, still finite
])
def test_divergence_that_stays_finite_is_caught(loss, learning_rate, epochs):
    X, y = blobs(seed=16)
    if loss == "mse":
        X, y = regression_data(n=80)
        net = regressor(learning_rate=learning_rate, epochs=epochs)
    else:
        net = classifier(learning_rate=learning_rate, epochs=epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(nnbook.TrainingDivergedError, match="smaller learning rate") as info:
            net.fit(X, y)
    assert "1000 times" in str(info.value)


def test_a_cost_that_grows_less_than_a_thousandfold_is_no_divergence():
    # Learning rate 10 is far too large for this network: the cost rises to several times
    # where it started and bounces, but stays below the rule's factor of 1000.
    X, y = blobs(n=90, seed=0)
    net = classifier(learning_rate=10.0, epochs=20).fit(X, y)
    start = classifier().initialize().cost(X, y)
    assert 3 * start < max(net.history_["loss"]) < 1000 * start


def test_predict_on_huge_inputs_is_quiet_or_a_clear_error():
    X, y = blobs(seed=17)
    huge = np.full((3, 4), 1e308)
    net = classifier(epochs=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow must not leak a RuntimeWarning
        labels = net.predict(huge)  # tanh saturates: a finite, meaningful answer
        assert np.all(np.isfinite(net.predict_proba(huge)))
    assert labels.shape == (3,) and set(labels) <= {0, 1, 2}
    # Here a hidden unit reaches inf and the next layer makes NaN of it (inf - inf).
    relu = Network([Dense(4, 8, "relu"), Dense(8, 3, "softmax")], epochs=2, seed=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="overflowed"):
            relu.predict(huge)


def test_warm_start_refuses_other_layers_and_accepts_equal_ones():
    X, y = blobs(seed=5)
    net = classifier(epochs=2, warm_start=True).fit(X, y)
    net.set_params(layers=[Dense(4, 8, "tanh"), Dense(8, 2, "softmax")])
    with pytest.raises(ValueError, match="warm_start=True cannot continue"):
        net.fit(X, y % 2)
    # New objects that describe the same layers continue training.
    net.set_params(layers=[Dense(4, 8, "tanh"), Dense(8, 3, "softmax")]).fit(X, y)
    assert_same_parameters(net, classifier(epochs=4).fit(X, y))
    # Without warm start the new layers simply train from scratch.
    net.set_params(warm_start=False, layers=[Dense(4, 8, "tanh"), Dense(8, 2, "softmax")])
    assert net.fit(X, y % 2).predict_proba(X).shape == (len(X), 2)


def test_training_learns():
    X, y = blobs(n=150, seed=6)
    net = classifier(epochs=40).fit(X[:100], y[:100])
    assert net.score(X[100:], y[100:]) >= 0.95
    X, y = regression_data(n=200)
    net = regressor(epochs=300, optimizer="adam", learning_rate=0.01).fit(X[:150], y[:150])
    assert net.score(X[150:], y[150:]) >= 0.9


# ---------------------------------------------------------------- predict / score semantics


def r_squared(y, prediction):
    """Coefficient of determination, averaged over output columns."""
    y, prediction = y.reshape(len(y), -1), prediction.reshape(len(y), -1)
    residual = np.sum((y - prediction) ** 2, axis=0)
    total = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
    return np.mean(1 - residual / total)


def test_integer_labels():
    X, y = blobs(seed=7, spread=2.5)
    net = classifier(epochs=5).fit(X, y)
    proba = net.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    prediction = net.predict(X)
    assert prediction.shape == (len(X),) and prediction.dtype.kind in "iu"
    np.testing.assert_array_equal(prediction, np.argmax(proba, axis=1))
    np.testing.assert_array_equal(net.classes_, [0, 1, 2])
    assert net.score(X, y) == np.mean(prediction == y)


def test_non_contiguous_integer_labels():
    X, y = blobs(seed=8)
    labels = np.array([3, 5, 9])[y]
    net = classifier().fit(X, labels)
    np.testing.assert_array_equal(net.classes_, [3, 5, 9])
    prediction = net.predict(X)
    np.testing.assert_array_equal(prediction, net.classes_[np.argmax(net.predict_proba(X), 1)])
    assert net.score(X, labels) == np.mean(prediction == labels) >= 0.95


def test_one_hot_targets_train_like_labels():
    X, y = blobs(seed=9)
    Y = np.eye(3)[y]
    from_labels = classifier().fit(X, y)
    from_one_hot = classifier().fit(X, Y)
    assert_same_parameters(from_labels, from_one_hot)
    np.testing.assert_array_equal(from_one_hot.predict(X), from_labels.predict(X))
    assert from_one_hot.score(X, Y) == from_labels.score(X, y) == np.mean(
        from_labels.predict(X) == y)


def test_string_labels():
    X, y = blobs(seed=10)
    names = np.array(["setosa", "versicolor", "virginica"])
    net = classifier().fit(X, names[y])
    np.testing.assert_array_equal(net.classes_, names)
    prediction = net.predict(X)
    assert set(prediction) <= set(names)
    np.testing.assert_array_equal(prediction, names[np.argmax(net.predict_proba(X), axis=1)])
    assert net.score(X, names[y]) == np.mean(prediction == names[y]) >= 0.95
    # The string labels train exactly like the integer labels they sort to.
    assert_same_parameters(net, classifier().fit(X, y))


def test_fewer_labels_than_outputs_is_refused_naming_y():
    # Labels that are not 0..K-1 cannot be matched to output units unless there is one
    # unit per label, so fit refuses them instead of predicting labels it cannot name.
    X, y = blobs(seed=11)
    names = np.array(["a", "b", "c"])
    with pytest.raises(ValueError, match=r"\by\b.*2 distinct labels"):
        classifier(epochs=2).fit(X[y < 2], names[y[y < 2]])  # 2 labels, 3 outputs
    with pytest.raises(ValueError, match=r"\by\b"):
        classifier(epochs=2).fit(X[y < 2], y[y < 2] + 5)  # integer labels 5, 6 on 3 outputs
    # Integer labels 0..K-1 index the outputs directly, even when one class is absent.
    net = classifier(epochs=2).fit(X[y < 2], y[y < 2])
    assert list(net.classes_) == [0, 1, 2]


def _binary_net(**kwargs):
    return Network([Dense(4, 6, "tanh"), Dense(6, 1, "sigmoid")], loss="binary_cross_entropy",
                   learning_rate=0.2, batch_size=16, epochs=20, seed=0, **kwargs)


def test_binary_labels_as_vector_column_and_strings():
    X, y = blobs(n_classes=2, seed=12)
    vector = _binary_net().fit(X, y)
    with pytest.warns(DataConversionWarning, match="column-vector"):
        column = _binary_net().fit(X, y[:, None])  # accepted, with scikit-learn's warning
    strings = _binary_net().fit(X, np.array(["no", "yes"])[y])
    assert_same_parameters(vector, column)
    assert_same_parameters(vector, strings)
    proba = vector.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    prediction = vector.predict(X)
    assert prediction.shape == (len(X),)
    np.testing.assert_array_equal(prediction, (proba[:, 1] > 0.5).astype(int))
    np.testing.assert_array_equal(column.predict(X), prediction)
    np.testing.assert_array_equal(strings.predict(X), np.array(["no", "yes"])[prediction])
    accuracy = np.mean(prediction == y)
    assert vector.score(X, y) == column.score(X, y[:, None]) == accuracy >= 0.95
    assert strings.score(X, np.array(["no", "yes"])[y]) == accuracy


def test_regression_with_a_vector_target():
    X, y = regression_data()
    net = regressor().fit(X, y)
    prediction = net.predict(X)
    assert prediction.shape == (len(X),)
    assert net.score(X, y) == pytest.approx(r_squared(y, prediction), rel=1e-12)
    with pytest.raises(AttributeError):
        net.predict_proba(X)


def test_regression_with_a_target_matrix():
    X, Y = regression_data(n_outputs=2)
    net = regressor(n_outputs=2).fit(X, Y)
    prediction = net.predict(X)
    assert prediction.shape == (len(X), 2)
    assert net.score(X, Y) == pytest.approx(r_squared(Y, prediction), rel=1e-12)
    # One output unit fitted to a column keeps the column shape.
    X, y = regression_data()
    assert regressor().fit(X, y[:, None]).predict(X).shape == (len(X), 1)


def test_float32_networks_train_and_predict_in_float32():
    X, y = blobs(seed=13)
    net = classifier(dtype="float32").fit(X, y)
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.predict_proba(X).dtype == np.float32
    assert net.score(X, y) >= 0.95


# ---------------------------------------------------------------- initial parameters


@pytest.mark.parametrize("activation, variance, kind", [
    ("tanh", 2.0 / (400 + 300), "uniform"), ("sigmoid", 2.0 / (400 + 300), "uniform"),
    ("identity", 2.0 / (400 + 300), "uniform"), ("softmax", 2.0 / (400 + 300), "uniform"),
    ("relu", 2.0 / 400, "normal"), ("leaky_relu", 2.0 / 400, "normal"),
    ("elu", 2.0 / 400, "normal"), ("gelu", 2.0 / 400, "normal"), ("silu", 2.0 / 400, "normal"),
])
def test_default_initialization(activation, variance, kind):
    # Glorot uniform on (-sqrt(6 / (n_in + n_out)), +...) for the sigmoid family, He normal
    # N(0, 2 / n_in) for the ReLU family, biases zero (chapter 2). 120,000 weights estimate
    # the variance to about 0.5 %.
    net = Network([Dense(400, 300, activation)], loss="mse", seed=3).initialize()
    W, b = net.parameters()
    assert W.shape == (400, 300) and b.shape == (300,)
    np.testing.assert_array_equal(b, 0.0)
    assert abs(W.mean()) < 0.01 * np.sqrt(variance)
    assert W.var() == pytest.approx(variance, rel=0.02)
    if kind == "uniform":
        limit = np.sqrt(6.0 / 700)
        assert limit * 0.999 < np.abs(W).max() <= limit
    else:
        # A normal distribution has kurtosis 3, a uniform one 1.8.
        assert np.mean(W**4) / W.var() ** 2 == pytest.approx(3.0, rel=0.05)


def test_named_initializer_and_seeded_parameters():
    net = Network([Dense(300, 200, "relu", initializer="normal")], loss="mse", seed=0)
    W = net.initialize().parameters()[0]
    assert W.var() == pytest.approx(1.0, rel=0.02)
    again = Network([Dense(300, 200, "relu", initializer="normal")], loss="mse", seed=0)
    np.testing.assert_array_equal(again.initialize().parameters()[0], W)
    other = Network([Dense(300, 200, "relu", initializer="normal")], loss="mse", seed=1)
    assert not np.array_equal(other.initialize().parameters()[0], W)


# ---------------------------------------------------------------- data helpers


def test_data_helpers():
    X, y = nnbook.data.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert nnbook.data.load_digits(images=True)[0].shape == (1797, 8, 8, 1)
    np.testing.assert_array_equal(nnbook.data.one_hot(np.array([2, 0, 1])), np.eye(3)[[2, 0, 1]])
    assert nnbook.data.one_hot(np.array([1]), n_classes=4).shape == (1, 4)
    X_train, X_test, y_train, y_test = nnbook.data.train_test_split(X, y, test_size=0.25)
    assert len(X_test) == 450 and len(X_train) == 1347
    # stratified: every class keeps its share, up to rounding
    np.testing.assert_allclose(np.bincount(y_test) / len(y_test), np.bincount(y) / len(y),
                               atol=1.0 / len(y_test))
    again = nnbook.data.train_test_split(X, y, test_size=0.25)
    np.testing.assert_array_equal(again[3], y_test)
    Xf, zf = nnbook.data.make_franke(n_samples=50, noise=0.0)
    assert Xf.shape == (50, 2) and zf.shape == (50,)
    np.testing.assert_allclose(zf, nnbook.data.franke_function(Xf[:, 0], Xf[:, 1]))
    # Franke's function at (0, 0), from its four exponentials written out.
    at_origin = (0.75 * np.exp(-4 / 4 - 4 / 4) + 0.75 * np.exp(-1 / 49 - 1 / 10)
                 + 0.5 * np.exp(-49 / 4 - 9 / 4) - 0.2 * np.exp(-16 - 49))
    assert nnbook.data.franke_function(0.0, 0.0) == pytest.approx(at_origin, rel=1e-14)


def test_mnist_subset():
    # One load (about 5 s): the flat form is the image form reshaped.
    images, y = nnbook.data.load_mnist_subset(images=True)
    assert images.shape == (5000, 28, 28, 1) and images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))


def test_score_of_an_initialized_network_before_fit():
    # Chapters score untrained networks (chance level) before training them.
    X, y = blobs(seed=3)
    net = classifier().initialize()
    accuracy = net.score(X, y)
    assert accuracy == np.mean(np.argmax(net.predict_proba(X), axis=1) == y)
