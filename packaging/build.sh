#!/usr/bin/env bash
# Builds BERT Explorer's offline installers from a checkout (`make package` runs it). Results, in $DIST:
#   bert-explorer/                          the app as one folder: run bert-explorer/bert-explorer
#   bert-explorer_<version>_<arch>.deb      Debian/Ubuntu: /opt/bert-explorer, /usr/bin/bert-explorer, menu entry
#   bert-explorer-<version>-<arch>.run      any Linux: self-extracting installer (makeself), no root needed
# None of them needs Python or a network on the machine it is installed on, only its graphics libraries.
#
# Settings (environment): VENV (.venv), DIST (dist), WORK (build/packaging: scratch space),
# DEB_COMPRESS / DEB_LEVEL (xz / 9: 171 MiB in 4 min on 2 cores, and every dpkg opens it; xz 6: 173 MiB in 2 min;
# xz 0, which the tests use: 199 MiB in 17 s; zstd 10: 200 MiB in 9 s, but dpkg before Debian 12 cannot open it),
# RUN_LEVEL (6: gzip level of the .run, which any Linux can unpack), DEB_MAINTAINER,
# PYINSTALLER_SPEC (the pip requirement used when .venv has no PyInstaller).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
APP=bert-explorer
APPSTREAM_ID=org.bertexplorer.BertExplorer
VENV=${VENV:-.venv}
PY=$VENV/bin/python
DEB_COMPRESS=${DEB_COMPRESS:-xz}
DEB_LEVEL=${DEB_LEVEL:-9}
RUN_LEVEL=${RUN_LEVEL:-6}
DEB_MAINTAINER=${DEB_MAINTAINER:-BERT Explorer maintainers <bert-explorer@example.org>}
PYINSTALLER_SPEC=${PYINSTALLER_SPEC:-pyinstaller==6.22.3}
mkdir -p "${DIST:-dist}" "${WORK:-build/packaging}"
DIST=$(cd "${DIST:-dist}" && pwd)
WORK=$(cd "${WORK:-build/packaging}" && pwd)
BUNDLE=$DIST/$APP
umask 022

step() { printf '\n== %s  [%ss]\n' "$*" "$SECONDS"; }
die() { echo "build.sh: $*" >&2; exit 1; }

step "tools"
[ -x "$PY" ] || VENV=$VENV scripts/bootstrap.sh
# makeself (.run), desktop-file-validate, appstreamcli (optional check), objdump/strip, pigz (faster gzip), and
# the few graphics libraries Qt's Wayland plugin links that bootstrap.sh does not install: packaging/debdeps.py
# must find every library the bundle links to name its package.
apt_packages=(makeself desktop-file-utils appstream binutils pigz libwayland-cursor0 libwayland-egl1)
source scripts/apt.sh
apt_ensure build.sh "${apt_packages[@]}"
for tool in makeself desktop-file-validate objdump strip dpkg-deb; do
    command -v "$tool" >/dev/null || die "$tool is missing (see the apt-get line above)"
done
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q "$PYINSTALLER_SPEC"
VERSION=$("$PY" -c "import bertviz_app; print(bertviz_app.__version__)")
ARCH=$(dpkg --print-architecture)
DATE=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
echo "BERT Explorer $VERSION ($ARCH), PyInstaller $("$PY" -c 'import PyInstaller; print(PyInstaller.__version__)')"

step "translations: resources/i18n/*.ts -> .qm"
"$PY" scripts/i18n.py build  # the spec bundles resources/, .qm included

step "freeze: PyInstaller -> $BUNDLE"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" \
    packaging/bert-explorer.spec
[ -x "$BUNDLE/$APP" ] || die "PyInstaller made no $BUNDLE/$APP"

step "strip"
# Symbol tables only (--strip-unneeded, as Debian does for libraries); libtorch_cpu alone loses 90 MB. Not the
# *.libs/ folders' libraries (auditwheel-patched: stripping them breaks numpy's OpenBLAS), nor the executable
# itself (PyInstaller's archive is appended to it).
find "$BUNDLE/_internal" -type f \( -name "*.so" -o -name "*.so.*" -o -path "*/torch/bin/*" \) \
    ! -path "*.libs/*" -print0 | xargs -0 -r strip --strip-unneeded
# Every user of an installation reads every file (PyInstaller keeps the modes of the checkout, and safetensors
# writes its files 0600).
chmod -R u+rwX,go+rX,go-w "$BUNDLE"
echo "bundle: $(du -sh "$BUNDLE" | cut -f1)"

step "check: the frozen app runs with nothing but PATH and HOME"
scratch_home=$(mktemp -d)
trap 'rm -rf "$scratch_home"' EXIT
if ! env -i PATH=/usr/bin:/bin HOME="$scratch_home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$BUNDLE/$APP" --smoke \
    >"$scratch_home/smoke.log" 2>&1; then
    cat "$scratch_home/smoke.log" >&2
    die "the frozen app failed its --smoke self-test"
fi
grep "smoke ok" "$scratch_home/smoke.log"

step "icons, menu entry, AppStream metadata"
rm -rf "$WORK/share"
"$PY" packaging/make_icons.py "$WORK/share/icons"
install -D -m 644 packaging/$APP.desktop "$WORK/share/applications/$APP.desktop"
mkdir -p "$WORK/share/metainfo"
sed "s/@VERSION@/$VERSION/; s/@DATE@/$DATE/" packaging/$APPSTREAM_ID.metainfo.xml \
    >"$WORK/share/metainfo/$APPSTREAM_ID.metainfo.xml"
desktop-file-validate "$WORK/share/applications/$APP.desktop"
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$WORK/share/metainfo/$APPSTREAM_ID.metainfo.xml"
else
    echo "(appstreamcli not installed: metainfo not validated)"
fi

step "Depends: the system libraries the bundle links"
DEPENDS=$("$PY" packaging/debdeps.py "$BUNDLE")
echo "Depends: $DEPENDS"
# Not linked, but without a CJK font Qt draws Chinese, Japanese and Korean tokens as boxes: the small WenQuanYi
# Micro Hei (what scripts/bootstrap.sh installs), or any of the larger ones.
RECOMMENDS="fonts-wqy-microhei | fonts-noto-cjk | fonts-wqy-zenhei"

# Hard links where the file system allows (the bundle is 610 MB), copies elsewhere.
copy_tree() { cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }; }

step "deb"
deb_root=$WORK/deb
rm -rf "$deb_root"
mkdir -p "$deb_root/DEBIAN" "$deb_root/opt" "$deb_root/usr/bin" "$deb_root/usr/share/doc/$APP"
copy_tree "$BUNDLE" "$deb_root/opt/$APP"
ln -s "/opt/$APP/$APP" "$deb_root/usr/bin/$APP"
cp -R "$WORK/share/applications" "$WORK/share/icons" "$WORK/share/metainfo" "$deb_root/usr/share/"
cat >"$deb_root/usr/share/doc/$APP/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: BERT Explorer

Files: *
Copyright: The BERT Explorer authors
License: MIT

Files: opt/$APP/_internal/*
Comment: Bundled so that the app runs without Python: CPython (PSF-2.0), PyTorch (BSD-3-Clause),
 Qt 6 and PySide6 (LGPL-3.0-only), pyqtgraph (MIT), NumPy and OpenBLAS (BSD-3-Clause),
 tokenizers, safetensors and huggingface_hub (Apache-2.0), and the all-MiniLM-L6-v2 model weights
 (Apache-2.0). Their licence texts are in the *.dist-info folders where the wheels ship them.
License: various
EOF
find "$deb_root" -type d -exec chmod 755 {} +
cat >"$deb_root/DEBIAN/control" <<EOF
Package: $APP
Version: $VERSION
Architecture: $ARCH
Maintainer: $DEB_MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$deb_root" | cut -f1)
Depends: $DEPENDS
Recommends: $RECOMMENDS
Section: education
Priority: optional
Description: look inside BERT: predictions, attention and embeddings
 Type a sentence, mask words, and watch a BERT language model guess them; then
 look inside: attention for every layer and head, and token embeddings
 projected to 2-D with their path through the layers.
 .
 Fully offline: a small pretrained model and everything the app needs
 (Python, PyTorch for the CPU, Qt) are included, in /opt/$APP.
EOF
DEB=$DIST/${APP}_${VERSION}_${ARCH}.deb
rm -f "$DEB"
dpkg-deb --root-owner-group -Z"$DEB_COMPRESS" -z"$DEB_LEVEL" --build "$deb_root" "$DEB" >/dev/null
rm -rf "$deb_root"

step "run (makeself)"
run_root=$WORK/run
rm -rf "$run_root"
mkdir -p "$run_root"
copy_tree "$BUNDLE" "$run_root/$APP"
cp -R "$WORK/share" "$run_root/share"
install -m 755 packaging/run-install.sh "$run_root/install.sh"
RUN=$DIST/$APP-$VERSION-$ARCH.run
gzip_tool=--gzip
command -v pigz >/dev/null && gzip_tool=--pigz
makeself "$gzip_tool" --complevel "$RUN_LEVEL" --nox11 --tar-quietly --quiet --sha256 --nomd5 \
    "$run_root" "$RUN" "BERT Explorer $VERSION" ./install.sh
rm -rf "$run_root"

step "done"
printf '%-60s %s\n' "$BUNDLE/" "$(du -sh "$BUNDLE" | cut -f1) on disk" \
    "$DEB" "$(du -h "$DEB" | cut -f1)" "$RUN" "$(du -h "$RUN" | cut -f1)"
