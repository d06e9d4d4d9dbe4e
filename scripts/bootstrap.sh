#!/usr/bin/env bash
# Sets up everything BERT Explorer and its tests need, from nothing, on a Debian/Ubuntu machine:
# the system libraries Qt loads (installed when run as root, otherwise named for you), a virtual
# environment in .venv, torch, and this package with its test and dev extras.
# Re-running it is cheap: the Makefile only calls it when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
# This workplace's machines carry the torch 2.13.0 CPU wheel on local disk; any other spec would pull a
# multi-GB CUDA build there. Elsewhere override it (TORCH_SPEC=torch) to let pip resolve torch normally.
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

# Qt (offscreen and xcb) needs these shared libraries; fonts so text renders in screenshots (DejaVu for Latin,
# Greek and Cyrillic; WenQuanYi Micro Hei for Chinese, Japanese and Korean: a 1.6 MB package, 5 MB installed,
# Apache-2.0, where Noto CJK is 57 MB / 91 MB); an X server without a screen (Xvfb; xvfb-run needs xauth) to
# run the real window headless, as a test of the installers does.
source scripts/apt.sh
apt_packages=(libegl1 libgl1 libopengl0 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core fonts-wqy-microhei
              libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 xvfb xauth)
# GLib's package was renamed in Debian 13 / Ubuntu 24.04; either name will do.
apt_installed libglib2.0-0t64 || apt_packages+=(libglib2.0-0)
apt_ensure bootstrap "${apt_packages[@]}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch first and on its own, so the package's looser "torch>=2.2" is already satisfied.
"$VENV/bin/python" -m pip install -q "$TORCH_SPEC"
"$VENV/bin/python" -m pip install -q -e ".[test,dev,hub]"
# The interface's translations: resources/i18n/*.ts compiled to .qm with Qt's lrelease (scripts/i18n.py).
"$VENV/bin/python" scripts/i18n.py build
echo "bootstrap: ready ($("$VENV/bin/python" -c 'import torch, PySide6; print("torch", torch.__version__, "/ PySide6", PySide6.__version__)'))"
