"""`mlpviz lesson [MODEL] --sample N --out lesson.html|lesson.md`: the printable handout.

The walk for held-out sample N of the model (or, without MODEL, of a freshly seeded network — the
page says so) is built once (`core.walk.build_walk`, with the mini-batch the app's stepper uses,
`core.minibatch`), the network view is rendered offscreen at each stage
(`gui.handout_pictures`, Qt imported only here and only when pictures are wanted) and
`core.handout_files` writes the page. Every check (the output's name and folder, the language,
the model, the sample) runs before the work, and nothing is written unless all of it succeeded.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from mlpviz import i18n
from mlpviz.i18n import _, ngettext


def add_lesson_command(commands, data_option, import_options) -> None:
    """The `lesson` subcommand (`data_option(p, default)` and `import_options(p)` are cli.py's
    --data and the options of a model file from elsewhere)."""
    from mlpviz.cli_support import _count
    from mlpviz.core.handout import LANGUAGES
    from mlpviz.core.palette import DEFAULT_PALETTE, PALETTES

    p = commands.add_parser(
        "lesson", help=_("write the backprop walk for one sample as a printable handout"),
        description=_("Writes every stage of the backprop walk for one held-out sample — its "
                    "title, sentences, formula with its numbers, the rows of its table that "
                    "matter and a picture of the network view — as one self-contained HTML page "
                    "(pictures inline; print it on A4) or as Markdown with the pictures in a "
                    "folder beside it (lesson.md → lesson_files/). Without MODEL the network "
                    "is a freshly seeded, untrained one, and the page says so."))
    p.add_argument("model", metavar="MODEL", nargs="?", default=None,
                   help=_("a model file (ours, or one 'mlpviz import' reads); omitted: a freshly "
                        "seeded 16,16 sigmoid network"))
    p.add_argument("--sample", type=_count, required=True, metavar="N",
                   help=_("index into the held-out set (0-based)"))
    p.add_argument("--out", required=True, metavar="LESSON.html|LESSON.md",
                   help=_("the handout to write; its extension chooses HTML or Markdown"))
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=None,
                   help=_("the handout's language (default: the command line's, see mlpviz "
                          "--lang)"))
    p.add_argument("--seed", type=_count, default=0,
                   help=_("without MODEL: the seed of the fresh network's weights (default 0)"))
    p.add_argument("--palette", choices=sorted(PALETTES), default=DEFAULT_PALETTE,
                   help=_("the signs' colours: lesson (green/red, default) or colour-blind "
                          "(blue/orange, which also stay apart printed in grey)"))
    p.add_argument("--no-pictures", dest="pictures", action="store_false",
                   help=_("leave the network pictures out (no Qt needed)"))
    data_option(p, None)
    import_options(p)


def cmd_lesson(args: argparse.Namespace) -> int:
    from mlpviz.cli_support import CommandError, _model_and_data, _naming, _say
    from mlpviz.core.handout import language_problem
    from mlpviz.core.handout_files import check_handout_target, write_handout
    from mlpviz.core.palette import get_palette

    lang = args.lang or i18n.language()
    problem = language_problem(lang)
    if problem:
        raise CommandError(f"--lang {lang}: {problem}")
    i18n.set_language(lang)  # the walk's words, and the page's own
    try:
        out = check_handout_target(args.out)
    except OSError as e:
        raise CommandError(f"--out {args.out}: {e.strerror or e}") from None
    if args.model is not None:
        if not Path(args.model).exists():
            raise CommandError(f"{args.model}: no such model file")
        net, meta, ds, _spec = _model_and_data(args.model, args.data, args.activation, args.cost)
        source = _model_source(args.model, meta)
    else:
        net, meta, ds = _fresh_network(args)
        source = _("a freshly seeded network (seed {seed}), not trained — no model file was "
                   "given, so its weights are random and its answers guesses").format(
                       seed=args.seed)
    n = len(ds.test_labels)
    if not 0 <= args.sample < n:
        raise CommandError(f"--sample {args.sample}: {ds.name} has {n:,} held-out samples"
                           + (f" (0 … {n - 1})" if n else ""))
    with _naming(args.model or "the network"):
        handout = lesson_handout(net, meta, ds, args.sample, source, lang, args.pictures,
                                 get_palette(args.palette))
    written = write_handout(out, handout)
    extra = f" and {len(written) - 1} pictures in {written[1].parent}" if len(written) > 1 else ""
    _say(f"wrote {written[0]} ({len(handout.stages)} stages){extra}")
    return 0


def _model_source(path: str, meta) -> str:
    """Where the weights come from, for the page: "from m.npz, trained 5 epochs on …"."""
    name = Path(path).name
    if meta.epochs:
        if meta.dataset_name:
            return ngettext("its weights are read from {name}, trained {n} epoch on {data}",
                            "its weights are read from {name}, trained {n} epochs on {data}",
                            meta.epochs).format(name=name, n=meta.epochs, data=meta.dataset_name)
        return ngettext("its weights are read from {name}, trained {n} epoch",
                        "its weights are read from {name}, trained {n} epochs",
                        meta.epochs).format(name=name, n=meta.epochs)
    return _("its weights are read from {name}").format(name=name)


def _fresh_network(args):
    from mlpviz.cli_support import _load_data
    from mlpviz.core.model_metadata import read_metadata
    from mlpviz.core.network import Network

    ds = _load_data(args.data or "bundled")
    net = Network([ds.n_inputs, 16, 16, ds.n_classes], "sigmoid", "mse", args.seed)
    return net, read_metadata({}), ds


def lesson_handout(net, meta, ds, index: int, source: str, lang: str = "en",
                   pictures: bool = True, palette=None):
    """The `Handout` of held-out sample `index` of `ds` on `net` (η and the mini-batch size the
    model was trained with, else the defaults training uses)."""
    from mlpviz.core.handout import Handout, about_lines
    from mlpviz.core.minibatch import minibatch_with
    from mlpviz.core.palette import LESSON
    from mlpviz.core.training import default_lr
    from mlpviz.core.walk import build_walk

    x = ds.test_images[index].astype(np.float64) / 255
    label = int(ds.test_labels[index])
    lr = meta.lr if meta.lr else default_lr(net.cost, net.activation, net.L - 1)
    size = meta.batch or 100
    batch = minibatch_with(ds.train_images, ds.train_labels, size, x, label, "test", index) \
        if len(ds.train_labels) else None
    palette = palette or LESSON
    walk = build_walk(net, x, label, ds.class_names, None, lr, batch, size, palette)
    about = about_lines(walk, net.activation, net.cost, source,
                        _("held-out sample #{index} of {data}").format(index=index, data=ds.name),
                        ds.class_names, size)
    pngs = _pictures(net, x, ds.class_names, walk.stages, palette) if pictures else ()
    return Handout.of(walk, about, pngs, lang, palette)


def _pictures(net, x, class_names, stages, palette) -> tuple[bytes, ...]:
    """The network view at every stage, rendered offscreen (a progress bar on stderr)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from mlpviz.cli_support import _ProgressBar
    from mlpviz.core.snapshot import Snapshot
    from mlpviz.gui.app import _application
    from mlpviz.gui.handout_pictures import stage_pictures

    _application()
    bar = _ProgressBar()
    try:
        return stage_pictures(Snapshot.of(net), x, class_names, stages,
                              lambda done, total: bar.update("pictures", done, total), palette)
    finally:
        bar.clear()
