"""Fast tests of scripts/build_corpus.py: cleaning, dedup, probe filter, split (no apt, no network)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_corpus.py"


@pytest.fixture(scope="module")
def bc():
    spec = importlib.util.spec_from_file_location("build_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_corpus"] = module  # dataclasses look the module up while the class is created
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("build_corpus", None)


# ---- cleaning -------------------------------------------------------------------------------------


def test_normalize_text_maps_typography_and_whitespace(bc):
    raw = "\u201cHello,\u201d  she\tsaid\u2014_quietly_.\n"
    assert bc.normalize_text(raw) == '"Hello," she said -- quietly .'


def test_headings(bc):
    for heading in (
        "CHAPTER 12",
        "Chapter IV",
        "XLII",
        "PRIDE AND PREJUDICE",
        "by Jane Austen",
        "3. Thoughts",
    ):
        assert bc.is_heading(heading), heading
    assert not bc.is_heading("No, no, no!")
    assert not bc.is_heading("She laughed at him and went on reading her book.")


def test_split_sentences_respects_abbreviations(bc):
    sentences = bc.split_sentences('Mr. Darcy bowed. "Indeed?" said Mrs. Bennet. J. Smith agreed.')
    assert [" ".join(s) for s in sentences] == [
        "Mr. Darcy bowed.",
        '"Indeed?" said Mrs. Bennet.',
        "J. Smith agreed.",
    ]


def test_paragraphs_join_wrapped_lines_and_headings_split_documents(bc):
    lines = [
        "CHAPTER 1",
        "",
        "The family of Dashwood had long",
        "been settled in Sussex.",
        "",
        "Their estate was large.",
        "",
        "CHAPTER 2",
        "",
        "Mrs. John Dashwood now installed herself.",
    ]
    docs = list(bc.paragraphs_from_lines(lines))
    assert docs == [
        ["The family of Dashwood had long been settled in Sussex.", "Their estate was large."],
        ["Mrs. John Dashwood now installed herself."],
    ]


def test_pack_passages_breaks_at_sentences_and_caps_length(bc):
    sentence = "One two three four five six seven eight nine ten."
    passages = bc.pack_passages([" ".join([sentence] * 25)], max_words=35)
    assert all(len(p.split()) <= 35 for p in passages)
    assert all(p.endswith("ten.") for p in passages)  # only sentence boundaries
    assert sum(len(p.split()) for p in passages) == 250
    long_sentence = " ".join(["word"] * 250) + "."
    assert all(len(p.split()) <= 100 for p in bc.pack_passages([long_sentence]))


def test_keep_passage(bc):
    assert bc.keep_passage("The dog ran to the house.")
    assert not bc.keep_passage("Too short here.")
    assert not bc.keep_passage("THIS IS A SHOUTED TITLE LINE")
    assert not bc.keep_passage("see http://example.com for more details now")
    assert not bc.keep_passage("|__| /\\ |__| /\\ ++ -- == ## @@ the end")


def test_fortune_entries_drop_attribution(bc):
    text = "A baby is God's opinion that the world should go on.\n\t\t-- Carl Sandburg\n%\nShort one.\n%\n"
    docs = list(bc.fortune_entries(text))
    assert docs[0] == ["A baby is God's opinion that the world should go on."]


def test_wordnet_synset_text(bc):
    noun = bc.wordnet_synset_text("n", "dog", 'a member of the genus Canis; "the dog barked all night"')
    assert noun == "A dog is a member of the genus Canis. The dog barked all night."
    gloss = "move fast by using one's feet; \"Don't run--you'll be out of breath\""
    verb = bc.wordnet_synset_text("v", "run", gloss)
    assert verb.startswith("To run is to move fast by using one's feet. Don't run")
    adj = bc.wordnet_synset_text("a", "able(p)", "(usually followed by `to') having the necessary means")
    assert adj == "Able means having the necessary means."


def test_osis_to_text(bc):
    raw = (
        '<div sID="p1" type="x-p"/><w lemma="x">God</w> said.<note type="x">a footnote</note> '
        '<title>Heading</title><div sID="p2" type="x-p"/>Next ( ) paragraph.'
    )
    text = bc.osis_to_text(raw)
    assert "footnote" not in text and "Heading" not in text and "( )" not in text
    assert [bc.normalize_text(p) for p in text.split("\n\n") if p.strip()] == ["God said.", "Next paragraph."]


def test_strip_gutenberg(bc):
    text = (
        "header\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nbody\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK X ***\nlicence"
    )
    assert bc.strip_gutenberg(text).strip() == "body"


# ---- dedup ----------------------------------------------------------------------------------------


def test_dedup_is_normalised_and_keeps_first(bc):
    items = [("a", "The cat sat down."), ("b", "the  CAT sat down"), ("b", "A different line here.")]
    kept, dropped = bc.dedup(items)
    assert kept == [("a", "The cat sat down."), ("b", "A different line here.")]
    assert dropped == {"b": 1}


# ---- probe filter ---------------------------------------------------------------------------------


@pytest.fixture()
def checks(bc, tmp_path):
    probes = tmp_path / "probes.tsv"
    probes.write_text(
        "# comment\n"
        "She [MASK] to the store yesterday.\twent,walked\n"
        "The [MASK] barked all night.\tdog,dogs\n"
        "Most birds can [MASK].\tfly,sing\n",
        encoding="utf-8",
    )
    return [bc.build_probe_check(s, a) for s, a in bc.load_probes(probes)]


def test_probe_filter_removes_probe_and_paraphrase_keeps_unrelated(bc, checks):
    items = [
        ("x", "It was late. She went to the store yesterday and bought bread."),  # the probe itself
        ("x", "She drove to the store yesterday, as she always does."),  # other filler word
        ("x", "The neighbour's dogs barked loudly through the whole night."),  # paraphrase
        ("x", "Birds can usually fly, though penguins cannot."),  # content word + an answer nearby
        ("y", "The library opens at nine and closes at five on weekdays."),  # unrelated
        ("y", "She went home early because the shop was closed."),  # shares words, not the probe
    ]
    kept, removed = bc.probe_filter(items, checks)
    assert [p for _, p in kept] == [
        "The library opens at nine and closes at five on weekdays.",
        "She went home early because the shop was closed.",
    ]
    assert [source for _, source, _ in removed] == ["x"] * 4
    assert [probe for probe, _, _ in removed].count("She [MASK] to the store yesterday.") == 2


def test_generic_probe_paraphrase_needs_an_answer_nearby(bc):
    check = bc.build_probe_check("He opened the door with a [MASK].", ["key", "knife"])
    assert bc.probe_matches("Then he slowly opened the old door using his key.", check)
    assert not bc.probe_matches("He opened the door and walked into the garden.", check)


def test_probe_pattern_wildcard_is_one_or_two_words(bc):
    check = bc.build_probe_check("She [MASK] to the store yesterday.", ["went"])
    assert bc.probe_matches("she quickly walked to the store yesterday", check)
    assert not bc.probe_matches("she said she would not go anywhere, and then to the store later", check)


# ---- split ----------------------------------------------------------------------------------------


def test_split_is_deterministic_and_sized(bc):
    items = [("s", f"passage number {i} has five words" + " more" * (i % 7)) for i in range(1000)]
    train1, held1 = bc.split_corpus(items, seed=7, heldout_frac=0.01, min_heldout_words=200)
    train2, held2 = bc.split_corpus(items, seed=7, heldout_frac=0.01, min_heldout_words=200)
    assert (train1, held1) == (train2, held2)
    assert sorted(train1 + held1) == sorted(items)
    assert sum(len(p.split()) for _, p in held1) >= 200
    assert len(held1) >= 10
    _, other_held = bc.split_corpus(items, seed=8, heldout_frac=0.01, min_heldout_words=200)
    assert other_held != held1
    _, tiny_held = bc.split_corpus(items[:4], seed=1, heldout_frac=0.01, min_heldout_words=10**6)
    assert len(tiny_held) == 2  # never more than half
