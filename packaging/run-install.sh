#!/bin/sh
# The installer inside bert-explorer-<version>-<arch>.run (makeself runs it from the unpacked archive).
#
#   sh bert-explorer-*.run                          install: as root into /opt/bert-explorer and /usr/local,
#                                                   otherwise into ~/.local (no root needed)
#   sh bert-explorer-*.run -- --prefix DIR          install into DIR/lib/bert-explorer, DIR/bin, DIR/share
#   sh bert-explorer-*.run --target DIR --noexec    only unpack; then run DIR/bert-explorer/bert-explorer
#   <installed app folder>/uninstall.sh             remove it again
#
# Everything the app needs is in the archive; the machine only needs its graphics libraries (X11 or Wayland,
# OpenGL/EGL, fontconfig), which every Linux desktop has.
set -eu
umask 022  # makeself unpacks under umask 077; what is installed must be readable by everyone
APP=bert-explorer
here=$(cd "$(dirname "$0")" && pwd)

prefix=
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "$APP installer: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

if [ -n "$prefix" ]; then
    mkdir -p "$prefix"
    prefix=$(cd "$prefix" && pwd)
    appdir=$prefix/lib/$APP bindir=$prefix/bin share=$prefix/share
elif [ "$(id -u)" = 0 ]; then
    appdir=/opt/$APP bindir=/usr/local/bin share=/usr/local/share
else
    appdir=$HOME/.local/lib/$APP bindir=$HOME/.local/bin share=${XDG_DATA_HOME:-$HOME/.local/share}
fi

if [ -e "$appdir" ] && [ ! -x "$appdir/$APP" ]; then
    echo "$APP installer: $appdir exists and is not a $APP installation; not touching it" >&2
    exit 1
fi
rm -rf "$appdir"
mkdir -p "$(dirname "$appdir")" "$bindir" "$share/applications" "$share/metainfo"
cp -R "$here/$APP" "$appdir"
chmod -R u+rwX,go+rX,go-w "$appdir"
ln -sf "$appdir/$APP" "$bindir/$APP"
# An absolute Exec= so that the menu entry works even where $bindir is not on PATH.
sed "s|^Exec=.*|Exec=$appdir/$APP|" "$here/share/applications/$APP.desktop" >"$share/applications/$APP.desktop"
cp "$here"/share/metainfo/*.xml "$share/metainfo/"
(cd "$here/share/icons" && find hicolor -type f) | while read -r icon; do
    mkdir -p "$(dirname "$share/icons/$icon")"
    cp "$here/share/icons/$icon" "$share/icons/$icon"
done

{
    echo '#!/bin/sh'
    echo "# Removes $APP, as installed by its .run installer."
    echo "rm -f '$bindir/$APP' '$share/applications/$APP.desktop' '$share/metainfo/'org.bertexplorer.*.metainfo.xml"
    (cd "$here/share/icons" && find hicolor -type f) | sed "s|^|rm -f '$share/icons/|; s|\$|'|"
    echo "rm -rf '$appdir'"
    echo "echo '$APP removed'"
} >"$appdir/uninstall.sh"
chmod 755 "$appdir/uninstall.sh"

command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$share/applications" 2>/dev/null || true
# Refresh an icon cache only where there is one: a new cache in ~/.local would hide other programs' later icons.
if [ -f "$share/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q "$share/icons/hicolor" 2>/dev/null || true
fi

echo "$APP installed in $appdir"
echo "  start it from the applications menu, or run: $bindir/$APP"
echo "  remove it with: $appdir/uninstall.sh"
case ":$PATH:" in *":$bindir:"*) ;; *) echo "  (note: $bindir is not on your PATH)" ;; esac
