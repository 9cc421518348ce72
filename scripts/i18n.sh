#!/usr/bin/env bash
# The translation catalogs, with Babel (pip install -e '.[test]' brings it):
#
#   scripts/i18n.sh extract   every _()/ngettext()/N_() message → build/mlpviz.pot
#   scripts/i18n.sh update    extract, then merge new/changed messages into the zh_CN catalog
#                             (new ones untranslated, changed ones fuzzy: translate them by hand)
#   scripts/i18n.sh compile   mlpviz.po → mlpviz.mo (committed; tests/test_i18n_catalog.py checks
#                             it is current and that every message has its translation)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
POT=build/mlpviz.pot
PO_DIR=mlpviz/locale
LOCALE=zh_CN

extract() {
    mkdir -p build
    "$PY" -m babel.messages.frontend extract -F babel.cfg --no-location --sort-output \
        --width=100 --project=mlpviz -k ngettext:1,2 -o "$POT" mlpviz
}

case "${1:-}" in
    extract) extract ;;
    update)
        extract
        if [ -f "$PO_DIR/$LOCALE/LC_MESSAGES/mlpviz.po" ]; then
            "$PY" -m babel.messages.frontend update -D mlpviz -i "$POT" -d "$PO_DIR" -l "$LOCALE" \
                --width=100 --ignore-obsolete --previous --no-fuzzy-matching
        else
            "$PY" -m babel.messages.frontend init -D mlpviz -i "$POT" -d "$PO_DIR" -l "$LOCALE" \
                --width=100
        fi ;;
    compile)
        "$PY" -m babel.messages.frontend compile -D mlpviz -d "$PO_DIR" -l "$LOCALE" --statistics ;;
    *) echo "usage: scripts/i18n.sh extract|update|compile" >&2; exit 2 ;;
esac
