"""The `mlpviz` command: the desktop app, and headless train / evaluate / gradcheck / data / trace.

Exit codes: 0 success, 1 an error (bad file, data, download, diverged training), 2 bad usage,
130 interrupted (Ctrl-C, SIGTERM, SIGHUP), 141 the reader of the output went away (a broken pipe,
as `| head` does; nothing is printed). Errors are one line on stderr, "mlpviz: error: …", never a traceback.
Qt is imported only when the app starts, so the headless commands run without a display.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from mlpviz import __version__, i18n
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.datasets import (
    FASHION_SYSTEM_DIR, Dataset, DatasetError, available_datasets, has_dataset_files,
)
from mlpviz.core.gradcheck import (
    AGREES, DISAGREES, GRADCHECK_TOLERANCE, KINK, NOT_DIFFERENTIABLE, NOT_FINITE, TOO_SMALL,
    check_gradient,
)
from mlpviz.core.imports import OURS, import_model, load_any_model
from mlpviz.core.limits import (
    DRAWN, MAX_MODEL_PARAMETERS, TRAINED, architecture_problem, hidden_problem,
    parse_hidden,
)
from mlpviz.core.model_file import ModelFileError
from mlpviz.core.model_metadata import ModelMetadata
from mlpviz.core.network import Network
from mlpviz.core.paths import cache_dir
from mlpviz.core.training import Trainer, TrainingDiverged, default_lr, single_blas_thread
from mlpviz.cli_support import (
    CommandError, _check_output_path, _count, _load_data, _model_and_data, _naming,
    _ProgressBar, _say, _silence_stdout, _StopOnSignals, _whole_number,
)
from mlpviz.handout_cli import add_lesson_command, cmd_lesson
from mlpviz.i18n import N_, _

EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a Unix tool ended by SIGPIPE


class _UsageExit(Exception):
    """Raised instead of sys.exit by the parser (bad usage, --help, --version)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# argparse's own words (it looks them up through its module's `_` when it formats): translated
# from our catalog, so `mlpviz --lang zh --help` is Chinese throughout.
_ARGPARSE_WORDS = (N_("usage: "), N_("options"), N_("positional arguments"),
                   N_("show this help message and exit"),
                   N_("show program's version number and exit"),
                   # … and the words of its errors a user meets
                   N_("argument %(argument_name)s: %(message)s"),
                   N_("unrecognized arguments: %s"),
                   N_("the following arguments are required: %s"),
                   N_("expected one argument"),
                   N_("invalid choice: %(value)r (choose from %(choices)s)"),
                   N_("invalid %(type)s value: %(value)r"),
                   N_("ambiguous option: %(option)s could match %(matches)s"))
argparse._ = _  # noqa: SLF001


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error ("mlpviz: error: …") and no sys.exit, so main() returns."""

    def error(self, message: str):
        hint = _(" (see '{prog} --help')").format(prog=self.prog)
        _print_error(message + hint)
        raise _UsageExit(EXIT_USAGE)

    def exit(self, status: int = 0, message: str | None = None):
        if message:
            sys.stderr.write(message)
        raise _UsageExit(status)


# --- argument types ---------------------------------------------------------------------------


_positive_int = _whole_number(1, "a positive whole number")


def _window_size(text: str) -> tuple[int, int]:
    """"1280x800" → (1280, 800): a window from 320×240 to 7680×4320 pixels."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    try:
        size = (int(w), int(h)) if sep else None
    except ValueError:
        size = None
    if size is None or not (320 <= size[0] <= 7680 and 240 <= size[1] <= 4320):
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in pixels, 320x240 to 7680x4320, got {text!r}")
    return size


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _hidden_layers(text: str) -> list[int]:
    """"16,16" → [16, 16]; "" → [] (inputs wired straight to the outputs); an empty entry
    ("16,,16") is a typo, not a layer. Sizes beyond what the command line trains
    (core.limits.TRAINED) are refused here, before anything is allocated."""
    try:
        sizes = parse_hidden(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    problem = hidden_problem(sizes, TRAINED)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem} (got {text!r})")
    return sizes


def _trace_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".npz", ".json"):
        raise argparse.ArgumentTypeError(f"the trace file must end in .npz or .json, got {text!r}")
    return path


# --- the parser -------------------------------------------------------------------------------


def window_options(parser: argparse.ArgumentParser) -> None:
    """How the app's window is set up (for --screenshot, or the app as it opens)."""
    from mlpviz.core.palette import PALETTES
    from mlpviz.gui.window_setup import TABS  # Qt-free

    group = parser.add_argument_group(
        _("the window (for --screenshot, or the app as it opens; after --train-steps)"))
    group.add_argument("--size", dest="window_size", type=_window_size, default=None, metavar="WxH",
                       help=_("window size in pixels (default 1280x800)"))
    group.add_argument("--present", dest="window_present", action="store_true",
                       help=_("presentation mode (F5)"))
    group.add_argument("--tab", dest="window_tab", choices=TABS, help=_("the side panel on show"))
    group.add_argument("--stage", dest="window_stage", metavar="N",
                       help=_("the backprop stepper at stage N, numbered as the stepper shows "
                            "it: 1a … 9 (\"1\" is 1a)"))
    group.add_argument("--theme", dest="window_theme", choices=("dark", "light"),
                       help=_("colour theme"))
    group.add_argument("--palette", dest="window_palette", choices=tuple(PALETTES),
                       help=_("the colours of + and −: the lesson's green/red, or blue/orange "
                              "(colour-blind safe); View › Palette, C"))
    group.add_argument("--sample", dest="window_sample", type=_count, default=None, metavar="N",
                       help=_("held-out sample N on show (0-based)"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlpviz",
        description=_("Watch a small neural network learn handwritten digits. Without a command, "
                    "the desktop app opens."))
    parser.add_argument("--version", action="version", version=f"mlpviz {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help=_("language of the messages and the app: en (English) or zh (中文); "
                               "default: the system's (LANG), or the app's last choice"))
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help=_("render the app offscreen after some training, save a PNG, and "
                               "quit"))
    parser.add_argument("--train-steps", type=_count, default=None, metavar="N",
                        help=_("mini-batches to train before --screenshot (default 300)"))
    window_options(parser)
    parser.add_argument("--model", dest="app_model", metavar="PATH",
                        help=_("open this model file in the app (ours, or one trained elsewhere: "
                             "see 'mlpviz import --help')"))
    import_options(parser, dest_prefix="app_")
    parser.add_argument("--lesson", dest="app_lesson", metavar="FILE.mlpviz",
                        help="open this lesson file in the app (also: mlpviz FILE.mlpviz)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def network_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--layers", type=_hidden_layers, default=[16, 16], metavar="16,16",
                       help=_("hidden layer sizes, comma-separated (default 16,16)"))
        p.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid",
                       help=_("activation σ of every layer (default sigmoid)"))
        p.add_argument("--cost", choices=sorted(COSTS), default="mse",
                       help=_("cost: mse, or cross_entropy with softmax outputs (default mse)"))
        p.add_argument("--seed", type=_count, default=0,
                       help=_("seed of the initial weights, a whole number ≥ 0 (default 0)"))

    def data_option(p: argparse.ArgumentParser, default: str | None) -> None:
        where = _("the model's own, else bundled") if default is None else default
        p.add_argument("--data", default=default, metavar="bundled|mnist|fashion|DIR",
                       help=_("dataset: the bundled sample, full MNIST, Fashion-MNIST or a "
                              "folder of MNIST-format IDX files (default: {where})").format(
                                  where=where))

    p = commands.add_parser("train", help=_("train a network headless and save it"),
                            description=_("Mini-batch SGD; Ctrl-C stops after the current batch "
                                        "and still saves."))
    network_options(p)
    p.add_argument("--lr", type=_learning_rate, default=None,
                   help=_("learning rate η (default: the one that learns for this activation, "
                        "cost and depth; see the README's table)"))
    p.add_argument("--batch", type=_positive_int, default=100,
                   help=_("mini-batch size (default 100)"))
    p.add_argument("--epochs", type=_positive_int, default=5, help=_("epochs (default 5)"))
    data_option(p, "bundled")
    p.add_argument("--save", metavar="MODEL.npz", help=_("write the trained model here"))

    p = commands.add_parser("evaluate", help=_("accuracy, cost and confusion matrix of a model"))
    p.add_argument("model", metavar="MODEL.npz")
    data_option(p, None)
    import_options(p)

    p = commands.add_parser("gradcheck", help=_("compare backprop with numerical derivatives"),
                            description=_("Builds the network (or reads --model), takes one "
                                        "held-out sample, and checks every ∂C/∂w and ∂C/∂b "
                                        "against central differences, allowing for their own "
                                        "rounding and truncation error (exit 1 only if one "
                                        "really disagrees)."))
    network_options(p)
    p.add_argument("--model", metavar="MODEL.npz", default=None,
                   help=_("check this saved (or importable) model instead of building one; "
                        "--layers, --activation, --cost and --seed are then the model's own"))
    p.add_argument("--sample", type=_count, default=None, metavar="N",
                   help=_("index into the held-out set (default: one drawn with --seed)"))
    data_option(p, None)
    p.add_argument("--max-params", type=_count, default=50_000, metavar="N",
                   help=_("check a seeded sample of whole neurons when the network has more than N "
                        "parameters (default 50,000; 0 checks every parameter)"))

    p = commands.add_parser("data", help=_("list or download datasets"))
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = actions.add_parser("download", help=_("download full MNIST or Fashion-MNIST"))
    d.add_argument("which", choices=["mnist", "fashion"])
    d.add_argument("--dir", metavar="DIR", default=None,
                   help=_("download into DIR/<which> (default: {cache}/<which>; MLPVIZ_DATA "
                          "sets it)").format(cache=cache_dir()))
    actions.add_parser("list", help=_("datasets available without downloading"))

    p = commands.add_parser("trace", help=_("save the backprop trace of one held-out sample"))
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("--sample", type=_count, required=True, metavar="N",
                   help=_("index into the held-out set"))
    data_option(p, None)
    p.add_argument("--out", type=_trace_path, required=True, metavar="TRACE.npz|TRACE.json")
    import_options(p)
    add_lesson_command(commands, data_option, import_options)
    add_import_commands(commands)
    add_desktop_commands(commands)
    from mlpviz.record import add_record_command  # it builds on this module

    add_record_command(commands, network_options, _window_size, _positive_int)
    return parser


# --- entry point ------------------------------------------------------------------------------


def chosen_language(argv: list[str]) -> str | None:
    """The language `--lang en|zh` (or `--lang=zh`) asks for, read before the parser is built:
    its help and messages are in that language. None when not given (or not a language: the
    parser then says so)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return i18n.normalize(argv[i + 1])
        if arg.startswith("--lang="):
            return i18n.normalize(arg.partition("=")[2])
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the `mlpviz` command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(chosen_language(argv) or i18n.system_language())
    parser = build_parser()
    try:
        args = parser.parse_args(lesson_as_option(parser, sys.argv[1:] if argv is None else argv))
        if args.command and (args.screenshot or args.app_model or args.train_steps is not None
                             or args.app_activation or args.app_cost
                             or _window_setup(args, lang=False) or args.app_lesson):
            parser.error("--screenshot, --train-steps, --model, --lesson, --activation, --cost "
                         "and the window's options before a command apply only to the app")
        if args.app_lesson and args.app_model:
            parser.error("a lesson file holds its own network: give --lesson or --model, not "
                         "both")
        if args.window_stage and args.window_tab not in (None, "backprop"):
            parser.error(f"--stage shows the backprop tab, not --tab {args.window_tab}")
    except _UsageExit as e:
        return e.code
    handlers = {"train": cmd_train, "evaluate": cmd_evaluate, "gradcheck": cmd_gradcheck,
                "data": cmd_data, "trace": cmd_trace, "lesson": cmd_lesson, "import": cmd_import,
                "compare": cmd_compare, "install-desktop": cmd_install_desktop,
                "uninstall-desktop": cmd_uninstall_desktop, "record": _cmd_record, None: cmd_app}
    try:
        return handlers[args.command](args)
    except BrokenPipeError:  # `mlpviz evaluate m.npz | head`: the reader left; end quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return EXIT_INTERRUPTED
    except (CommandError, ModelFileError, DatasetError, ValueError, TrainingDiverged) as e:
        _print_error(str(e))
    except OSError as e:
        _print_error(_describe_os_error(e))
    except MemoryError as e:  # a network or dataset too big for this machine
        _print_error(f"not enough memory: {e or 'the arrays do not fit'}")
    except Exception as e:  # DownloadError (RuntimeError); anything else is reported, not dumped
        from mlpviz.core.download import DownloadError

        if not isinstance(e, DownloadError):
            raise
        _print_error(str(e))
    return EXIT_ERROR


def _cmd_record(args: argparse.Namespace) -> int:
    from mlpviz.record import cmd_record

    return cmd_record(args)


def lesson_as_option(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """`mlpviz FILE.mlpviz` (what a double-click on a lesson file runs) as `mlpviz --lesson
    FILE.mlpviz`: the first word before any command that is neither an option nor an
    option's value, when it ends in .mlpviz (a mistyped command stays a usage error)."""
    from mlpviz.core.lesson_file import EXTENSION

    takes_value = {flag for action in parser._actions if action.nargs != 0
                   for flag in action.option_strings}
    for i, word in enumerate(argv):
        if word.startswith("-") or (i and argv[i - 1] in takes_value):
            continue
        if word.lower().endswith(EXTENSION):
            return [*argv[:i], "--lesson", word, *argv[i + 1:]]
        break  # a command
    return list(argv)


def _print_error(message: str) -> None:
    """One line on stderr, whatever newlines the message holds."""
    print(_("mlpviz: error: {message}").format(message=" ".join(str(message).split())),
          file=sys.stderr)


def _describe_os_error(e: OSError) -> str:
    if e.filename is not None and e.strerror:
        return f"{e.filename}: {e.strerror}"
    return str(e) or type(e).__name__


# --- the app ----------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace) -> int:
    if args.app_model and not Path(args.app_model).exists():
        raise CommandError(f"{args.app_model}: no such model file")
    if args.app_lesson and args.screenshot:  # else the window's banner says what is wrong
        from mlpviz.core.lesson_file import LessonFileError, read_lesson

        try:
            read_lesson(args.app_lesson)
        except LessonFileError as e:
            raise CommandError(str(e)) from None
    with _app_model(args) as model:  # a bad file is one error line here, not a banner (or a
        # --screenshot that exits 0 without the model); whether it fits the data the app checks
        return _run_app(args, model)


@contextlib.contextmanager
def _app_model(args: argparse.Namespace):
    """The model file the app opens: ours as given; a file trained elsewhere is imported and
    handed to the app as our format, in a temporary folder that lives while the app runs."""
    if not args.app_model:
        yield None
        return
    imported = import_model(args.app_model, args.app_activation, args.app_cost)
    if args.screenshot:  # the app would show a banner and the screenshot exit 0 without the model
        _check_fits_app(args.app_model, imported.network)
    if imported.format == OURS:
        yield args.app_model
        return
    with tempfile.TemporaryDirectory(prefix="mlpviz-import-") as folder:
        path = Path(folder) / f"{Path(args.app_model).stem}.npz"
        imported.network.save(path, imported.metadata())
        yield str(path)


def _check_fits_app(path: str, net: Network) -> None:
    """CommandError unless the app (on its default, bundled data) can show `net`: the network
    view's limits (core.limits.DRAWN), one input per pixel, one output per class, and a forward
    pass that does not overflow."""
    ds = _load_data("bundled")
    problem = architecture_problem(net.sizes, net.activation, net.cost, 0, ds, DRAWN)
    if problem:
        raise CommandError(f"{path}: the app cannot show this model: {problem}")
    with _naming(path):
        net.forward(ds.test_x()[:100])  # NonFiniteError if its weights overflow


def _run_app(args: argparse.Namespace, model: str | None) -> int:
    try:
        from mlpviz.gui.app import run_app
    except ImportError as e:  # PySide6 missing, or Qt's system libraries (libEGL, libxkbcommon …)
        raise CommandError(f"cannot start the app: {e} (./scripts/run-app.sh installs what Qt "
                           "needs)") from None
    default_steps = 0 if args.app_lesson else 300  # a lesson is pictured as it was saved
    train_steps = default_steps if args.train_steps is None else args.train_steps
    return run_app(screenshot=args.screenshot, train_steps=train_steps, model=model,
                   setup=_window_setup(args), lesson=args.app_lesson)


def _window_setup(args: argparse.Namespace, lang: bool = True):
    """The window's options as a `gui.app.WindowSetup`, or None when none was given (`--lang`
    counted only with `lang`: it is the commands' language too)."""
    from mlpviz.gui.window_setup import WindowSetup

    given = {k: getattr(args, f"window_{k}", None)
             for k in ("size", "tab", "stage", "theme", "palette", "sample")}
    given = {k: v for k, v in given.items() if v is not None}
    if lang and getattr(args, "lang", None):
        given["lang"] = args.lang
    if getattr(args, "window_present", False):
        given["present"] = True
    return WindowSetup(**given) if given else None


# --- train ------------------------------------------------------------------------------------


def _network(args: argparse.Namespace, ds: Dataset) -> Network:
    """The network --layers, --activation, --cost and --seed ask for, reading `ds`: one input
    per pixel, one output per class."""
    sizes = [ds.n_inputs, *args.layers, ds.n_classes]
    problem = architecture_problem(sizes, args.activation, args.cost, args.seed, ds, TRAINED)
    if problem:
        raise CommandError(problem)
    return Network(sizes, args.activation, args.cost, args.seed)


def _check_save_path(path: str | None) -> Path | None:
    """Fail before training, not after, if the model cannot be written there."""
    return _check_output_path(path, "--save")


def _save_or_rescue(net: Network, path: Path, metadata: dict) -> None:
    """Save the trained model to `path`; if that fails (a full disk, the folder gone), save a
    rescue copy in the temporary folder and raise a CommandError saying where the weights are,
    so hours of training are not lost to one write error."""
    try:
        net.save(path, metadata)
        return
    except OSError as e:
        reason = _describe_os_error(e)
    rescue = Path(tempfile.gettempdir()) / f"mlpviz-rescued-{os.getpid()}-{path.name}"
    try:
        net.save(rescue, metadata)
    except OSError as e:
        raise CommandError(f"could not save the model: {reason}; a rescue copy in {rescue.parent} "
                           f"failed too ({e.strerror or e}): the trained weights are lost") from None
    raise CommandError(f"could not save the model: {reason}; the trained weights are safe in "
                       f"{rescue} (move that file where you want it)")


def _epoch_line(report, width: int) -> str:
    return (f"epoch {report.epoch:{width}d}   train cost {report.train_cost:.4f} "
            f"acc {report.train_accuracy:7.2%}   held-out cost {report.test_cost:.4f} "
            f"acc {report.test_accuracy:7.2%}   {report.samples_per_second:,.0f} samples/s")


def cmd_train(args: argparse.Namespace) -> int:
    save_path = _check_save_path(args.save)
    ds = _load_data(args.data)
    net = _network(args, ds)
    if save_path is not None and net.parameter_count > MAX_MODEL_PARAMETERS:
        raise CommandError(
            f"--save: a model file holds at most {MAX_MODEL_PARAMETERS:,} parameters and this "
            f"network has {net.parameter_count:,}, so the saved file could not be opened again; "
            "choose smaller --layers")
    lr = default_lr(args.cost, args.activation, len(args.layers)) if args.lr is None else args.lr
    batch = min(args.batch, len(ds.train_labels))  # a batch cannot hold more than every sample
    trainer = Trainer(net, ds.train_images, ds.train_labels, ds.test_images, ds.test_labels,
                      lr=lr, batch_size=batch, seed=args.seed)
    _say(f"{net!r}")
    batch_text = f"{batch:,}" if batch == args.batch else (
        f"{batch:,} (the whole training set; --batch {args.batch:,} asks for more)")
    _say(f"{ds.name}: {len(ds.train_labels):,} training / {len(ds.test_labels):,} held-out; "
          f"lr {lr:g}, batch {batch_text}, {args.epochs} epoch{'' if args.epochs == 1 else 's'}, "
          f"seed {args.seed}")

    bar, width = _ProgressBar(), len(str(args.epochs))
    history, epoch_ends, batches = [], [], 0  # the epochs' reports, the batches at their ends
    diverged: TrainingDiverged | None = None
    with _StopOnSignals() as stop, single_blas_thread():
        try:
            for __ in range(args.epochs):
                label = f"epoch {trainer.epoch + 1:{width}d}/{args.epochs}"
                while not trainer.epoch_done and not stop.requested:
                    report = trainer.step()
                    batches += 1
                    bar.update(label, report.batch, report.batches_per_epoch,
                               f"cost {report.cost:.4f}", force=trainer.epoch_done)
                if stop.requested:
                    break
                bar.clear()
                report = trainer.finish_epoch()
                history.append(report)
                epoch_ends.append(batches)
                _say(_epoch_line(report, width))
        except KeyboardInterrupt:  # outside the main thread, or a second Ctrl-C
            stop.requested = True
        except TrainingDiverged as e:
            diverged = e
        finally:
            bar.clear()
        stop.saving = True  # from here on a signal never cuts the save short

        if diverged is not None:
            raise CommandError(f"training diverged in epoch {trainer.epoch + 1}: {diverged}"
                               + (f" (nothing was saved to {save_path})" if save_path else ""))
        trainer.sync()
        if save_path is not None:  # saved before anything is printed: after SIGHUP the
            # terminal may be gone, and a failed print must not cost the model
            metadata = ModelMetadata(
                dataset=args.data, dataset_name=ds.name, lr=lr, batch=batch, seed=args.seed,
                epochs=trainer.epoch, batches_seen=batches, samples_seen=trainer.samples_seen,
                history=history, epoch_ends=epoch_ends, interrupted=stop.requested)
            _save_or_rescue(net, save_path, metadata.as_dict())
        if stop.requested:
            test_cost, test_acc = trainer.evaluate(ds.test_images, ds.test_labels)
            _say(f"stopped in epoch {trainer.epoch + 1} after {trainer.batch_in_epoch} of "
                  f"{trainer.batches_per_epoch} batches: held-out cost {test_cost:.4f} "
                  f"acc {test_acc:.2%}")
        if save_path is not None:
            _say(f"saved {save_path}")
    return EXIT_INTERRUPTED if stop.requested else 0


# --- evaluate ---------------------------------------------------------------------------------


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[t, p]: samples of true class t predicted as p."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels, dtype=np.intp), np.asarray(predictions, dtype=np.intp)), 1)
    return counts


def format_confusion(counts: np.ndarray, class_names) -> str:
    """Aligned text: rows true class, columns predicted, last column each class's accuracy.
    Long class names label the rows and the columns are numbered."""
    names = [str(n) for n in class_names]
    short = max(map(len, names)) <= 5
    cols = names if short else [str(i) for i in range(len(names))]
    rows = names if short else [f"{i} {n}" for i, n in enumerate(names)]
    w = max(max(map(len, cols)), len(str(int(counts.max(initial=0)))))
    head = "true \\ predicted"
    rw = max(len(head), *map(len, rows))
    lines = [f"{head:<{rw}}  " + " ".join(f"{c:>{w}}" for c in cols) + "   correct"]
    for name, row, t in zip(rows, counts, range(len(rows))):
        total = int(row.sum())
        correct = f"{row[t] / total:7.1%}" if total else "      –"
        lines.append(f"{name:<{rw}}  " + " ".join(f"{int(v):>{w}}" for v in row) + f"  {correct}")
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    net, meta, ds, spec = _model_and_data(args.model, args.data, args.activation, args.cost)
    if len(ds.test_labels) == 0:
        raise CommandError(f"{ds.name} has no held-out samples to evaluate on")
    labels = ds.test_labels.astype(np.intp)
    with single_blas_thread(), _naming(args.model):
        cost, accuracy, predictions = net.evaluate(ds.test_x(), labels)
    print(f"{net!r}")
    print(f"{ds.name}, held-out split: {len(labels):,} samples")
    print(f"accuracy {accuracy:.2%}   cost {cost:.4f} ({net.cost})")
    print()
    print(format_confusion(confusion_matrix(labels, predictions, ds.n_classes), ds.class_names))
    return 0


# --- gradcheck --------------------------------------------------------------------------------


# Bytes per parameter the check holds at its peak: the network's W, backprop's trace (its copy of
# W, ∂C/∂W, the wishes), extended-precision copies and the per-parameter verdicts. Measured:
# `gradcheck --layers 2000,2000` (5.6 M parameters) peaks at 856 MB resident, ~135 bytes each.
GRADCHECK_BYTES_PER_PARAMETER = 140


def available_memory() -> int | None:
    """Bytes of memory a new allocation can get without swapping: Linux's MemAvailable (elsewhere
    the free physical pages), capped by the process's address-space limit (`ulimit -v`) when
    one is set; None if unknown."""
    have = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    have = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if have is None:
        try:
            have = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            pass
    limit = _address_space_limit()
    if limit is not None:
        have = limit if have is None else min(have, limit)
    return have


def _address_space_limit() -> int | None:
    """The soft RLIMIT_AS in bytes (`ulimit -v`), or None when there is none (or no such
    thing on this system)."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        return None if limit == resource.RLIM_INFINITY or limit < 0 else limit
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def _check_gradcheck_fits(sizes: list[int]) -> None:
    """Refuse, before allocating anything, a check that will not fit in the memory available."""
    count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    need, have = count * GRADCHECK_BYTES_PER_PARAMETER, available_memory()
    if have is not None and need > have:
        raise CommandError(
            f"checking a {' → '.join(map(str, sizes))} network ({count:,} parameters) needs "
            f"about {need / 1e9:.1f} GB of memory and {have / 1e9:.1f} GB are available: choose "
            "smaller --layers")


def cmd_gradcheck(args: argparse.Namespace) -> int:
    if args.model is not None:
        net, __, ds, __ = _model_and_data(args.model, args.data)
    else:
        ds = _load_data(args.data or "bundled")
        _check_gradcheck_fits([ds.n_inputs, *args.layers, ds.n_classes])
        net = _network(args, ds)
    n_test = len(ds.test_labels)
    if n_test == 0:
        raise CommandError(f"{ds.name} has no held-out samples to check on")
    index = (int(np.random.default_rng(args.seed).integers(n_test)) if args.sample is None
             else args.sample)
    if index >= n_test:
        raise CommandError(f"--sample {index}: the held-out set has {n_test:,} samples "
                           f"(0 … {n_test - 1:,})")
    x, label = ds.test_images[index].astype(np.float64) / 255, int(ds.test_labels[index])
    result = check_gradient(net, x, label, max_params=args.max_params or None)
    print(f"{net!r}")
    print(f"held-out sample #{index} (label {ds.class_names[label]}); central differences with "
          f"h = {result.step:.1e}·max(1, |z|) in a float with u = {result.unit_roundoff:.1e}; "
          f"a parameter disagrees when |g_backprop − g_numerical| exceeds the difference "
          f"quotient's own rounding and truncation error + {GRADCHECK_TOLERANCE:g} relative")
    if result.checked < result.total:
        print(f"checked {result.checked:,} of {result.total:,} parameters (a seeded sample of "
              "whole neurons; --max-params 0 checks all)")
    for c in result.layers:
        counts = ", ".join(f"{c.count(v):,} {_VERDICT_WORDS[v]}" for v in _VERDICT_WORDS
                           if c.count(v))
        print(f"  layer {c.layer} → {c.layer + 1}:  {counts}")
    if result.offenders:
        p = result.offenders[0]
        where = f"W{p.l}[{p.j},{p.k}]" if p.k >= 0 else f"b{p.l}[{p.j}]"
        print(f"worst {where}: backprop {p.backprop:.6e}, numerical {p.numerical:.6e}, "
              f"allowance ±{p.allowance:.1e} ({_VERDICT_WORDS[p.verdict]})")
    wrong = result.count(DISAGREES) + result.count(NOT_FINITE)
    print("OK: no parameter disagrees" if result.ok else
          f"FAILED: {wrong:,} parameter(s) disagree or are not finite")
    return 0 if result.ok else EXIT_ERROR


_VERDICT_WORDS = {AGREES: "agree", TOO_SMALL: "too small to check numerically",
                  NOT_DIFFERENTIABLE: "at a kink (z = 0: not differentiable)",
                  KINK: "across a kink within the step", NOT_FINITE: "not finite",
                  DISAGREES: "DISAGREE"}


# --- data -------------------------------------------------------------------------------------


def cmd_data(args: argparse.Namespace) -> int:
    if args.action == "list":
        found = available_datasets()
        w = max(len(spec) for spec, _ in found)
        for spec, label in found:
            print(f"{spec:<{w}}  {label}")
        print(f"(downloads live in {cache_dir()}; --data DIR takes any folder of MNIST-format "
              "IDX files)")
        return 0
    if args.which == "fashion" and args.dir is None and has_dataset_files(FASHION_SYSTEM_DIR):
        print(f"Fashion-MNIST is already installed in {FASHION_SYSTEM_DIR} (Debian's "
              "dataset-fashion-mnist): nothing to download")
        return 0
    from mlpviz.core.download import download_dataset

    bar = _ProgressBar()

    def progress(done: int, total: int | None) -> None:
        if total:
            bar.update(f"downloading {args.which}", done, total,
                       f"{done / 1e6:.1f} of {total / 1e6:.1f} MB", force=done >= total)
        else:
            bar.update(f"downloading {args.which}", 0, 0, f"{done / 1e6:.1f} MB")

    def log(text: str) -> None:
        bar.clear()
        print(f"mlpviz: {text}", file=sys.stderr, flush=True)

    try:
        folder = download_dataset(args.which, root=Path(args.dir) if args.dir else None,
                                  progress=progress, log=log)
    finally:
        bar.clear()
    print(f"{args.which} is in {folder}")
    if args.dir is not None:
        print(f"use it with --data {folder}")
    return 0


# --- trace ------------------------------------------------------------------------------------


def cmd_trace(args: argparse.Namespace) -> int:
    _check_output_path(args.out, "--out")
    net, meta, ds, spec = _model_and_data(args.model, args.data, args.activation, args.cost)
    n = len(ds.test_labels)
    if n == 0:
        raise CommandError(f"{ds.name} has no held-out samples to trace")
    if args.sample >= n:
        raise CommandError(f"--sample {args.sample}: {ds.name} has {n:,} held-out samples "
                           f"(0 … {n - 1})")
    from mlpviz.core.trace_export import save_trace

    x, label = ds.test_images[args.sample].astype(np.float64) / 255, int(ds.test_labels[args.sample])
    with _naming(args.model):
        trace = net.backprop(x, label)
    save_trace(trace, args.out)
    names = ds.class_names
    print(f"sample {args.sample}: label {names[label]}, predicted {names[trace.prediction]}, "
          f"cost {trace.cost:.6g}")
    print(f"saved {args.out}")
    return 0


# --- import and compare: networks and traces from elsewhere -----------------------------------


def import_options(p: argparse.ArgumentParser, dest_prefix: str = "") -> None:
    """--activation / --cost for files that do not say them (imported models, partial traces);
    no default: nothing is assumed."""
    p.add_argument("--activation", dest=f"{dest_prefix}activation", choices=sorted(ACTIVATIONS),
                   default=None, help=_("the activation, where the file does not say it"))
    p.add_argument("--cost", dest=f"{dest_prefix}cost", choices=sorted(COSTS), default=None,
                   help=_("the cost, where the file does not say it"))


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0, got {text!r}")
    return value


def add_import_commands(commands) -> None:
    """The `import` and `compare` subcommands."""
    p = commands.add_parser(
        "import", help=_("convert a network trained elsewhere to an mlpviz model"),
        description=_("Reads a plain MLP (Linear/Dense layers with one activation between them) "
                    "from a PyTorch nn.Sequential state dict (.safetensors or .npz: 0.weight, "
                    "0.bias, 2.weight …), Keras Dense weights (.npz or .h5: kernel, bias) or an "
                    "ONNX graph, and writes mlpviz's model format. Give --activation and --cost "
                    "where the file does not say them. Any command that takes a model also "
                    "takes these files directly."))
    p.add_argument("theirs", metavar="THEIRS")
    p.add_argument("--out", required=True, metavar="MODEL.npz", help=_("the mlpviz model to write"))
    import_options(p)

    p = commands.add_parser(
        "compare", help=_("diff your backprop trace against mlpviz's; name the likely mistake"),
        description=_("Recomputes your trace (the README's trace format, or any part of it; one "
                    "sample or a batch) with mlpviz on your W, b, x and label, reports per array "
                    "the largest difference and the first entry that differs, and names the "
                    "classic mistake that reproduces your numbers. Exit 0 when everything "
                    "agrees, 1 on a mismatch."))
    p.add_argument("theirs", metavar="THEIRS.npz|THEIRS.json")
    p.add_argument("--model", metavar="MODEL", default=None,
                   help=_("the parameters to use when your trace has no W0, b0 …"))
    p.add_argument("--tolerance", type=_tolerance, default=1e-6,
                   help=_("largest relative difference that counts as agreement (default 1e-6; "
                        "about 1e-4 for float32 code)"))
    import_options(p)


def cmd_import(args: argparse.Namespace) -> int:
    out = _check_output_path(args.out, "--out")
    imported = import_model(args.theirs, args.activation, args.cost)
    for line in imported.describe():
        print(line)
    imported.network.save(out, imported.metadata())
    print(f"saved {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from mlpviz.core.compare import compare_trace, read_their_trace

    model = None
    if args.model is not None:
        model, __ = load_any_model(args.model, args.activation, args.cost)
    theirs, ignored = read_their_trace(args.theirs)
    result = compare_trace(theirs, args.theirs, model, args.activation, args.cost,
                           args.tolerance, ignored, load_data=_load_data)
    for line in comparison_lines(result):
        print(line)
    return 0 if result.agrees else EXIT_ERROR


def _first_entry(d) -> str:
    """Where the first difference is, and the two values: "layer 2, j 4, k 2: theirs …, ours …"."""
    if not d.shapes_match:
        return f"shape {d.theirs.shape}, ours {d.ours.shape}"
    theirs, ours = d.first_values
    if d.first and d.ours.ndim == 2 and d.layer is not None and not d.key.startswith("grad_W"):
        where = f"sample {d.first[0]}, j {d.first[1]}"
    elif d.layer is not None:
        where = ", ".join([f"layer {d.layer}"] + [f"{n} {i}" for n, i in zip("jk", d.first)])
    else:
        where = "value"
    return f"{where}: theirs {theirs:.6g}, ours {ours:.6g}"


def comparison_lines(result) -> list[str]:
    """The report `mlpviz compare` prints."""
    setup = result.setup
    sizes = " → ".join(str(s) for s in setup.network.sizes)
    lines = [f"recomputed with {', '.join(setup.notes)}",
             f"network {sizes}; tolerance {result.tolerance:g} (relative difference |theirs − "
             "ours| / max(|theirs|, |ours|, 1e-3 × the array's largest |ours|))", ""]
    rows = [("array", "shape", "max |Δ|", "max rel", "first difference")]
    for d in result.diffs:
        bad = f" ({d.nonfinite} NaN/inf in theirs)" if d.nonfinite else ""
        rows.append((d.key, str(d.theirs.shape),
                     "–" if d.max_abs is None else f"{d.max_abs:.2e}",
                     "–" if d.max_rel is None else f"{d.max_rel:.2e}",
                     ("agrees" if d.agrees else _first_entry(d)) + bad))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines += ["  ".join(f"{cell:<{w}}" for cell, w in zip(r[:4], widths)) + "  " + r[4]
              for r in rows]
    for key, why in result.skipped:
        lines.append(f"not compared: {key} ({why})")
    if result.ignored:
        lines.append(f"ignored (not trace keys): {', '.join(result.ignored)}")
    lines.append("")
    if not result.diffs:
        lines.append("nothing to compare: the trace holds none of a, z, C, grad_a, grad_z, "
                     "grad_W, grad_b")
    elif result.agrees:
        lines.append(f"agree: all {len(result.diffs)} arrays within {result.tolerance:g}")
    else:
        first = result.first_difference
        stage = f", stepper stage '{first.stage}'" if first.stage else ""
        lines.append(f"mismatch: {len(result.differing)} of {len(result.diffs)} arrays differ; "
                     f"the first is {first.key} ({first.symbol}){stage}")
        for d in result.diagnoses:
            lines.append(("likely mistake: " if d.complete else "fits: ") + d.text)
        if not result.diagnoses:
            lines.append("no single classic mistake reproduces these numbers: start at the "
                         "first difference")
    return lines


# --- the desktop menu entry -------------------------------------------------------------------


def add_desktop_commands(commands) -> None:
    """`install-desktop` and `uninstall-desktop` (see mlpviz.desktop)."""
    commands.add_parser(
        "install-desktop", help=_("add mlpviz to the desktop's applications menu"),
        description=_("Writes a freedesktop .desktop entry and the app's icon under "
                    "$XDG_DATA_HOME (default ~/.local/share), starting this installation's "
                    "mlpviz. No root needed; undo with 'mlpviz uninstall-desktop'."))
    commands.add_parser(
        "uninstall-desktop", help=_("remove mlpviz from the desktop's applications menu"),
        description=_("Removes the files 'mlpviz install-desktop' wrote, and nothing else."))


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from mlpviz import desktop

    written = desktop.install()
    print(f"installed {written[0]}")
    print(f"  starts: {desktop.exec_value(desktop.launch_command())}")
    print(f"  icon: {len(written) - 2} sizes under {desktop.data_home() / 'icons' / 'hicolor'}")
    print(f"  lesson files (*.mlpviz, {desktop.MIME_TYPE}): {written[-1]}")
    print("mlpviz is in the applications menu (a menu that was open may need a new login to "
          "show the icon)")
    return 0


def cmd_uninstall_desktop(args: argparse.Namespace) -> int:
    from mlpviz import desktop

    removed = desktop.uninstall()
    if not removed:
        print(f"nothing to remove: no mlpviz entry under {desktop.data_home()}")
    for path in removed:
        print(f"removed {path}")
    return 0
