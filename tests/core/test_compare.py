"""compare: a student's trace against our recomputation — agreement to 1e-12 for a correct one,
every classic mistake named from the numbers (each planted in a reference implementation written
here, independently of mlpviz), partial traces, batches, and the data the app will draw from."""

import numpy as np
import pytest

from mlpviz.core.compare import backward, compare_trace, read_their_trace
from mlpviz.core.compare.diff import computation_order, relative_difference, stage_of
from mlpviz.core.compare.recompute import ours, resolve
from mlpviz.core.compare.theirs import TraceFileError
from mlpviz.core.network import Network
from mlpviz.core.trace_export import save_trace
from mlpviz.core.walk import build_walk

SIZES = [784, 16, 16, 10]


# --- a student's backprop, Nielsen style, with one bug at a time ------------------------------


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def student(Ws, bs, x, label, bug=None, cost="mse"):
    """One sample's forward and backward pass, as a student writes it; returns trace keys."""
    L = len(Ws)
    a, zs = [x], [None]
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = W @ a[-1] + b
        zs.append(z)
        a.append(softmax(z) if cost == "cross_entropy" and l == L - 1 else sigmoid(z))
    y = np.zeros(len(a[-1]))
    y[label] = 1

    def prime(l):
        if bug == "prime-missing":
            return 1.0
        if bug == "prime-of-a":
            return sigmoid_prime(a[l])
        if bug == "a(1-a)-of-z":
            return zs[l] * (1 - zs[l])
        return sigmoid_prime(zs[l])

    if cost == "cross_entropy":
        C = -np.log(a[-1][label])
        delta = a[-1] - y
        if bug == "jacobian-again":
            J = np.diag(a[-1]) - np.outer(a[-1], a[-1])
            delta = J @ delta
        grad_aL = -y / a[-1]
    else:
        C = np.sum((a[-1] - y) ** 2)
        grad_aL = (a[-1] - y) if bug == "no-factor-2" else 2 * (a[-1] - y)
        delta = grad_aL * prime(L)
    gW, gb, ga = [np.zeros_like(W) for W in Ws], [np.zeros_like(b) for b in bs], [None] * (L + 1)
    ga[L] = grad_aL
    for l in range(L - 1, -1, -1):
        store = l + 1 if bug == "off-by-one" and l < L - 1 else l
        gb[store] = delta
        gW[store] = np.outer(a[l], delta) if bug == "transposed" else np.outer(delta, a[l])
        square = Ws[l].shape[0] == Ws[l].shape[1]
        back = Ws[l] if bug == "no-transpose-back" and square else Ws[l].T  # forgot .T
        ga[l] = back @ delta
        if l > 0:
            delta = ga[l] * prime(l)
    sign = -1.0 if bug == "ascent" else 1.0
    out = {"x": x, "label": label, "activation": "sigmoid", "cost": cost, "C": C}
    for l in range(L + 1):
        out[f"a{l}"], out[f"grad_a{l}"] = a[l], sign * ga[l]
    for l in range(L):
        out[f"W{l}"], out[f"b{l}"] = Ws[l], bs[l]
        out[f"grad_W{l}"], out[f"grad_b{l}"] = sign * gW[l], sign * gb[l]
    for l in range(1, L + 1):
        out[f"z{l}"] = zs[l]
    return out


def student_batch(Ws, bs, X, labels, bug=None):
    """Mean ∂C/∂W, ∂C/∂b over a batch, per sample through `student`; mistakes of the averaging."""
    traces = [student(Ws, bs, x, int(t)) for x, t in zip(X, labels)]
    n, L = len(X), len(Ws)
    total = {k: sum(t[k] for t in traces) for k in
             [f"grad_W{l}" for l in range(L)] + [f"grad_b{l}" for l in range(L)] + ["C"]}
    divide = {None: n, "batch-sum": 1, "batch-mean-twice": n * n}[bug]
    out = {k: v / (n if k == "C" else divide) for k, v in total.items()}
    out.update({f"W{l}": Ws[l] for l in range(L)} | {f"b{l}": bs[l] for l in range(L)})
    out.update(X=X, labels=labels, activation="sigmoid", cost="mse")
    return out


@pytest.fixture(scope="module")
def params():
    net = Network(SIZES, seed=3)
    return net.weights, net.biases


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(11)
    return np.where(rng.random(784) < 0.3, rng.random(784), 0.0)


def named(result, kind):
    """The complete diagnosis of this kind (the test fails if it is not the first one)."""
    assert not result.agrees
    assert result.diagnoses, "no mistake named"
    first = result.diagnoses[0]
    assert first.complete and first.mistake.kind == kind, [d.text for d in result.diagnoses]
    return first


# --- agreement --------------------------------------------------------------------------------


@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_a_correct_trace_agrees_to_1e_12(params, x, cost):
    theirs = student(*params, x, 7, cost=cost)
    result = compare_trace(theirs, "t", tolerance=1e-12)
    assert result.agrees and not result.diagnoses
    assert len(result.diffs) == 18  # a0…a3, z1…z3, C, grad_a0…grad_a3, grad_W0…2, grad_b0…2
    assert max(d.max_rel for d in result.diffs) < 1e-12


def test_the_check_can_fail(params, x):
    theirs = student(*params, x, 7)
    theirs["grad_b0"] = theirs["grad_b0"].copy()
    theirs["grad_b0"][5] *= 1 + 1e-9
    result = compare_trace(theirs, "t", tolerance=1e-12)
    d = result.first_difference
    assert d.key == "grad_b0" and d.first == (5,) and not result.agrees
    assert result.diff("grad_b0").mask.sum() == 1


def test_backward_without_a_mistake_is_backprop(params, x):
    theirs = student(*params, x, 2)
    setup = resolve(theirs, "t")
    mine, hooked = ours(setup), backward(setup)
    for key, v in hooked.items():
        assert np.max(relative_difference(v, mine[key])) < 1e-13, key


# --- each classic mistake, named ----------------------------------------------------------------


def test_prime_missing(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="prime-missing"), "t"), "prime-missing")
    assert d.mistake.layers == (1, 2, 3)
    assert "σ' is missing at layers 1, 2 and 3 (the output)" in d.text
    assert "ours without σ'(z⁽¹⁾)" in d.text


def test_prime_missing_at_one_layer_names_that_layer(params, x):
    theirs = student(*params, x, 7)
    setup = resolve(theirs, "t")
    from mlpviz.core.compare.mistakes import Mistake
    theirs.update(backward(setup, Mistake("prime-missing", (2,))))
    d = named(compare_trace(theirs, "t"), "prime-missing")
    assert d.mistake.layers == (2,)
    assert d.text.startswith("σ' is missing at layer 2: their ∂C/∂W⁽²⁾ (grad_W1) is ours "
                             "without σ'(z⁽²⁾)")


def test_prime_of_a(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="prime-of-a"), "t"), "prime-of-a")
    assert "σ' is applied to a where it belongs to z" in d.text


def test_a_one_minus_a_applied_to_z(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="a(1-a)-of-z"), "t"), "prime-from-a-of-z")
    assert "fed z instead of a" in d.text


def test_factor_2_missing(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="no-factor-2"), "t"), "no-factor-2")
    assert "factor 2 of the squared error is missing" in d.text and "ours ÷ 2" in d.text


def test_half_squared_error_is_said_too(params, x):
    theirs = student(*params, x, 7, bug="no-factor-2")
    theirs["C"] = theirs["C"] / 2  # C = ½ Σ (a − y)², whose gradient has no 2
    d = named(compare_trace(theirs, "t"), "no-factor-2")
    assert "C = ½ Σ (a − y)²" in d.text


def test_w_transposed(params, x):
    result = compare_trace(student(*params, x, 7, bug="transposed"), "t")
    d = named(result, "grad-transposed")
    assert d.mistake.layers == (0, 1, 2) and "W transposed" in d.text
    assert not result.diff("grad_W0").shapes_match  # (784, 16) against (16, 784)
    assert "the layer is square" not in d.text


def test_w_transposed_in_a_square_layer(params, x):
    theirs = student(*params, x, 7)
    theirs["grad_W1"] = theirs["grad_W1"].T  # 16 × 16: the shapes fit
    d = named(compare_trace(theirs, "t"), "grad-transposed")
    assert d.mistake.layers == (1,) and "the layer is square" in d.text


def test_w_not_transposed_going_back_in_a_square_layer(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="no-transpose-back"), "t"),
              "back-transposed")
    assert d.mistake.layers == (1,) and "W is not transposed going back" in d.text


def test_wrong_sign(params, x):
    d = named(compare_trace(student(*params, x, 7, bug="ascent"), "t"), "ascent")
    assert "the sign is wrong" in d.text and "ours × (−1)" in d.text


def test_softmax_jacobian_applied_again(params, x):
    theirs = student(*params, x, 7, bug="jacobian-again", cost="cross_entropy")
    d = named(compare_trace(theirs, "t"), "softmax-jacobian-again")
    assert "Jacobian is applied twice" in d.text


def test_gradients_shifted_one_layer(params, x):
    result = compare_trace(student(*params, x, 7, bug="off-by-one"), "t")
    d = named(result, "off-by-one")
    assert d.mistake.shift == -1
    assert "shifted by one layer" in d.text and "is our ∂C/∂" in d.text


@pytest.mark.parametrize("bug,kind", [("batch-sum", "batch-sum"),
                                      ("batch-mean-twice", "batch-mean-twice")])
def test_batch_summed_or_divided_twice(params, bundled, bug, kind):
    X, labels = bundled.train_images[:20] / 255, bundled.train_labels[:20].astype(int)
    d = named(compare_trace(student_batch(*params, X, labels, bug=bug), "t"), kind)
    assert "20" in d.text


def test_no_classic_mistake_says_so(params, x):
    theirs = student(*params, x, 7)
    theirs["grad_W2"] = theirs["grad_W2"] + 0.01
    result = compare_trace(theirs, "t")
    assert not result.agrees and all(not d.complete for d in result.diagnoses)


def test_forward_differences_come_first(params, x):
    theirs = student(*params, x, 7)
    theirs["z2"] = theirs["z2"] + 0.5
    result = compare_trace(theirs, "t")
    assert result.first_difference.key == "z2" and result.first_stage == "forward-2"
    assert result.diagnoses[0].mistake.kind == "forward"
    assert "forward pass differs first" in result.diagnoses[0].text


# --- partial traces, batches, parameters from a model -------------------------------------------


def test_partial_trace_only_weight_gradients(params, x):
    full = student(*params, x, 7, bug="prime-missing")
    theirs = {k: v for k, v in full.items() if k.startswith(("W", "b", "grad_W")) or k in
              ("x", "label")}
    result = compare_trace(theirs, "t", activation="sigmoid", cost="mse")
    assert [d.key for d in result.diffs] == ["grad_W2", "grad_W1", "grad_W0"]
    assert named(result, "prime-missing").mistake.layers == (1, 2, 3)


def test_partial_trace_needs_activation_and_cost(params, x):
    theirs = {k: v for k, v in student(*params, x, 7).items() if k not in ("activation", "cost")}
    with pytest.raises(TraceFileError, match="does not say its activation"):
        compare_trace(theirs, "t")


def test_parameters_from_the_model(params, x):
    net = Network.from_parameters(SIZES, "sigmoid", "mse", *params)
    theirs = {k: v for k, v in student(*params, x, 4).items() if not k.startswith(("W", "b"))}
    result = compare_trace(theirs, "t", model=net, tolerance=1e-12)
    assert result.agrees and "parameters of the model" in result.setup.notes


def test_conflicting_activation_is_refused(params, x):
    with pytest.raises(TraceFileError, match="says the activation is sigmoid, but tanh"):
        compare_trace(student(*params, x, 7), "t", activation="tanh")


def test_weights_stored_in_out_are_transposed_and_said(params, x):
    theirs = student(*params, x, 7)
    theirs.update({f"W{l}": theirs[f"W{l}"].T for l in range(3)})
    result = compare_trace(theirs, "t", tolerance=1e-12)
    assert result.agrees and result.setup.transposed
    assert "stored (in, out)" in result.diagnoses[0].text


def test_batch_agrees_and_compares_means(params, bundled):
    X, labels = bundled.train_images[:20] / 255, bundled.train_labels[:20].astype(int)
    result = compare_trace(student_batch(*params, X, labels), "t", tolerance=1e-12)
    assert result.agrees and result.setup.batch and result.first_stage is None
    assert {d.key for d in result.diffs} == {"C"} | {f"grad_{q}{l}" for q in "Wb" for l in range(3)}


def test_batch_by_indices_into_a_dataset_split(params, bundled):
    idx = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    X, labels = bundled.test_images[idx] / 255, bundled.test_labels[idx].astype(int)
    theirs = {k: v for k, v in student_batch(*params, X, labels, bug="batch-sum").items()
              if k not in ("X", "labels")}
    theirs.update(indices=idx, split="test", data="bundled")
    result = compare_trace(theirs, "t", load_data=lambda spec: bundled)
    assert named(result, "batch-sum") and result.first_stage == "batch"
    assert "8 samples of" in result.setup.notes[1]


def test_batch_indices_need_split_and_data(params, bundled):
    theirs = {"indices": np.arange(3), "grad_W0": np.zeros((16, 784)), "W0": params[0][0],
              "b0": params[1][0], "activation": "sigmoid", "cost": "mse"}
    with pytest.raises(TraceFileError, match="split and data"):
        compare_trace(theirs, "t")


# --- what the app will use ------------------------------------------------------------------------


def test_stages_exist_in_the_walk(params, x, bundled):
    net = Network.from_parameters(SIZES, "sigmoid", "mse", *params)
    keys = {s.key for s in build_walk(net, x, 7).stages}
    for key in computation_order(net.L):
        stage = stage_of(key, net.L, batch=False)
        assert stage is None or stage in keys, (key, stage)
    assert stage_of("grad_a0", net.L, False) is None


def test_first_stage_and_masks(params, x):
    theirs = student(*params, x, 7)
    theirs["grad_W1"] = theirs["grad_W1"].copy()
    theirs["grad_W1"][3, 5] += 1.0
    result = compare_trace(theirs, "t")
    assert result.first_stage == "levers-2"
    lines = result.line_mask(1)
    assert lines.shape == (16, 16) and lines.sum() == 1 and lines[3, 5]
    assert not result.line_mask(0).any()
    neurons = result.neuron_mask(2)
    assert neurons.shape == (16,) and neurons.sum() == 1 and neurons[3]
    assert not result.neuron_mask(3).any()
    assert result.diff("grad_W1").first_values == (theirs["grad_W1"][3, 5],
                                                   result.diff("grad_W1").ours[3, 5])


# --- reading their files ----------------------------------------------------------------------


def test_read_our_own_trace_files(tmp_path, params, x):
    trace = Network.from_parameters(SIZES, "sigmoid", "mse", *params).backprop(x, 1)
    for name in ("t.npz", "t.json"):
        save_trace(trace, tmp_path / name)
        theirs, ignored = read_their_trace(tmp_path / name)
        assert ignored == ()
        assert compare_trace(theirs, name, tolerance=0).agrees


def test_their_json_may_omit_format_and_have_extra_keys(tmp_path):
    (tmp_path / "t.json").write_text('{"grad_W0": [[1, 2]], "label": 3, "note": "mine"}')
    theirs, ignored = read_their_trace(tmp_path / "t.json")
    assert ignored == ("note",) and theirs["label"] == 3
    assert theirs["grad_W0"].dtype == np.float64


@pytest.mark.parametrize("text,words", [
    ('[1, 2]', "JSON object"),
    ('{"format": "other"}', "not \"mlpviz-trace\""),
    ('{"grad_W0": [[1, 2], [3]]}', "rectangular"),
    ('{"grad_W0": [["a"]]}', "must hold numbers"),
    ('{"label": 2.5}', "whole number"),
    ('{"activation": 3}', "must be text"),
    ('{"indices": [1.5]}', "whole numbers"),
    ('{"grad_W0": [[1, 2]', "not valid JSON"),
])
def test_bad_json_traces_are_clear_errors(tmp_path, text, words):
    (tmp_path / "t.json").write_text(text)
    with pytest.raises(ValueError, match=words):
        read_their_trace(tmp_path / "t.json")


def test_truncated_npz_trace(tmp_path, params, x):
    trace = Network.from_parameters(SIZES, "sigmoid", "mse", *params).backprop(x, 1)
    save_trace(trace, tmp_path / "t.npz")
    data = (tmp_path / "t.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a trace file"):
        read_their_trace(tmp_path / "t.npz")


def test_pickled_arrays_in_a_trace_are_refused(tmp_path):
    np.savez(tmp_path / "t.npz", grad_W0=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="Python objects"):
        read_their_trace(tmp_path / "t.npz")
