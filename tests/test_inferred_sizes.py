"""Layer sizes inferred at ``fit`` (chapter 4), and layers listed more than once.

The reference for the short form is the explicit form: with the same seed, a network whose
sizes are inferred from the data must start from, and train to, exactly the parameters of
the network with the same sizes written out. The reference for a layer listed twice is
finite differences of the cost, and a network of separately constructed layers.
"""

import numpy as np
import pandas as pd
import pytest

from nnbook import BatchNorm, Dense, Dropout, Network
from nnbook.convolution import Conv2D, Flatten, MaxPool2D
from nnbook.gradcheck import numerical_gradient, relative_error


def blobs(n=60, n_features=5, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.normal(size=(n_classes, n_features))
    y = np.arange(n) % n_classes
    return centres[y] + rng.normal(size=(n, n_features)), y


def assert_same_parameters(a, b):
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


SETTINGS = dict(learning_rate=0.1, batch_size=16, epochs=5, seed=3)


def test_short_form_classifier_equals_the_explicit_form():
    X, y = blobs()
    labels = np.array(["cat", "dog", "emu"])[y]
    short = Network([Dense(n_outputs=8, activation="tanh"), Dense(activation="softmax")],
                    **SETTINGS).fit(X, labels)
    explicit = Network([Dense(5, 8, "tanh"), Dense(8, 3, "softmax")], **SETTINGS).fit(X, labels)
    assert_same_parameters(short, explicit)
    assert [layer.W.shape for layer in short.layers_] == [(5, 8), (8, 3)]
    np.testing.assert_array_equal(short.predict(X), explicit.predict(X))
    np.testing.assert_array_equal(short.classes_, ["cat", "dog", "emu"])
    assert short.n_features_in_ == 5
    # The templates keep their unknown sizes, so the same network refits other data.
    assert short.layers[0].n_inputs is None and short.layers[1].n_outputs is None
    X4, y4 = blobs(n_features=7, n_classes=4, seed=1)
    short.fit(X4, y4)
    assert [layer.W.shape for layer in short.layers_] == [(7, 8), (8, 4)]
    assert short.n_features_in_ == 7 and list(short.classes_) == [0, 1, 2, 3]


def test_short_form_one_hot_binary_and_regression():
    X, y = blobs()
    one_hot = Network([Dense(n_outputs=6, activation="relu"), Dense(activation="softmax")],
                      **SETTINGS).fit(X, np.eye(3)[y])
    assert one_hot.layers_[-1].n_outputs == 3
    binary = Network([Dense(n_outputs=6, activation="relu"), Dense(activation="sigmoid")],
                     loss="binary_cross_entropy", **SETTINGS).fit(X, y % 2)
    assert_same_parameters(binary, Network(
        [Dense(5, 6, "relu"), Dense(6, 1, "sigmoid")], loss="binary_cross_entropy",
        **SETTINGS).fit(X, y % 2))
    targets = np.column_stack([X[:, 0] - X[:, 1], X[:, 2] ** 2])
    regression = Network([Dense(n_outputs=6, activation="tanh"), Dense()], loss="mse",
                         **SETTINGS).fit(X, targets)
    assert_same_parameters(regression, Network([Dense(5, 6, "tanh"), Dense(6, 2)], loss="mse",
                                               **SETTINGS).fit(X, targets))
    assert regression.predict(X).shape == (len(X), 2)


def test_short_form_with_batch_norm_dropout_and_initialize():
    X, y = blobs()
    layers = [Dense(n_outputs=8, activation="relu"), BatchNorm(), Dropout(0.2),
              Dense(activation="softmax")]
    short = Network(layers, **SETTINGS).initialize(X, y)
    explicit = Network([Dense(5, 8, "relu"), BatchNorm(8), Dropout(0.2),
                        Dense(8, 3, "softmax")], **SETTINGS).initialize()
    assert_same_parameters(short, explicit)
    assert_same_parameters(Network(layers, **SETTINGS).fit(X, y),
                           Network([Dense(5, 8, "relu"), BatchNorm(8), Dropout(0.2),
                                    Dense(8, 3, "softmax")], **SETTINGS).fit(X, y))


def test_short_form_cnn_equals_the_explicit_form():
    rng = np.random.default_rng(0)
    images, y = rng.normal(size=(24, 8, 8, 2)), np.arange(24) % 3
    short = Network([Conv2D(out_channels=4, kernel_size=3, activation="relu"), MaxPool2D(2),
                     Flatten(), Dense(n_outputs=10, activation="relu"),
                     Dense(activation="softmax")], **SETTINGS).fit(images, y)
    explicit = Network([Conv2D(2, 4, 3, activation="relu"), MaxPool2D(2), Flatten(),
                        Dense(4 * 4 * 4, 10, "relu"), Dense(10, 3, "softmax")],
                       **SETTINGS).fit(images, y)
    assert_same_parameters(short, explicit)
    assert short.layers_[0].in_channels == 2 and short.layers_[3].n_inputs == 64


def test_dataframe_feature_names_are_remembered_and_checked():
    X, y = blobs()
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    net = Network([Dense(n_outputs=8, activation="tanh"), Dense(activation="softmax")],
                  **SETTINGS).fit(frame, y)
    assert list(net.feature_names_in_) == ["x0", "x1", "x2", "x3", "x4"]
    # A plain array has no names to compare: accepted, with scikit-learn's warning.
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(net.predict(X), net.predict(frame))
    renamed = frame.rename(columns={"x0": "age"})
    with pytest.raises(ValueError, match="feature names should match"):
        net.predict(renamed)
    with pytest.raises(ValueError, match="same order"):
        net.predict(frame[frame.columns[::-1]])


def test_predict_proba_exists_only_for_classifiers():
    assert hasattr(Network([Dense(2, 3, "softmax")]), "predict_proba")
    assert not hasattr(Network([Dense(2, 1)], loss="mse"), "predict_proba")


# ------------------------------------------------------------------ one layer, listed twice


def check_gradients_by_finite_differences(net, X, y):
    analytic = net.gradients(X, y)
    numeric = numerical_gradient(lambda: net.cost(X, y), net.parameters())
    return max(relative_error(a, n) for a, n in zip(analytic, numeric))


def test_the_same_layer_object_listed_twice_becomes_two_layers():
    X, y = blobs(n=20, n_features=4)
    shared = Dense(4, 4, "tanh")
    net = Network([shared, shared, Dense(4, 3, "softmax")], seed=0).initialize()
    first, second = net.layers_[0], net.layers_[1]
    assert first is not second and first.W is not second.W
    assert not np.array_equal(first.W, second.W), "each layer draws its own weights"
    assert check_gradients_by_finite_differences(net, X, y) < 1e-6
    # ... exactly as two separately constructed layers.
    separate = Network([Dense(4, 4, "tanh"), Dense(4, 4, "tanh"), Dense(4, 3, "softmax")],
                       seed=0)
    assert_same_parameters(net.fit(X, y), separate.fit(X, y))


def test_a_list_multiplied_gives_independent_layers():
    X, y = blobs(n=20, n_features=4)
    net = Network([Dense(4, 4, "tanh")] * 3 + [Dense(4, 3, "softmax")], seed=1).initialize()
    weights = [layer.W for layer in net.layers_[:3]]
    assert len({id(w) for w in weights}) == 3
    assert check_gradients_by_finite_differences(net, X, y) < 1e-6
    separate = Network([Dense(4, 4, "tanh"), Dense(4, 4, "tanh"), Dense(4, 4, "tanh"),
                        Dense(4, 3, "softmax")], seed=1, epochs=3)
    assert_same_parameters(net.set_params(epochs=3).fit(X, y), separate.fit(X, y))


def test_dropout_and_batch_norm_after_a_convolution_need_no_shapes():
    # Dropout() takes any shape and BatchNorm() its features from the layer before, so
    # neither needs input_shape after a convolution any more; the explicit spelling gives
    # the same network.
    rng = np.random.default_rng(1)
    images, y = rng.normal(size=(12, 6, 6, 1)), np.arange(12) % 2
    short = Network([Conv2D(1, 3, 3, activation="relu"), BatchNorm(), Dropout(0.3),
                     Flatten(), Dense(n_outputs=4, activation="relu"),
                     Dense(activation="softmax")], **SETTINGS).fit(images, y)
    explicit = Network([Conv2D(1, 3, 3, activation="relu"),
                        BatchNorm(3, input_shape=(None, None, 3)),
                        Dropout(0.3, input_shape=(None, None, None)), Flatten(),
                        Dense(108, 4, "relu"), Dense(4, 2, "softmax")],
                       **SETTINGS).fit(images, y)
    assert_same_parameters(short, explicit)
    assert short.layers_[1].input_shape == (None, None, 3)
