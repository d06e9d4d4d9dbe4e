# Sourced by scripts/bootstrap.sh and packaging/build.sh: install the Debian packages that are missing.
#   apt_installed PKG             true when PKG is installed
#   apt_ensure WHO PKG...         installs the missing ones as root; otherwise prints the apt-get line to run

apt_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

apt_ensure() {
    local who=$1 pkg
    shift
    local missing=()
    for pkg in "$@"; do
        apt_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "$who: installing system packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "$who: these system packages are needed; please run:" >&2
        echo "    sudo apt-get install ${missing[*]}" >&2
    fi
}
