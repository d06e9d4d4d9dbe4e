"""How well a model fills in blanks: probe sentences, and masked tokens of held-out text, against baselines.

* Probes (``sentence<TAB>answer,answer,…``, ``#`` comments): the raw model output at the (first) [MASK] —
  nothing is filtered out of the distribution. A probe is a top-5 hit when an acceptable answer is among the
  five most probable tokens, a top-1 hit when the most probable token is acceptable, and an *echo* when the
  most probable token already appears in the sentence (a symptom of a model that copies instead of predicts).
* Held-out: ``mlm_prob`` of the non-special tokens of packed held-out sequences are replaced by [MASK]
  (a fixed, seeded choice); top-1/top-5 accuracy of the model, of the unigram-frequency baseline (always
  the corpus's most frequent tokens), and optionally of a frozen-encoder + new-head model folder.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from bertviz_app.engine.loader import LoadedModel
from bertviz_app.training.mlm import (
    VocabInfo,
    make_eval_set,
    masked_accuracy,
    pack,
    read_lines,
    token_stream,
    unigram_accuracy,
    unigram_counts,
)

# The quality bars of the bundled default model, as fractions of the number of probes (40 → 28, 14, 8).
TOP5_BAR = 0.70
TOP1_BAR = 0.35
ECHO_MAX = 0.20


def default_probes_path() -> Path | None:
    """The project's shared probe file (``../shared/data/mlm-probes.tsv`` beside the repository), if any."""
    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "mlm-probes.tsv"
    return path if path.is_file() else None


@dataclass(frozen=True)
class Probe:
    sentence: str
    answers: tuple[str, ...]


def read_probes(path: str | Path) -> list[Probe]:
    path = Path(path)
    probes = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        sentence, sep, answers = raw.partition("\t")
        if not sep or "[MASK]" not in sentence.upper():
            raise ValueError(f"{path}:{n}: expected 'sentence with [MASK]<TAB>answer,answer,…'")
        words = tuple(a.strip().lower() for a in answers.split(",") if a.strip())
        if not words:
            raise ValueError(f"{path}:{n}: no acceptable answers after the tab")
        probes.append(Probe(sentence.strip(), words))
    if not probes:
        raise ValueError(f"{path} holds no probes")
    return probes


@dataclass
class ProbeOutcome:
    sentence: str
    answers: tuple[str, ...]
    predictions: list[tuple[str, float]]  # top-k (token, probability), raw model output
    hit5: bool
    hit1: bool
    echo: bool


@dataclass
class ProbeReport:
    outcomes: list[ProbeOutcome] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def top5_hits(self) -> int:
        return sum(o.hit5 for o in self.outcomes)

    @property
    def top1_hits(self) -> int:
        return sum(o.hit1 for o in self.outcomes)

    @property
    def echoes(self) -> int:
        return sum(o.echo for o in self.outcomes)

    @property
    def echo_rate(self) -> float:
        return self.echoes / max(self.n, 1)

    def bars(self) -> dict:
        return {
            "top5": math.ceil(TOP5_BAR * self.n - 1e-9),
            "top1": math.ceil(TOP1_BAR * self.n - 1e-9),
            "echo_max_rate": ECHO_MAX,
        }

    @property
    def passes(self) -> bool:
        b = self.bars()
        return self.top5_hits >= b["top5"] and self.top1_hits >= b["top1"] and self.echo_rate <= ECHO_MAX

    def summary(self) -> str:
        b = self.bars()
        return (
            f"top-5 hits {self.top5_hits}/{self.n} (bar ≥ {b['top5']}), "
            f"top-1 hits {self.top1_hits}/{self.n} (bar ≥ {b['top1']}), "
            f"echoes {self.echoes}/{self.n} = {self.echo_rate:.0%} (bar ≤ {ECHO_MAX:.0%}) "
            f"→ {'PASS' if self.passes else 'FAIL'}"
        )

    def table(self) -> str:
        rows = []
        width = max((len(o.sentence) for o in self.outcomes), default=10)
        for i, o in enumerate(self.outcomes, 1):
            flags = ("5" if o.hit5 else "-") + ("1" if o.hit1 else "-") + ("E" if o.echo else "-")
            preds = " ".join(f"{t}({p:.0%})" for t, p in o.predictions)
            rows.append(f"{i:>3} {flags} {o.sentence:<{width}}  [{','.join(o.answers[:4])}]  {preds}")
        return "\n".join(rows)

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "top5_hits": self.top5_hits,
            "top1_hits": self.top1_hits,
            "echoes": self.echoes,
            "echo_rate": self.echo_rate,
            "bars": self.bars(),
            "passes": self.passes,
            "probes": [asdict(o) for o in self.outcomes],
        }


@torch.no_grad()
def evaluate_probes(lm: LoadedModel, probes: list[Probe], k: int = 5) -> ProbeReport:
    """Top-k at each probe's first [MASK], straight from the model's logits (no filtering)."""
    tok = lm.tokenizer
    model = lm.model
    model.eval()
    report = ProbeReport()
    for probe in probes:
        enc = tok.encode(probe.sentence)
        masks = [i for i, t in enumerate(enc.input_ids) if t == tok.mask_id]
        if not masks:
            raise ValueError(f"the probe {probe.sentence!r} has no [MASK] after tokenization")
        ids = torch.tensor(enc.input_ids)[None]
        types = torch.tensor(enc.token_type_ids)[None]
        logits = model(ids, types, predict_at=torch.tensor([[0, masks[0]]])).logits[0]  # (V,)
        logits = logits.float()
        top = logits.topk(k)  # rank by logit: probabilities can tie at 0.0 in float32
        probs = logits.softmax(-1)[top.indices]
        predictions = [
            (tok.id_to_token(int(i)), float(p)) for p, i in zip(probs.tolist(), top.indices.tolist(), strict=True)
        ]
        words = [t for t, _ in predictions]
        present = {
            tok.decode_word(t).lower() for t, s in zip(enc.tokens, enc.special, strict=True) if not s and t != "[MASK]"
        }
        report.outcomes.append(
            ProbeOutcome(
                sentence=probe.sentence,
                answers=probe.answers,
                predictions=predictions,
                hit5=any(w in probe.answers for w in words[:5]),
                hit1=words[0] in probe.answers,
                echo=tok.decode_word(words[0]).lower() in present,
            )
        )
    return report


@dataclass
class HeldoutSet:
    inputs: torch.Tensor
    labels: torch.Tensor
    counts: np.ndarray  # unigram counts used by the frequency baseline
    counts_source: str
    sequences: int
    seq_len: int


def build_heldout(
    lm: LoadedModel,
    heldout_file: str | Path,
    *,
    seq_len: int = 128,
    n_seqs: int = 256,
    seed: int = 1234,
    mlm_prob: float = 0.15,
    counts_file: str | Path | None = None,
    counts_tokens: int = 2_000_000,
) -> HeldoutSet:
    """The fixed masked held-out set; unigram counts from ``counts_file`` (default: train.txt beside the
    held-out file when there is one, else the held-out file itself)."""
    heldout_file = Path(heldout_file)
    if not heldout_file.is_file():
        raise ValueError(f"no held-out file {heldout_file}")
    tok = lm.tokenizer
    vocab = VocabInfo.from_tokenizer(tok, lm.config.vocab_size)
    body = seq_len - 2
    stream = token_stream(tok, read_lines(heldout_file), max_tokens=n_seqs * body + body)
    seqs = pack(stream, seq_len, tok.cls_id, tok.sep_id)[:n_seqs]
    inputs, labels = make_eval_set(seqs, vocab, seed=seed, mlm_prob=mlm_prob)
    if counts_file is None:
        sibling = heldout_file.parent / "train.txt"
        counts_file = sibling if sibling.is_file() and sibling != heldout_file else heldout_file
    counts_stream = token_stream(tok, read_lines(Path(counts_file)), max_tokens=counts_tokens)
    counts = unigram_counts(counts_stream, lm.config.vocab_size, vocab.special)
    return HeldoutSet(inputs, labels, counts, str(counts_file), len(seqs), seq_len)


def heldout_scores(lm: LoadedModel, data: HeldoutSet) -> dict:
    return masked_accuracy(lm.model, data.inputs, data.labels)


def evaluate(
    model: str,
    *,
    probes: str | Path | None = None,
    heldout: str | Path | None = None,
    baseline_head_only: str | Path | None = None,
    seq_len: int = 128,
    n_seqs: int = 256,
) -> dict:
    """Everything ``bertviz-app eval-mlm`` prints, as one dictionary."""
    from bertviz_app.engine import NoMLMHeadError, load_model

    lm = load_model(model)
    if not lm.has_mlm_head:
        raise NoMLMHeadError(f"{lm.name} has no masked-language-model head; there is nothing to evaluate")
    result: dict = {"model": lm.name}
    baseline = load_model(baseline_head_only) if baseline_head_only else None
    if probes:
        plist = read_probes(probes)
        result["probes_file"] = str(probes)
        result["probes"] = evaluate_probes(lm, plist)
        if baseline is not None:
            result["baseline_probes"] = evaluate_probes(baseline, plist)
    if heldout and seq_len > lm.max_length:
        raise ValueError(f"--seq-len {seq_len} is more than {lm.name} reads: at most {lm.max_length} tokens")
    if heldout:
        data = build_heldout(lm, heldout, seq_len=seq_len, n_seqs=n_seqs)
        result["heldout"] = {
            "file": str(heldout),
            "sequences": data.sequences,
            "seq_len": data.seq_len,
            "model": heldout_scores(lm, data),
            "unigram": {**unigram_accuracy(data.counts, data.labels), "counts_from": data.counts_source},
        }
        if baseline is not None:
            result["heldout"]["head_only"] = {**heldout_scores(baseline, data), "folder": str(baseline_head_only)}
    return result


def format_result(result: dict, show_table: bool = True) -> str:
    lines = [f"model: {result['model']}"]
    if "probes" in result:
        rep: ProbeReport = result["probes"]
        lines.append(f"probes ({rep.n}, {result['probes_file']}): {rep.summary()}")
        if show_table:
            lines.append("  #  5/1/E sentence  [expected]  top-5 (raw model output)")
            lines.append(rep.table())
        if "baseline_probes" in result:
            lines.append(f"head-only baseline probes: {result['baseline_probes'].summary()}")
    if "heldout" in result:
        h = result["heldout"]
        m = h["model"]
        lines.append(
            f"held-out masked tokens: {m['masked']:,} in {h['sequences']} sequences of {h['seq_len']} from {h['file']}"
        )
        lines.append(f"  model               top-1 {m['top1']:6.1%}  top-5 {m['top5']:6.1%}  loss {m['loss']:.3f}")
        u = h["unigram"]
        lines.append(
            f"  unigram baseline    top-1 {u['top1']:6.1%}  top-5 {u['top5']:6.1%}  (frequencies of {u['counts_from']})"
        )
        if "head_only" in h:
            b = h["head_only"]
            lines.append(
                f"  head-only baseline  top-1 {b['top1']:6.1%}  top-5 {b['top5']:6.1%}  "
                f"loss {b['loss']:.3f}  ({b['folder']})"
            )
    if len(lines) == 1:
        lines.append("nothing to evaluate: give --probes and/or --heldout")
    return "\n".join(lines)


def result_to_json(result: dict) -> dict:
    out = dict(result)
    for key in ("probes", "baseline_probes"):
        if key in out:
            out[key] = out[key].to_dict()
    return out
