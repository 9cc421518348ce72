# Sourced by run-app.sh and run-tests.sh (not run on its own): make the checkout runnable.
#
#   mlpviz_setup <apt packages…>
#
# cds to the repository root, installs the given Debian packages when they are missing (as root:
# apt-get update once, then apt-get install; otherwise it prints the command to run), creates .venv
# if absent, and pip-installs the project with its test and import extras (the import readers are
# tested too) whenever pyproject.toml changed.

MLPVIZ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What PySide6's wheels load (ldd of libQt6Gui, libQt6Widgets, libQt6DBus and the offscreen
# platform plugin) that a slim Debian 12 lacks; their own dependencies (libglvnd0, libglx0,
# libx11-6, libxcb1, libfreetype6, libpng16-16 …) come with them. Fonts: Qt ships none.
# fonts-noto-cjk: the Chinese UI (View › Language › 中文) in Noto Sans CJK SC (gui/theme.py).
QT_HEADLESS_PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 fonts-dejavu-core
                      fonts-noto-cjk libdbus-1-3 libglib2.0-0)
# Additionally loaded by the xcb platform plugin, for a window on an X11 (or XWayland) desktop.
QT_DISPLAY_PACKAGES=(libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4
                     libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
                     libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libxcb-shm0)

_mlpviz_say() { printf 'mlpviz setup: %s\n' "$*" >&2; }

_mlpviz_is_root() { [ "$(id -u)" -eq 0 ]; }

_mlpviz_apt_updated=0
_mlpviz_apt_install() {
    # Install those of "$@" that dpkg does not list as installed (no-op off Debian). Returns 1 if
    # apt-get failed, 2 if packages are missing and we are not root (the command is printed).
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! _mlpviz_is_root || ! command -v apt-get >/dev/null 2>&1; then
        _mlpviz_say "missing Debian packages; please run:"
        _mlpviz_say "  sudo apt-get install ${missing[*]}"
        return 2
    fi
    _mlpviz_say "installing ${missing[*]}"
    if [ "$_mlpviz_apt_updated" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
        _mlpviz_apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || return 1
}

_mlpviz_venv() {
    local python="${PYTHON:-python3}"
    if [ -x .venv/bin/python ]; then
        .venv/bin/python -m pip --version >/dev/null 2>&1 && return 0
        # A venv without pip (made by another tool, or half-made before python3-venv existed).
        .venv/bin/python -m ensurepip -q >/dev/null 2>&1 && return 0
        _mlpviz_say ".venv has no pip and ensurepip failed; remove .venv and run this again"
        return 1
    fi
    if ! command -v "$python" >/dev/null 2>&1; then
        _mlpviz_say "$python not found: install Python 3.11 or newer"
        return 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        _mlpviz_say "mlpviz needs Python 3.11 or newer; $python is $("$python" -V 2>&1)"
        return 1
    fi
    # Debian splits venv/ensurepip into python3-venv; without it `python3 -m venv` fails half-way.
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        _mlpviz_apt_install python3-venv || return 1
    fi
    _mlpviz_say "creating .venv"
    "$python" -m venv .venv || return 1
}

_mlpviz_pip_install() {
    local stamp=.venv/.mlpviz-installed want
    want="$( (cat pyproject.toml; .venv/bin/python -V) | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    _mlpviz_say "installing mlpviz, its test tools and import readers into .venv (pip)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,import]' || return 1
    printf '%s\n' "$want" > "$stamp"
}

mlpviz_setup() {
    cd "$MLPVIZ_ROOT"
    # Packages we may not install (not root) are reported and we carry on: they may be needed
    # only for part of what follows. A failing apt-get stops here.
    local status=0
    _mlpviz_apt_install "$@" || status=$?
    [ "$status" -eq 0 ] || [ "$status" -eq 2 ] || { _mlpviz_say "apt-get failed"; return 1; }
    _mlpviz_venv
    _mlpviz_pip_install
}
