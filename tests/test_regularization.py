"""Tests of nnbook.regularization (chapter 4): Dropout and BatchNorm.

References: Keras' own layers (``keras.layers.Dropout``, ``keras.layers.BatchNormalization``),
run in float32 with gradients from ``tf.GradientTape`` (agreement to 1e-5), and centred
finite differences of a whole network's cost in float64 (agreement to 1e-7).
"""

import os

import numpy as np
import pytest

from nnbook import Dense, Network
from nnbook.gradcheck import check_gradients, numerical_gradient, relative_error
from nnbook.regularization import BatchNorm, Dropout

FLOAT32_TOLERANCE = 1e-5
FD_TOLERANCE = 1e-7


@pytest.fixture(scope="module")
def tf_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    reason = "TensorFlow is not installed: the layers cannot be compared with Keras'"
    pytest.importorskip("tensorflow", reason=reason)
    pytest.importorskip("keras", reason=reason)
    from nnbook.frameworks import import_tensorflow

    return import_tensorflow()


def keras_forward_backward(tf, layer, x, upstream, training):
    """Output of a Keras layer and the gradients of sum(output * upstream) with respect to
    the input and to the layer's trainable weights, by GradientTape."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x, training=training)
        scalar = tf.reduce_sum(out * upstream)
    grads = tape.gradient(scalar, [x, *layer.trainable_weights])
    return out.numpy(), [g.numpy() for g in grads]


# ----------------------------------------------------------------------------- Dropout
def test_dropout_inference_is_identity():
    layer = Dropout(0.5)
    layer.build(np.random.default_rng(0), "float64")
    x = np.random.default_rng(1).standard_normal((7, 4))
    assert layer.forward(x, training=False) is x
    g = np.ones_like(x)
    np.testing.assert_array_equal(layer.backward(g), g)


def test_dropout_matches_keras_in_training_mode(tf_keras):
    tf, keras = tf_keras
    rng = np.random.default_rng(2)
    rate = 0.3
    # Inputs bounded away from zero, so that a zero output means a dropped unit.
    x = rng.uniform(0.5, 1.5, size=(64, 20)).astype(np.float32)
    upstream = rng.standard_normal(x.shape).astype(np.float32)
    keras_out, (keras_grad,) = keras_forward_backward(
        tf, keras.layers.Dropout(rate, seed=3), x, upstream, training=True)
    keep = keras_out != 0
    assert 0.5 < keep.mean() < 0.9  # Keras really dropped about 30 %
    layer = Dropout(rate)
    layer.build(rng, "float32")
    layer.fix_mask(keep)  # the same units dropped as Keras
    out = layer.forward(x, training=True)
    assert out.dtype == np.float32
    assert relative_error(out, keras_out) < FLOAT32_TOLERANCE
    assert relative_error(layer.backward(upstream), keras_grad) < FLOAT32_TOLERANCE
    # In inference both are the identity.
    keras_out, (keras_grad,) = keras_forward_backward(
        tf, keras.layers.Dropout(rate, seed=3), x, upstream, training=False)
    np.testing.assert_allclose(layer.forward(x, training=False), keras_out)
    np.testing.assert_allclose(layer.backward(upstream), keras_grad)


def test_dropout_masks_are_random_scaled_and_seeded():
    rate = 0.25
    x = np.ones((500, 200))
    outputs = []
    for _ in range(2):
        layer = Dropout(rate)
        layer.build(np.random.default_rng(7), "float64")
        outputs.append(layer.forward(x, training=True))
    np.testing.assert_array_equal(outputs[0], outputs[1])  # same seed, same mask
    out = outputs[0]
    assert set(np.unique(out)) == {0.0, 1.0 / (1.0 - rate)}
    kept = np.mean(out != 0)
    sigma = np.sqrt(rate * (1 - rate) / out.size)
    assert abs(kept - (1 - rate)) < 5 * sigma
    assert abs(out.mean() - 1.0) < 5 * sigma / (1 - rate)  # expectation preserved
    second = layer.forward(x, training=True)
    assert np.any(second != out)  # a fresh mask for every pass


def test_dropout_network_gradient_against_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    net = Network([Dropout(0.2), Dense(5, 7, "tanh"), Dropout(0.4), Dense(7, 3, "softmax")],
                  l2=0.01, seed=0).initialize()
    net.layers_[0].fix_mask(rng.random((12, 5)) >= 0.2)
    net.layers_[2].fix_mask(rng.random((12, 7)) >= 0.4)
    errors = check_gradients(net, X, y, training=True)
    assert max(errors) < FD_TOLERANCE, errors
    # Without a fixed mask each cost evaluation would drop other units: the check
    # must then fail, which shows the mask really enters the gradient.
    net.layers_[2].fix_mask(None)
    assert max(check_gradients(net, X, y, training=True)) > 1e-3


def test_dropout_rejects_bad_arguments():
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.0)
    with pytest.raises(TypeError, match="rate"):
        Dropout("half")
    with pytest.raises(TypeError, match="input_shape"):
        Dropout(0.5, input_shape=5)
    layer = Dropout(0.5)
    layer.build(np.random.default_rng(0), "float64")
    with pytest.raises(ValueError, match="0 and 1"):
        layer.fix_mask(np.full((2, 2), 0.5))
    layer.fix_mask(np.ones((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        layer.forward(np.ones((3, 2)), training=True)


# ----------------------------------------------------------------------------- BatchNorm
def make_batchnorm_pair(keras, n_features, rng, input_shape=None):
    """An nnbook BatchNorm and a Keras BatchNormalization with the same random gamma,
    beta and running statistics, in float32."""
    layer = BatchNorm(n_features, momentum=0.9, epsilon=1e-3, input_shape=input_shape)
    layer.build(rng, "float32")
    values = [rng.uniform(0.5, 2.0, n_features), rng.standard_normal(n_features),
              rng.standard_normal(n_features), rng.uniform(0.5, 2.0, n_features)]
    values = [v.astype(np.float32) for v in values]
    layer.set_parameters(values[:2])
    layer.set_buffers(values[2:])
    twin = keras.layers.BatchNormalization(axis=-1, momentum=0.9, epsilon=1e-3)
    twin.build((None, *layer.input_shape))
    twin.set_weights(values)
    return layer, twin


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(32, 6), (5, 4, 3, 6)])
def test_batchnorm_matches_keras(tf_keras, training, shape):
    tf, keras = tf_keras
    rng = np.random.default_rng(4)
    input_shape = None if len(shape) == 2 else (None, None, shape[-1])
    layer, twin = make_batchnorm_pair(keras, shape[-1], rng, input_shape)
    x = (3.0 + 2.0 * rng.standard_normal(shape)).astype(np.float32)
    upstream = rng.standard_normal(shape).astype(np.float32)
    keras_out, keras_grads = keras_forward_backward(tf, twin, x, upstream, training)
    out = layer.forward(x, training=training)
    assert out.dtype == np.float32
    assert relative_error(out, keras_out) < FLOAT32_TOLERANCE
    grad_x = layer.backward(upstream)
    for mine, theirs in zip([grad_x, *layer.grads], keras_grads):
        assert relative_error(mine, theirs) < FLOAT32_TOLERANCE
    # The running statistics moved (training) or stayed (inference) as Keras' did.
    for mine, theirs in zip(layer.buffers, twin.get_weights()[2:]):
        assert relative_error(mine, theirs) < FLOAT32_TOLERANCE


def test_batchnorm_training_statistics_by_formula():
    rng = np.random.default_rng(5)
    layer = BatchNorm(3, momentum=0.8)
    layer.build(rng, "float64")
    x = rng.standard_normal((50, 3)) * [1.0, 2.0, 3.0] + [0.0, 1.0, -1.0]
    out = layer.forward(x, training=True)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-3))
    np.testing.assert_allclose(layer.moving_mean, 0.2 * x.mean(axis=0))
    np.testing.assert_allclose(layer.moving_variance, 0.8 + 0.2 * x.var(axis=0))
    assert layer.buffers[0] is layer.moving_mean and layer.buffers[1] is layer.moving_variance


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_network_gradient_against_finite_differences(training):
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((16, 4)), rng.integers(0, 3, 16)
    net = Network([Dense(4, 6, "relu"), BatchNorm(6), Dense(6, 5, "tanh"), BatchNorm(5),
                   Dense(5, 3, "softmax")], l2=0.01, seed=1).initialize()
    # Non-trivial gamma, beta and running statistics.
    for layer in net.layers_:
        if isinstance(layer, BatchNorm):
            n = layer.n_features
            layer.set_parameters([rng.uniform(0.5, 2.0, n), rng.standard_normal(n)])
            layer.set_buffers([rng.standard_normal(n), rng.uniform(0.5, 2.0, n)])
    errors = check_gradients(net, X, y, training=training)
    assert max(errors) < FD_TOLERANCE, errors


def test_batchnorm_gradient_over_samples_and_pixels():
    # With images the statistics run over samples and pixels (as after a convolution).
    rng = np.random.default_rng(8)
    layer = BatchNorm(2, input_shape=(None, None, 2))
    layer.build(rng, "float64")
    layer.set_parameters([rng.uniform(0.5, 2.0, 2), rng.standard_normal(2)])
    x = rng.standard_normal((3, 4, 4, 2))
    weights = rng.standard_normal(x.shape)

    def f():
        return float(np.sum(layer.forward(x, training=True) ** 2 * weights))

    out = layer.forward(x, training=True)
    analytic = [layer.backward(2.0 * out * weights), *[g.copy() for g in layer.grads]]
    numeric = numerical_gradient(f, [x, *layer.params])
    errors = [relative_error(a, n) for a, n in zip(analytic, numeric)]
    assert max(errors) < FD_TOLERANCE, errors


def test_batchnorm_in_a_network_trains_and_predicts_deterministically():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)

    def network():
        layers = [Dense(4, 8, "relu"), BatchNorm(8, momentum=0.9), Dropout(0.2),
                  Dense(8, 2, "softmax")]
        return Network(layers, optimizer="adam", learning_rate=0.01, epochs=30, seed=0)

    net = network().fit(X, y)
    assert net.score(X, y) > 0.9
    # Inference uses the running statistics and no dropout: the same input, the same output.
    reversed_order = net.predict_proba(X[::-1])[::-1]
    np.testing.assert_allclose(net.predict_proba(X), reversed_order, rtol=1e-12)
    again = network().fit(X, y)  # same seed: the same masks, batches and parameters
    for a, b in zip(net.parameters() + net.layers_[1].buffers,
                    again.parameters() + again.layers_[1].buffers):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_rejects_bad_arguments():
    with pytest.raises(TypeError, match="n_features"):
        BatchNorm(2.5)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        BatchNorm(3, epsilon=0.0)
    with pytest.raises(ValueError, match="input_shape"):
        BatchNorm(3, input_shape=(None, 4))
    with pytest.raises(ValueError, match="expects inputs"):
        Network([Dense(4, 5, "relu"), BatchNorm(6), Dense(6, 2, "softmax")]).initialize()


def test_early_stopping_restores_batchnorm_running_statistics():
    # The running statistics decide inference-mode outputs, so the best epoch's must come
    # back with its parameters: the validation cost after fit equals the one recorded then.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] > 0).astype(int)
    X_val = rng.standard_normal((100, 4)) + 1.0
    y_val = (X_val[:, 0] > 0).astype(int)
    net = Network([Dense(4, 8, "relu"), BatchNorm(8, momentum=0.5), Dense(8, 2, "softmax")],
                  optimizer="adam", learning_rate=0.05, epochs=40, patience=3, seed=0)
    net.fit(X, y, validation_data=(X_val, y_val))
    assert net.best_epoch_ < len(net.history_["loss"])  # it did stop after a worse epoch
    recorded = net.history_["val_loss"][net.best_epoch_ - 1]
    assert net.cost(X_val, y_val) == pytest.approx(recorded, rel=1e-12)
