"""The curated models of Model ▸ Get a model…: plain data (no torch, no Qt).

Sizes are the weights file as each model's Hugging Face page lists it (MB = 10^6 bytes; the tokenizer and
config add under 10 MB); licences are the Hub's licence tag (where a page has none, the original release's,
said in `checked`). Both were read from stored copies of the model pages, not live; `checked` says where a fact
could not be confirmed. The Hub stays the authority: a download reads the real file list and sizes before the
first byte.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    repo_id: str  # the Hugging Face Hub id
    family: str  # config.json's model_type
    size_mb: float  # the weights' download size
    licence: str
    language: str
    good_for: str
    checked: str = ""  # what could not be confirmed, if anything

    @property
    def name(self) -> str:
        return self.repo_id.split("/")[-1]


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "google-bert/bert-base-uncased",
        "bert",
        440,
        "Apache-2.0",
        "English",
        "The classic BERT (12 layers, 110M parameters, lower-cased): the reference most papers and tutorials use.",
    ),
    CatalogEntry(
        "google-bert/bert-base-cased",
        "bert",
        436,
        "Apache-2.0",
        "English",
        "BERT base keeping capitals: names, acronyms and sentence starts look different to it.",
    ),
    CatalogEntry(
        "google-bert/bert-large-uncased-whole-word-masking",
        "bert",
        1340,
        "Apache-2.0",
        "English",
        "BERT large (24 layers, 16 heads), trained masking whole words: the best guesses of the BERTs, slower.",
    ),
    CatalogEntry(
        "google-bert/bert-base-multilingual-cased",
        "bert",
        714,
        "Apache-2.0",
        "104 languages",
        "One BERT for 104 Wikipedias: compare how it treats the same sentence in two languages.",
    ),
    CatalogEntry(
        "google-bert/bert-base-chinese",
        "bert",
        412,
        "Apache-2.0",
        "Chinese",
        "BERT base for Chinese (simplified and traditional), one token per character.",
        checked="its Hub page carries no licence tag and its card says 'More Information needed'; Apache-2.0 is "
        "the licence of Google's BERT release that these weights come from",
    ),
    CatalogEntry(
        "hfl/chinese-bert-wwm-ext",
        "bert",
        412,
        "Apache-2.0",
        "Chinese",
        "Chinese BERT trained masking whole words (HFL); loads as a BERT. Weights as pytorch_model.bin only.",
    ),
    CatalogEntry(
        "hfl/chinese-roberta-wwm-ext",
        "bert",
        412,
        "Apache-2.0",
        "Chinese",
        "HFL's RoBERTa-style training of a Chinese BERT (its files are BERT's, so it loads as one); "
        "weights as pytorch_model.bin only.",
    ),
    CatalogEntry(
        "distilbert/distilbert-base-uncased",
        "distilbert",
        268,
        "Apache-2.0",
        "English",
        "BERT distilled to 6 layers: 40% smaller and 60% faster, most of its accuracy kept; no segments.",
    ),
    CatalogEntry(
        "FacebookAI/roberta-base",
        "roberta",
        499,
        "MIT",
        "English",
        "BERT retrained longer on more text, byte-level BPE tokens, no next-sentence task.",
    ),
    CatalogEntry(
        "distilbert/distilroberta-base",
        "roberta",
        331,
        "Apache-2.0",
        "English",
        "RoBERTa distilled to 6 layers.",
    ),
    CatalogEntry(
        "FacebookAI/xlm-roberta-base",
        "xlm-roberta",
        1120,
        "MIT",
        "100 languages",
        "RoBERTa for 100 languages (CommonCrawl) with a 250k SentencePiece vocabulary.",
    ),
    CatalogEntry(
        "albert/albert-base-v2",
        "albert",
        47.4,
        "Apache-2.0",
        "English",
        "One layer's weights shared by all 12 layers, factorised embeddings: tiny download, BERT-like guesses.",
    ),
    CatalogEntry(
        "google/electra-small-generator",
        "electra",
        54.2,
        "Apache-2.0",
        "English",
        "ELECTRA's small masked-word generator: quick, and a look at how ELECTRA is trained.",
        checked="safetensors weights were added in a later commit; the 54.2 MB PyTorch weights are the fallback",
    ),
    CatalogEntry(
        "answerdotai/ModernBERT-base",
        "modernbert",
        599,
        "Apache-2.0",
        "English (and code)",
        "A 2024 encoder: rotary positions, local and global attention, up to 8,192 tokens.",
    ),
)

FIRST_START_OFFER = "google-bert/bert-base-uncased"


def find(repo_id: str) -> CatalogEntry | None:
    return next((e for e in CATALOG if e.repo_id == repo_id), None)
