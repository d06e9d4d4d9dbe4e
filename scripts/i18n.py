#!/usr/bin/env python3
"""The translations' build step, with Qt's own tools (pyside6-lupdate and pyside6-lrelease, which ship in the
PySide6-Essentials wheel). English is the source language; resources/i18n/bertviz_app_<lang>.ts holds the
translations (committed); the compiled .qm files beside it are build outputs (gitignored).

    .venv/bin/python scripts/i18n.py update          # after adding or changing a user-visible string in bertviz_app/
    .venv/bin/python scripts/i18n.py todo > todo.tsv # the strings without a finished translation: context, English, ""
    .venv/bin/python scripts/i18n.py fill todo.tsv   # ... with the third column filled in: into the .ts (then update)
    .venv/bin/python scripts/i18n.py check           # what tests/test_i18n.py checks: .ts up to date, all translated
    .venv/bin/python scripts/i18n.py build [--out DIR]  # .ts -> .qm (scripts/bootstrap.sh, packaging/build.sh, wheel)

You may also edit the .ts by hand (or in pyside6-linguist): replace `<translation type="unfinished"></translation>`
by `<translation>…</translation>`, keeping every `{name}` field, `%n` and the `&` of a menu's mnemonic (in Chinese
menus written "文件(&F)"). In the TSV, a tab or a line break inside a text is written \\t or \\n.

Only the Python standard library is imported here: hatch_build.py (the wheel) loads this file by its path.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bertviz_app"
I18N_DIR = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)  # translations kept; English is the source
UPDATE_COMMAND = ".venv/bin/python scripts/i18n.py update"
# Fixed options, so that the same code always gives the same file: no line numbers (a line moved elsewhere would
# make the committed file stale), messages sorted within a context, strings gone from the code dropped.
LUPDATE_OPTIONS = ("-locations", "none", "-no-obsolete", "-sort-messages", "-source-language", "en", "-silent")
FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?\}|%n|%L?\d")
MNEMONIC = re.compile(r"&(?=[^&\s])")


def ts_file(language: str) -> Path:
    return I18N_DIR / f"bertviz_app_{language}.ts"


def qt_tool(name: str) -> Path:
    """Qt's lupdate / lrelease: the PySide6 wheel's own binary, else one on PATH."""
    spec = importlib.util.find_spec("PySide6")  # finds it without importing Qt
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            exe = Path(folder) / (name + (".exe" if os.name == "nt" else ""))
            if exe.is_file():
                return exe
    for candidate in (f"pyside6-{name}", name):
        found = shutil.which(candidate)
        if found:
            return Path(found)
    raise FileNotFoundError(f"Qt's {name} was not found: install PySide6-Essentials (it ships pyside6-{name})")


def sources(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def update(ts: Path, package: Path = PACKAGE) -> None:
    """Refresh `ts` from the strings of the code under `package` (lupdate keeps the translations it has)."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    language = ts.stem.removeprefix("bertviz_app_")
    files = [str(p) for p in sources(package)]
    subprocess.run(
        [str(qt_tool("lupdate")), *LUPDATE_OPTIONS, "-target-language", language, *files, "-ts", str(ts)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build(out_dir: Path = I18N_DIR, languages=LANGUAGES) -> list[Path]:
    """Compile each language's .ts to out_dir/bertviz_app_<lang>.qm; returns the .qm files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for language in languages:
        qm = out_dir / f"bertviz_app_{language}.qm"
        subprocess.run(
            [str(qt_tool("lrelease")), "-silent", str(ts_file(language)), "-qm", str(qm)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        made.append(qm)
    return made


class Message(NamedTuple):
    context: str
    source: str
    comment: str
    translation: str | None  # None: unfinished (or empty)
    numerus: bool


def messages(ts: Path) -> list[Message]:
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            element = message.find("translation")
            numerus = message.get("numerus") == "yes"
            text = None
            if element is not None and element.get("type") not in ("unfinished", "vanished", "obsolete"):
                forms = [f.text or "" for f in element.iter("numerusform")] if numerus else [element.text or ""]
                text = forms[0] if forms and all(forms) else None
            found.append(Message(name, message.findtext("source", ""), message.findtext("comment", ""), text, numerus))
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def problems(ts: Path, package: Path = PACKAGE) -> list[str]:
    """Why the committed `ts` is not ready: stale (the code's strings differ), a string not translated, or a
    translation that lost a {field}, %n or mnemonic. Empty when all is well."""
    if not ts.exists():
        return [f"{_shown(ts)} is missing: run `{UPDATE_COMMAND}`"]
    out = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / ts.name
        shutil.copyfile(ts, fresh)
        update(fresh, package)
        now = {(m.context, m.source, m.comment) for m in messages(fresh)}
        committed = {(m.context, m.source, m.comment) for m in messages(ts)}
        stale = fresh.read_bytes() != ts.read_bytes()
    added, gone = sorted(now - committed), sorted(committed - now)
    if added or gone or stale:
        out.append(f"{_shown(ts)} is not up to date with the code: run `{UPDATE_COMMAND}`")
        out += [f"  new in the code: [{c}] {s!r}" for c, s, _ in added]
        out += [f"  no longer in the code: [{c}] {s!r}" for c, s, _ in gone]
    for m in messages(ts):
        if m.translation is None:
            out.append(f"no translation: [{m.context}] {m.source!r}")
            continue
        if sorted(FIELD.findall(m.source)) != sorted(FIELD.findall(m.translation)):
            out.append(f"fields differ: [{m.context}] {m.source!r} -> {m.translation!r}")
        if MNEMONIC.search(m.source) and not MNEMONIC.search(m.translation):
            out.append(f"mnemonic (&) lost: [{m.context}] {m.source!r} -> {m.translation!r}")
    return out


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), text)


def todo(ts: Path) -> str:
    """The unfinished strings as TSV lines: context, English, "" (fill in the third column)."""
    return "".join(f"{_escape(m.context)}\t{_escape(m.source)}\t\n" for m in messages(ts) if m.translation is None)


def fill(ts: Path, tsv: str) -> int:
    """Write the translations of TSV lines (context, English, translation) into `ts`; returns how many."""
    wanted = {}
    for line in tsv.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[2].strip():
            wanted[(_unescape(parts[0]), _unescape(parts[1]))] = _unescape(parts[2])
    tree = ET.parse(ts)
    done = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            text = wanted.get((name, message.findtext("source", "")))
            if text is None:
                continue
            element = message.find("translation")
            if element is None:
                element = ET.SubElement(message, "translation")
            element.attrib.pop("type", None)
            for child in list(element):
                element.remove(child)
            if message.get("numerus") == "yes":  # Chinese has one plural form
                element.text = None
                ET.SubElement(element, "numerusform").text = text
            else:
                element.text = text
            done += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="refresh resources/i18n/*.ts from the strings in bertviz_app/")
    sub.add_parser("check", help="exit 1 and say why when a .ts is stale or a string has no translation")
    sub.add_parser("todo", help="print the untranslated strings as TSV (context, English, empty)")
    p = sub.add_parser("fill", help="write the translations of a TSV (context, English, translation) into the .ts")
    p.add_argument("tsv", type=Path)
    p = sub.add_parser("build", help="compile the .ts files to .qm")
    p.add_argument("--out", type=Path, default=I18N_DIR, help=f"where the .qm go (default {I18N_DIR})")
    p.add_argument("--language", "-l", action="append", help="only these languages (default: all)")
    args = parser.parse_args(argv)
    languages = args.__dict__.get("language") or LANGUAGES
    if args.command == "update":
        for language in languages:
            update(ts_file(language))
            unfinished = sum(m.translation is None for m in messages(ts_file(language)))
            print(f"{_shown(ts_file(language))}: {unfinished} string(s) without a translation")
    elif args.command == "check":
        found = [line for language in languages for line in problems(ts_file(language))]
        print("\n".join(found) or "translations: up to date and complete")
        return 1 if found else 0
    elif args.command == "todo":
        for language in languages:
            sys.stdout.write(todo(ts_file(language)))
    elif args.command == "fill":
        for language in languages:
            print(f"{fill(ts_file(language), args.tsv.read_text(encoding='utf-8'))} translation(s) written")
            update(ts_file(language))  # back to lupdate's own layout
    else:
        for qm in build(args.out, languages):
            print(f"built {qm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
