"""The .deb's Depends: line, from what the bundle links but does not carry (run by packaging/build.sh).

    python packaging/debdeps.py BUNDLE_DIR    prints e.g. "libc6 (>= 2.34), libegl1, libfontconfig1 (>= 2.12.6)"

Every ELF file in the bundle is read with objdump: its NEEDED libraries that are not in the bundle are system
libraries. Each is located as the dynamic linker would (ldconfig -p) and its Debian package found with dpkg -S.
The lowest version is, as dpkg-shlibdeps does it, the version that introduced the newest symbol the bundle imports
from the package's symbols file (GLIBC_2.34 -> libc6 (>= 2.34)). A package without a symbols file gets no version:
its shlibs entry names the build machine's own version (libx11-xcb1 (>= 2:1.8.4) on Debian 12), which would lock
out Ubuntu 22.04 for no reason of ABI - the sonames already pin that. A library the build machine does not have
is an error: install it and build again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DPKG_INFO = Path("/var/lib/dpkg/info")
_NEEDED = re.compile(r"^\s*NEEDED\s+(\S+)", re.MULTILINE)
# "... *UND*  0000000000000000 (GLIBC_2.34) name" or, for a symbol without version, "... *UND*  000...  name"
_IMPORT = re.compile(r"\*UND\*\s+[0-9a-f]+\s+(?:\(([^)\s]+)\)\s+)?(\S+)\s*$", re.MULTILINE)
_SYMBOL_LINE = re.compile(r"^ ([A-Za-z_][A-Za-z0-9_.]*)@([A-Za-z_][A-Za-z0-9_.]*) (\S+)", re.MULTILINE)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def objdump(flag: str, path: Path) -> str:
    done = subprocess.run(["objdump", flag, str(path)], capture_output=True, text=True, check=False)
    return done.stdout


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split(":")[-1]))


def ldconfig_paths() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    x86_64 = os.uname().machine == "x86_64"
    paths: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and (not x86_64 or "x86-64" in m.group(2)):  # not the 32-bit copies of a multilib system
            paths.setdefault(m.group(1), m.group(3))
    return paths


def owner(path: str) -> str | None:
    """The package that installed path (dpkg -S), trying the /lib <-> /usr/lib aliases of merged-/usr systems."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        candidates.append(p[len("/usr") :] if p.startswith("/usr/") else "/usr" + p)
    for p in dict.fromkeys(candidates):
        done = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True, check=False)
        if done.returncode == 0 and ": " in done.stdout:
            return done.stdout.splitlines()[0].split(": ")[0].split(",")[0].split(":")[0].strip()
    return None


def info_file(package: str, suffix: str) -> Path | None:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=False).stdout.strip()
    for name in (f"{package}:{arch}.{suffix}", f"{package}.{suffix}"):
        if (DPKG_INFO / name).exists():
            return DPKG_INFO / name
    return None


def symbols_version(package: str, imports: set[tuple[str, str]]) -> str | None:
    """The newest version that introduced a symbol (or symbol version node) the bundle imports, per the package's
    symbols file; None when the package has no symbols file or none of them is listed there."""
    path = info_file(package, "symbols")
    if path is None:
        return None
    introduced: dict[str, str] = {}
    for symbol, node, version in _SYMBOL_LINE.findall(path.read_text(encoding="utf-8", errors="replace")):
        key = f"{symbol}@{node}"
        if key not in introduced or version_key(version) < version_key(introduced[key]):
            introduced[key] = version
    found = []
    for name, node in imports:
        for key in (f"{name}@{node or 'Base'}", f"{node}@{node}" if node else ""):
            if key in introduced:
                found.append(introduced[key])
    return max(found, key=version_key) if found else None


def depends(bundle: Path) -> tuple[list[str], list[str]]:
    """(the Depends entries, the system libraries nobody here provides)."""
    bundled = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    imports: set[tuple[str, str]] = set()  # (symbol, version node or "")
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)):
        needed.update(n for n in _NEEDED.findall(objdump("-p", path)) if n not in bundled)
        imports.update((name, node) for node, name in _IMPORT.findall(objdump("-T", path)))
    where = ldconfig_paths()
    packages: dict[str, list[str]] = {}  # package -> the sonames it provides
    missing = []
    for soname in sorted(needed):
        package = owner(where[soname]) if soname in where else None
        if package is None:
            missing.append(soname)
        else:
            packages.setdefault(package, []).append(soname)
    entries = []
    for package in sorted(packages):
        version = symbols_version(package, imports)
        entries.append(f"{package} (>= {version})" if version and version_key(version) > (0,) else package)
    return entries, missing


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    entries, missing = depends(Path(argv[0]))
    if missing:
        print(f"debdeps: not installed here, so no package is known for: {' '.join(missing)}", file=sys.stderr)
        return 1
    print(", ".join(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
