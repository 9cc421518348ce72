"""The classic backprop mistakes, recognised from the numbers: each hypothesis recomputes our
numbers with that one mistake made, and it is named only if their arrays match that version to the
tolerance (and none of their arrays contradicts it).

`backward` is Network.backprop's chain rule with hooks for the mistakes: with none applied it gives
our numbers (tests hold it to that). The rest are relabellings of our own numbers (a transposed
∂C/∂W, gradients stored one layer off) or a factor (sign, ½, n, 1/n).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from mlpviz.core.compare.diff import close, computation_order, relative_difference, split_key, symbol
from mlpviz.core.compare.recompute import Setup
from mlpviz.core.costs import SquaredError, one_hot
from mlpviz.core.network import forward_pass
from mlpviz.core.notation import fmt_sig, sup
from mlpviz.i18n import _, ngettext, tidy

UNKNOWN = None  # a hypothesis that says nothing about an array; a list: any of these fits

PRIME_KINDS = ("prime-missing", "prime-of-a", "prime-from-a-of-z")
FACTORS = ("ascent", "no-factor-2", "batch-sum", "batch-mean-twice")


@dataclass(frozen=True)
class Mistake:
    """kind     one of PRIME_KINDS, FACTORS, "softmax-jacobian-again", "back-transposed",
                "grad-transposed", "off-by-one"
    layers   σ' kinds: the layers l (1 … L) whose σ'(z⁽ˡ⁾) is wrong; back-transposed and
             grad-transposed: the weight layers l (W{l})
    shift    off-by-one: their layer l holds our layer l + shift"""

    kind: str
    layers: tuple[int, ...] = ()
    shift: int = 0


@dataclass(frozen=True)
class Diagnosis:
    """A mistake that reproduces their numbers.

    text         plain words with the evidence
    explains     their differing arrays this mistake reproduces, in computation order
    complete     it reproduces every array that differs (else it fits some, e.g. the first)"""

    mistake: Mistake
    text: str
    explains: tuple[str, ...]
    complete: bool


# --- the chain rule, with hooks ---------------------------------------------------------------


def _prime(m: Mistake, l: int, Z: np.ndarray, A: np.ndarray, act) -> np.ndarray:
    """σ'(z⁽ˡ⁾), or what the mistake puts in its place."""
    if m.kind in PRIME_KINDS and l in m.layers:
        if m.kind == "prime-missing":
            return np.ones_like(Z)
        return act.prime(A) if m.kind == "prime-of-a" else act.prime_from_a(Z)
    return act.prime(Z)


def forward(setup: Setup):
    """(zs, activations) of the whole batch: the network's one forward pass, shared by every
    hypothesis (no mistake here touches the forward pass)."""
    net = setup.network
    return forward_pass(net.weights, net.biases, setup.X, net.act, net.cost_fn)


def backward(setup: Setup, m: Mistake = Mistake("none"), passed=None) -> dict[str, np.ndarray]:
    """Backpropagation over the batch X (n, sizes[0]) with the mistake `m` made: per sample
    ∂C/∂a⁽ˡ⁾ and ∂C/∂z⁽ˡ⁾ (n, sizes[l]); ∂C/∂W{l} = mean over samples of ∂C/∂z ⊗ a, ∂C/∂b{l} the
    mean of ∂C/∂z. Forward as in the network; output ∂C/∂z from the cost (a softmax output), else
    ∂C/∂a · σ'(z); back: ∂C/∂a⁽ˡ⁾ = (W{l})ᵀ ∂C/∂z⁽ˡ⁺¹⁾, ∂C/∂z⁽ˡ⁾ = ∂C/∂a⁽ˡ⁾ · σ'(z⁽ˡ⁾).
    `passed` is `forward(setup)` if already computed. A batch gives only the mean ∂C/∂W, ∂C/∂b
    (its trace compares nothing else), so the input's ∂C/∂a is skipped there."""
    net = setup.network
    act, cost, L, n = net.act, net.cost_fn, net.L, len(setup.X)
    zs, acts = forward(setup) if passed is None else passed
    Y = one_hot(setup.labels, net.sizes[-1])
    grad_a = {L: cost.grad_a(acts[L], Y) / (2 if m.kind == "no-factor-2" else 1)}
    if cost.softmax_output:
        delta = cost.grad_z(zs[L], acts[L], Y, act)
        if m.kind == "softmax-jacobian-again":  # J δ with J = diag(a) − a aᵀ, per sample
            delta = acts[L] * delta - acts[L] * (acts[L] * delta).sum(axis=-1, keepdims=True)
    else:
        delta = grad_a[L] * _prime(m, L, zs[L], acts[L], act)
    out = {f"grad_a{L}": grad_a[L], f"grad_z{L}": delta}
    for l in range(L - 1, -1, -1):
        out[f"grad_W{l}"] = delta.T @ acts[l] / n
        out[f"grad_b{l}"] = delta.mean(axis=0)
        if l == 0 and setup.batch:
            break
        W = net.weights[l]
        out[f"grad_a{l}"] = delta @ (W.T if m.kind == "back-transposed" and l in m.layers else W)
        if l > 0:
            delta = out[f"grad_a{l}"] * _prime(m, l, zs[l], acts[l], act)
            out[f"grad_z{l}"] = delta
    scale = {"ascent": -1.0, "batch-sum": float(n), "batch-mean-twice": 1.0 / n}.get(m.kind, 1.0)
    out = {k: v * scale for k, v in out.items()}
    if setup.batch:
        return {k: v for k, v in out.items() if k.startswith(("grad_W", "grad_b"))}
    return {k: v if k.startswith(("grad_W", "grad_b")) else v[0] for k, v in out.items()}


def _relabelled(ours: dict, m: Mistake) -> dict:
    """Our numbers moved about: ∂C/∂W transposed; or ∂C/∂W and ∂C/∂b stored one layer off, where
    each of their arrays may hold our array of layer l + shift or (where the loop got it right)
    of layer l. The δ's themselves, ∂C/∂a and ∂C/∂z, are then usually right: no prediction."""
    if m.kind == "grad-transposed":
        return {f"grad_W{l}": ours[f"grad_W{l}"].T for l in m.layers}
    out = {}
    for key in ours:
        q, l = split_key(key)
        if q in ("grad_a", "grad_z"):
            out[key] = UNKNOWN
        elif q in ("grad_W", "grad_b"):
            source = ours.get(f"{q}{l + m.shift}")
            out[key] = UNKNOWN if source is None else [source, ours[key]]
    return out


# --- which mistakes can be told apart here ----------------------------------------------------


def _subsets(layers: list[int]) -> list[tuple[int, ...]]:
    """Single layers first, then larger sets (all of them for up to four layers, else all)."""
    if len(layers) > 4:
        return [(l,) for l in layers] + [tuple(layers)]
    return [c for r in range(1, len(layers) + 1) for c in combinations(layers, r)]


def hypotheses(setup: Setup) -> list[Mistake]:
    """Every mistake that makes sense for this network and trace."""
    net, n = setup.network, len(setup.X)
    L = net.L
    prime_layers = list(range(1, L if net.cost_fn.softmax_output else L + 1))
    out = [Mistake("ascent")]
    if isinstance(net.cost_fn, SquaredError):
        out.append(Mistake("no-factor-2"))
    if net.cost_fn.softmax_output:
        out.append(Mistake("softmax-jacobian-again"))
    if setup.batch and n > 1:
        out += [Mistake("batch-sum"), Mistake("batch-mean-twice")]
    for kind in PRIME_KINDS:
        out += [Mistake(kind, s) for s in _subsets(prime_layers)]
    square = [l for l, W in enumerate(net.weights) if W.shape[0] == W.shape[1]]
    out += [Mistake("back-transposed", (l,)) for l in square if not setup.batch]
    out.append(Mistake("grad-transposed", tuple(range(L))))
    out += [Mistake("grad-transposed", (l,)) for l in range(L)] if L > 1 else []
    out += [Mistake("off-by-one", shift=s) for s in (1, -1)]
    return out


def predict(setup: Setup, ours: dict, m: Mistake, passed=None) -> dict:
    """Their numbers if they made mistake `m`: the arrays it changes (UNKNOWN where it cannot
    say); arrays not listed are ours. `passed`: `forward(setup)`, if already computed."""
    if m.kind in ("grad-transposed", "off-by-one"):
        return _relabelled(ours, m)
    predicted = backward(setup, m, passed)
    if m.kind == "no-factor-2":
        predicted["C"] = UNKNOWN  # C = ½ Σ (a − y)² has exactly these gradients
    return predicted


# --- judging ----------------------------------------------------------------------------------


def diagnose(setup: Setup, theirs: dict, ours: dict, differing: list[str],
             tolerance: float) -> tuple[Diagnosis, ...]:
    """The mistakes that reproduce their differing arrays (complete ones first); if none does
    without contradiction, those that reproduce the first differing array."""
    if not differing:
        return ()
    order = computation_order(setup.network.L)
    full, partial = [], []
    passed = forward(setup)
    for m in hypotheses(setup):
        predicted = predict(setup, ours, m, passed)
        explains, contradicted = [], False
        for key in sorted(set(theirs) & set(ours), key=order.index):
            p = predicted.get(key, ours[key])
            if p is UNKNOWN:
                continue
            if any(close(theirs[key], c, tolerance) for c in (p if isinstance(p, list) else [p])):
                if key in differing:
                    explains.append(key)
            else:
                contradicted = True
        if not explains:
            continue
        if not contradicted:
            complete = all(k in explains or predicted.get(k, 0) is UNKNOWN for k in differing)
            full.append(_diagnosis(setup, m, theirs, ours, predicted, explains, complete, tolerance, False))
        elif explains[0] == differing[0]:
            partial.append(_diagnosis(setup, m, theirs, ours, predicted, explains, False, tolerance, True))
    full.sort(key=lambda d: not d.complete)
    if full:
        return tuple(full)
    if split_key(differing[0])[0] in ("a", "z", "C"):
        return (_forward(differing[0]),) + tuple(partial[:2])
    return tuple(partial[:2])


def _forward(key: str) -> Diagnosis:
    """Their forward pass differs: nothing after it can agree."""
    where = _("the cost C") if key == "C" else f"{symbol(key)} ({key})"
    return Diagnosis(Mistake("forward"), _(
        "their forward pass differs first, at {where}: every number of backpropagation depends "
        "on it, so fix the forward pass first").format(where=where), (key,), False)


def _layers_text(layers: tuple[int, ...], L: int) -> str:
    if not layers:
        return _("every layer")
    names = [_("{l} (the output)").format(l=l) if l == L else str(l) for l in layers]
    if len(names) == 1:
        return _("layer {name}").format(name=names[0])
    return _("layers {names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def _primes(s: str, layers, what: str) -> str:
    """σ'(a⁽¹⁾), σ'(a⁽²⁾)"""
    return ", ".join(f"{s}'({what}{sup(l)})" for l in layers)


def _words(setup: Setup, m: Mistake, key: str) -> tuple[str, str]:
    """(how their array relates to ours, what the mistake is)."""
    net = setup.network
    s, L, n = net.act.symbol, net.L, len(setup.X)
    where = _layers_text(m.layers, L)
    if m.kind == "prime-missing":
        return (_("ours without {primes}").format(primes=_primes(s, m.layers, "z")),
                _("{s}' is missing at {where}").format(s=s, where=where))
    if m.kind == "prime-of-a":
        return (_("ours with {wrong} in place of {right}").format(
                    wrong=_primes(s, m.layers, "a"), right=_primes(s, m.layers, "z")),
                _("{s}' is applied to a where it belongs to z, at {where}").format(
                    s=s, where=where))
    if m.kind == "prime-from-a-of-z":
        return (_("ours with {s}' computed from its formula in a, but given z").format(s=s),
                _("{s}'(z) written in terms of a = {s}(z) is fed z instead of a, at {where}")
                .format(s=s, where=where))
    if m.kind == "ascent":
        return (_("ours × (−1)"), _("the sign is wrong: these are the gradients of −C, and "
                                   "stepping by them climbs the cost (gradient ascent)"))
    if m.kind == "no-factor-2":
        return (_("ours ÷ 2"), _("the factor 2 of the squared error is missing: {grad} = 2 (a − "
                                "y), the derivative of (a − y)²").format(grad=f"∂C/∂a{sup(L)}"))
    if m.kind == "batch-sum":
        return (_("ours × {n} (the batch size)").format(n=n),
                _("the batch is summed instead of averaged: the mean ∂C/∂W divides the sum over "
                  "the samples by n"))
    if m.kind == "batch-mean-twice":
        return (_("ours ÷ {n} (the batch size)").format(n=n),
                _("divided by the batch size once too often (averaged twice, or averaged where "
                  "the sum was asked for)"))
    if m.kind == "softmax-jacobian-again":
        return (_("ours with a − y multiplied by the softmax's Jacobian"),
                _("the softmax's Jacobian is applied twice: with softmax outputs and "
                  "cross-entropy, {grad} = a − y already includes it").format(
                    grad=f"∂C/∂z{sup(L)}"))
    if m.kind == "back-transposed":
        (l,) = m.layers
        k = net.weights[l].shape[0]
        W = f"W{sup(l + 1)}"
        return (_("ours with {W} in place of ({W})ᵀ going back").format(W=W),
                _("W is not transposed going back: {grad_a} = ({W})ᵀ {grad_z}, and the square "
                  "{k}×{k} {W} let the wrong product through").format(
                    grad_a=f"∂C/∂a{sup(l)}", W=W, grad_z=f"∂C/∂z{sup(l + 1)}", k=k))
    if m.kind == "grad-transposed":
        square = all(net.weights[l].shape[0] == net.weights[l].shape[1] for l in m.layers)
        what = _("W transposed: their ∂C/∂W is (in, out), outer(a, δ) instead of outer(δ, a), "
                 "while mlpviz's W is (out, in), row j the weights into neuron j")
        if square:
            what += " " + _("(the layer is square, so the shapes fit and hide it)")
        return (_("ours transposed"), tidy(what))
    q, l = split_key(key)
    return (_("our {symbol}").format(symbol=symbol(f"{q}{l + m.shift}")),
            _("the gradients are shifted by one layer (an off-by-one in the layer loop)"))


def _diagnosis(setup, m, theirs, ours, predicted, explains, complete, tolerance,
               contradicted) -> Diagnosis:
    key = next((k for k in explains if k.startswith("grad_W")), explains[0])
    how, what = _words(setup, m, key)
    vs_ours = relative_difference(theirs[key], ours[key]) if theirs[key].shape == ours[key].shape \
        else None
    p = predicted.get(key, ours[key])
    p = p[0] if isinstance(p, list) else p
    vs_it = float(np.max(relative_difference(theirs[key], p), initial=0.0))
    to_it = _("exactly") if vs_it == 0 else _("to {value}").format(value=fmt_sig(vs_it, 2))
    by = (_("it differs from ours by up to {value} (relative) but matches that {to_it}").format(
              value=fmt_sig(float(np.max(vs_ours)), 2), to_it=to_it)
          if vs_ours is not None and np.all(np.isfinite(vs_ours))
          else _("it matches that {to_it}").format(to_it=to_it))
    text = _("{what}: their {symbol} ({key}) is {how} — {by}").format(
        what=what, symbol=symbol(key), key=key, how=how, by=by)
    others = [k for k in explains if k != key]
    if others:
        text += ngettext("; so is {others}", "; so are {others}", len(others)).format(
            others=", ".join(others))
    if m.kind == "no-factor-2" and "C" in theirs and close(theirs["C"], ours["C"] / 2, tolerance):
        text += _("; their C is half of ours too: C = ½ Σ (a − y)² has exactly these gradients, "
                  "but the lesson's cost is Σ (a − y)²")
    if contradicted:
        text += " " + _("(but other arrays of theirs do not fit this mistake)")
    elif not complete:
        text += " " + _("(other differences are not explained by this alone)")
    return Diagnosis(m, tidy(text), tuple(explains), complete)
