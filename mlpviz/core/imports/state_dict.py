"""Weights stored by name, without the graph: a PyTorch `nn.Sequential` state dict (`0.weight`,
`0.bias`, `2.weight` …, weight (out, in)) or Keras Dense layers (`dense/kernel`, `dense/bias` …,
kernel (in, out)), from .npz, .safetensors or .h5. Such files never say the activation or the cost.
"""

from __future__ import annotations

import json
import re

import numpy as np

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.imports.files import ModelImportError
from mlpviz.core.imports.plain_mlp import LOG_SOFTMAX, NOTHING, SOFTMAX, Layer

_TORCH_KEY = re.compile(r"(?P<prefix>(?:.*\.)?)(?P<index>\d+)\.(?P<param>[A-Za-z_]\w*)")
_KERAS_KEY = re.compile(r"(?P<layer>.+)[/.](?P<param>kernel|bias)(?::0)?")
_NORM_PARAMS = {"running_mean", "running_var", "num_batches_tracked", "gamma", "beta",
                "moving_mean", "moving_variance"}


def scheme_of(keys) -> str | None:
    """"torch" if every key is `<prefix><index>.<param>`, "keras" if any ends in kernel (with
    its layer before a / or .), None if neither."""
    keys = list(keys)
    if keys and all(_TORCH_KEY.fullmatch(k) for k in keys):
        return "torch"
    if any((m := _KERAS_KEY.fullmatch(k)) and m["param"] == "kernel" for k in keys):
        return "keras"
    return None


def natural_key(name: str):
    """Sort key that puts dense_2 before dense_10 (and dense before dense_1)."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _floats(a: np.ndarray, key: str, path) -> np.ndarray:
    if a.dtype.kind != "f":
        raise ModelImportError(f"{path}: '{key}' holds {a.dtype}, not floating-point numbers")
    return np.asarray(a, dtype=np.float64)


def _not_linear(path, module: str, params: dict[str, np.ndarray]) -> str | None:
    """Why the module with these parameters is not a linear layer, or None if it is one."""
    names = set(params)
    if names & _NORM_PARAMS:
        return f"'{module}' holds {', '.join(sorted(names & _NORM_PARAMS))}: a batch norm layer"
    if names - {"weight", "bias", "kernel"} or ("weight" in names and "kernel" in names):
        return f"'{module}' holds {', '.join(sorted(names))}: not a linear layer"
    w = params.get("weight", params.get("kernel"))
    if w is None:
        return f"'{module}' has a bias but no weights"
    if w.ndim > 2:
        return f"'{module}' has weights of shape {w.shape}: a convolution"
    if w.ndim < 2:
        return f"'{module}' has weights of shape {w.shape}: a normalisation layer"
    return None


def _layer(path, name: str, W: np.ndarray, b: np.ndarray | None, transposed: bool,
           notes: list[str]) -> Layer:
    if b is None:
        notes.append(f"layer '{name}' has no bias: its biases are 0")
        b = np.zeros(W.shape[0])
    return Layer(name, W, b, transposed=transposed)


def torch_layers(data: dict[str, np.ndarray], path) -> tuple[list[Layer], list[str]]:
    """nn.Sequential keys → layers in index order; weight (out, in) as ours. Everything in between
    (activations, stateless Dropout) leaves no key, so the file does not say what it is."""
    matches = {k: _TORCH_KEY.fullmatch(k) for k in data}
    prefixes = {m["prefix"] for m in matches.values()}
    if len(prefixes) > 1:
        raise ModelImportError(f"{path}: keys under several prefixes ({', '.join(sorted(prefixes))}"
                               "): not one nn.Sequential")
    modules: dict[int, dict[str, np.ndarray]] = {}
    for key, m in matches.items():
        modules.setdefault(int(m["index"]), {})[m["param"]] = data[key]
    prefix, notes, layers = prefixes.pop(), [], []
    for index in sorted(modules):
        params, name = modules[index], f"{prefix}{index}"
        problem = _not_linear(path, name, params)
        if problem:
            raise ModelImportError(f"{path}: module {problem}; mlpviz imports plain MLPs "
                                   "(Linear layers with one activation between them)")
        W = _floats(params["weight"], f"{name}.weight", path)
        b = _floats(params["bias"], f"{name}.bias", path) if "bias" in params else None
        layers.append(_layer(path, name, W, b, False, notes))
    return layers, notes


def keras_layers(data: dict[str, np.ndarray], path,
                 order: list[str] | None = None) -> tuple[list[Layer], list[str]]:
    """`<layer>/kernel` (in, out) and `<layer>/bias` → layers, transposed to ours. Layers come in
    `order` (a Keras file's `layer_names`) if given, else in the natural order of their names
    (dense, dense_1, dense_2 …, the order Keras names them), which the notes say."""
    modules: dict[str, dict[str, np.ndarray]] = {}
    for key, a in data.items():
        m = _KERAS_KEY.fullmatch(key)
        if m is None:
            head, _, param = key.replace(".", "/").rpartition("/")
            modules.setdefault(head or key, {})[param or key] = a
        else:
            modules.setdefault(m["layer"], {})[m["param"]] = a
    notes: list[str] = []
    names = sorted(modules, key=natural_key)
    if order is not None:
        names = [n for n in order if n in modules] + [n for n in names if n not in order]
    elif len(names) > 1:
        notes.append(f"layer order from the names: {', '.join(names)}")
    layers = []
    for name in names:
        problem = _not_linear(path, name, modules[name])
        if problem:
            raise ModelImportError(f"{path}: layer {problem}; mlpviz imports plain MLPs (Dense "
                                   "layers with one activation between them)")
        if "kernel" not in modules[name]:
            raise ModelImportError(f"{path}: layer '{name}' has no kernel; Keras Dense layers "
                                   "store kernel and bias")
        kernel = _floats(modules[name]["kernel"], f"{name}/kernel", path)
        bias = modules[name].get("bias")
        b = None if bias is None else _floats(bias, f"{name}/bias", path)
        layers.append(_layer(path, name, kernel.T.copy(), b, True, notes))
    return layers, notes


# --- Keras .h5 ------------------------------------------------------------------------------------

# Keras names its activations as we do, plus the output and identity layers.
_KERAS_ACTIVATIONS = {**{name: name for name in ACTIVATIONS}, "softmax": SOFTMAX,
                      "log_softmax": LOG_SOFTMAX, "linear": NOTHING}
_KERAS_PASSIVE = {"InputLayer": "", "Dropout": "Dropout is the identity when not training",
                  "Flatten": ""}


def h5_layers(root_attrs: dict, data: dict[str, np.ndarray], groups: dict[str, dict],
              path) -> tuple[list[Layer], list[str]]:
    """A Keras .h5 (model.save or save_weights): weights under `model_weights/` or the root,
    ordered by the `layer_names` attribute; with a `model_config` the activations are read from
    it and every layer's kind is checked."""
    base = "model_weights" if "model_weights" in groups else ""
    prefix = f"{base}/" if base else ""
    order = groups.get(base, {}).get("layer_names")
    flat: dict[str, np.ndarray] = {}
    for key, a in data.items():
        if not key.startswith(prefix):
            continue  # optimizer state and the like
        layer, _, rest = key[len(prefix):].partition("/")
        param = rest.rpartition("/")[2].split(":")[0]
        flat[f"{layer}/{param}"] = a
    if not flat:
        raise ModelImportError(f"{path}: no Dense kernels found in this HDF5 file")
    config = root_attrs.get("model_config")
    if config is None:
        layers, notes = keras_layers(flat, path, order=list(order) if order is not None else None)
        return layers, notes
    return _configured(flat, config, path)


def _config_layers(config, path) -> list[dict]:
    try:
        doc = json.loads(config)
        layers = doc["config"]["layers"] if isinstance(doc["config"], dict) else doc["config"]
        return [dict(class_name=str(l["class_name"]), config=dict(l["config"])) for l in layers]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise ModelImportError(f"{path}: its model_config is not a Keras model description "
                               f"({type(e).__name__}: {e})") from None


def _configured(flat: dict[str, np.ndarray], config, path) -> tuple[list[Layer], list[str]]:
    """Layers in the config's order, each checked: Dense (with its activation), Activation,
    Softmax, stateless Dropout / Flatten / InputLayer; anything else is refused by name."""
    weights, notes = keras_layers(flat, path)
    by_name = {lay.name: lay for lay in weights}
    layers: list[Layer] = []
    for spec in _config_layers(config, path):
        kind, cfg = spec["class_name"], spec["config"]
        name = str(cfg.get("name", kind))
        if kind == "Dense":
            if name not in by_name:
                raise ModelImportError(f"{path}: Dense layer '{name}' has no weights in the file")
            act = _keras_activation(cfg.get("activation", "linear"), name, path)
            lay = by_name[name]
            layers.append(Layer(lay.name, lay.W, lay.b, True, act))
        elif kind in ("Activation", "Softmax", "ReLU"):
            act = {"Softmax": SOFTMAX, "ReLU": "relu"}.get(
                kind, _keras_activation(cfg.get("activation"), name, path))
            if not layers or layers[-1].after not in (None, NOTHING):
                raise ModelImportError(f"{path}: layer '{name}' ({kind}) does not follow a Dense "
                                       "layer: not a plain MLP")
            last = layers[-1]
            layers[-1] = Layer(last.name, last.W, last.b, True, act)
        elif kind in _KERAS_PASSIVE:
            if kind == "Flatten" and layers:
                raise ModelImportError(f"{path}: layer '{name}' (Flatten) comes after a Dense "
                                       "layer: not a plain MLP")
            if _KERAS_PASSIVE[kind]:
                notes.append(f"layer '{name}': {_KERAS_PASSIVE[kind]}, skipped")
        else:
            raise ModelImportError(f"{path}: layer '{name}' is a {kind}; mlpviz imports plain "
                                   "MLPs (Dense layers with one activation between them)")
    notes = [n for n in notes if not n.startswith("layer order from the names")]
    return layers, notes


def _keras_activation(name, layer: str, path) -> str:
    if name not in _KERAS_ACTIVATIONS:
        raise ModelImportError(f"{path}: layer '{layer}' uses the activation {name!r}; mlpviz "
                               "knows sigmoid, tanh, relu and a softmax output")
    return _KERAS_ACTIVATIONS[name]
