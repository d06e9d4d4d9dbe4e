"""Words in text written without spaces: Chinese segmented by jieba (pure Python, its own dictionary).

WordPiece splits Chinese into single characters, each its own "word" to the tokenizer, so whole-word masking and
word-level views need a segmenter to know that 北京 is one word. Only runs of Han characters are segmented, and
only in text without kana (Japanese would need another segmenter: its kanji stay one word per character).
"""

from __future__ import annotations

import logging
import re
import threading

# CJK Unified Ideographs, extension A and the compatibility block: what BERT's normaliser splits one by one.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_segmenter = None
_lock = threading.Lock()


def has_chinese(text: str) -> bool:
    """Whether `text` holds Han characters and no kana: text the Chinese segmenter applies to."""
    return bool(_HAN.search(text)) and not _KANA.search(text)


def chinese_words(text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of the Chinese words of `text` that are two or more Han characters long,
    in order ("我爱北京" -> [(2, 4)]); [] when the text is not Chinese. The first call loads jieba's dictionary
    (about 0.5 s; it caches it in the temporary folder for later runs)."""
    if not has_chinese(text):
        return []
    return [
        (start, end)
        for word, start, end in _jieba().tokenize(text)
        if end - start > 1 and all(_HAN.match(c) for c in word)
    ]


def _jieba():
    global _segmenter
    with _lock:
        if _segmenter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on stderr at every start
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            _segmenter = segmenter
        return _segmenter
