"""Our plain-torch encoder vs transformers' (BERT and the other families), same process, inputs and weights.

    python benchmarks/bench_engine.py            # full run (about 40 timed pairs per case)
    python benchmarks/bench_engine.py --quick    # fewer repetitions, for a smoke test
    python benchmarks/bench_engine.py --cpu-time # CPU time on one thread: for a machine others keep busy

Each case times the two implementations in alternation (A B A B ...) after a warm-up, so both see the same
machine state; the reported ratio is the median of the per-pair ratios (transformers time / our time).
torch runs on 2 threads. Cases:

* full forward: attention probabilities + hidden states + logits at the masked positions. Ours:
  ``model(ids, predict_at=..., output_attentions=True, output_hidden_states=True)``; transformers (eager
  attention, the only kind that returns probabilities): ``output_attentions=True, output_hidden_states=True``.
  For the bundled model's architecture (its real weights plus one shared random MLM head) and for a
  bert-base-sized config with random weights.
* app inference: what one keystroke costs in the app, ``run_inference`` on the bundled model (tokenizing,
  predictions, attention, hidden states and the internals the views use: q/k, value norms, per-layer
  predictions) vs transformers' full forward on the same tokens (eager, attentions + hidden states, top-k).
* the other families at base size, random weights: RoBERTa (roberta-base), DistilBERT (distilbert-base)
  and ModernBERT (ModernBERT-base: 22 layers, GeGLU, local attention of 128 tokens), full forward as above.
* top-k only: the k best tokens at each mask, no attention kept. Ours with output_attentions False (SDPA)
  vs transformers with its fastest attention (sdpa).
* achieved encoder GFLOP/s of our full forward, as a share of this machine's fp32 matmul rate (2048x2048).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bertviz_app.engine import load_model
from bertviz_app.engine.checkpoint import load_bert, save_bert
from bertviz_app.engine.discovery import default_model_dir

THREADS = 2
MASK_ID = 103
N_MASKS = 2
TOP_K = 10


@dataclass
class Case:
    name: str
    ours_s: float
    theirs_s: float
    ratio: float
    target: float
    best_ratio: float
    flops: float | None = None

    @property
    def passed(self) -> bool:
        return self.ratio >= self.target


def make_inputs(length: int, vocab: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(1000, min(vocab, 30000), (1, length), generator=gen)
    ids[0, 0], ids[0, -1] = 101, 102
    masked = torch.linspace(1, length - 2, N_MASKS).round().long().unique()
    ids[0, masked] = MASK_ID
    return ids, masked


# Wall-clock time by default. With --cpu-time: the CPU time of this thread, on one torch thread (all of torch's
# work then runs in it), which other processes' load hardly changes: a shared machine's figure.
clock = time.perf_counter


def time_call(fn, reps: int) -> float:
    start = clock()
    for _ in range(reps):
        fn()
    return (clock() - start) / reps


def alternate(ours, theirs, pairs: int, warmup: int, min_sample_s: float = 0.02):
    """Median seconds per call of each, the median of per-pair ratios theirs/ours, and min(theirs)/min(ours).

    The last is the ratio of the two fastest samples: on a machine other processes are busy on, it is the
    figure least affected by them (a sample can only be slowed down, never sped up, by contention).
    """
    for _ in range(warmup):
        ours()
        theirs()
    once = min(time_call(ours, 1), time_call(ours, 1))
    reps = max(1, int(min_sample_s / max(once, 1e-6)))
    a_times, b_times, ratios = [], [], []
    for i in range(pairs):
        if i % 2 == 0:  # alternate who goes first, too
            a = time_call(ours, reps)
            b = time_call(theirs, reps)
        else:
            b = time_call(theirs, reps)
            a = time_call(ours, reps)
        a_times.append(a)
        b_times.append(b)
        ratios.append(b / a)
    best = min(b_times) / min(a_times)
    return statistics.median(a_times), statistics.median(b_times), statistics.median(ratios), best


def encoder_flops(cfg, T: int) -> float:
    D, inter, L = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers
    per_layer = 2 * T * (4 * D * D + 2 * D * inter) + 2 * 2 * T * T * D  # projections + FFN; QK^T and PV
    return float(L * per_layer)


def matmul_rate(reps: int = 3) -> float:
    """fp32 GFLOP/s of one 2048x2048 matmul on this process's threads (best of `reps` calls), in FLOP/s."""
    a = torch.randn(2048, 2048)
    b = torch.randn(2048, 2048)
    a @ b
    best = min(time_call(lambda: a @ b, 1) for _ in range(reps))
    return 2 * 2048**3 / best


def build_models(work: Path):
    """(ours, theirs eager, theirs sdpa), all three with the bundled default model's weights."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    _, ours, report = load_bert(default_model_dir())  # the shipped delta, rebuilt over its base
    assert report.has_mlm_head
    folder = work / "default-merged"
    save_bert(ours, folder)  # the same weights in plain Hugging Face layout, for transformers
    hf = transformers.BertForMaskedLM.from_pretrained(folder, attn_implementation="eager").eval()
    sdpa = transformers.BertForMaskedLM.from_pretrained(folder, attn_implementation="sdpa").eval()
    return ours, hf, sdpa


def build_bert_base(work: Path):
    import transformers

    cfg = transformers.BertConfig()  # 12 layers, hidden 768, 12 heads, intermediate 3072, vocab 30522
    cfg._attn_implementation = "eager"
    torch.manual_seed(1)
    hf = transformers.BertForMaskedLM(cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    folder = work / "bert-base-random"
    hf.save_pretrained(folder)
    _, ours, _ = load_bert(folder)
    return ours, hf


# family -> (transformers model class, config class, config arguments): base-sized, as on the Hub
FAMILY_CASES = {
    "roberta-base": (
        "RobertaForMaskedLM",
        "RobertaConfig",
        dict(vocab_size=50265, max_position_embeddings=514, pad_token_id=1, type_vocab_size=1),
    ),
    "distilbert-base": ("DistilBertForMaskedLM", "DistilBertConfig", dict(vocab_size=30522)),
    "ModernBERT-base": (
        "ModernBertForMaskedLM",
        "ModernBertConfig",
        dict(
            vocab_size=50368,
            hidden_size=768,
            intermediate_size=1152,
            num_hidden_layers=22,
            num_attention_heads=12,
            pad_token_id=50283,
            bos_token_id=50281,
            eos_token_id=50282,
            cls_token_id=50281,
            sep_token_id=50282,
        ),
    ),
}


def build_family(work: Path, name: str):
    import transformers

    model_class, config_class, kwargs = FAMILY_CASES[name]
    cfg = getattr(transformers, config_class)(**kwargs)
    cfg._attn_implementation = "eager"
    torch.manual_seed(2)
    hf = getattr(transformers, model_class)(cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    folder = work / name
    hf.save_pretrained(folder)
    _, ours, _ = load_bert(folder)
    return ours, hf


def app_case(name, lm, theirs, length, target, pairs, warmup):
    """run_inference (everything the views use) vs transformers' full forward on the same tokens."""
    from bertviz_app.analysis.inference import InferenceInput, prepare, run_inference

    words = ("the", "cat", "sat", "on", "the", "mat", "and", "looked", "at", "a", "bird", "by", "the", "river")
    text, n = "", 3  # [CLS] [MASK] [SEP]
    while n < length:
        text = f"{text} {words[n % len(words)]}".strip()
        n = len(lm.tokenizer.encode(f"{text} [MASK]").input_ids)
    inp = InferenceInput(f"{text} [MASK]", top_k=TOP_K)
    prep = prepare(lm, inp)
    ids, masked = prep.input_ids[None], torch.tensor(prep.masked)

    def run_ours():
        return run_inference(lm, inp)

    def run_theirs():
        with torch.inference_mode():
            out = theirs(ids, output_attentions=True, output_hidden_states=True)
            return out.logits[0, masked].softmax(-1).topk(TOP_K, dim=-1), out.attentions, out.hidden_states

    a, b, r, best = alternate(run_ours, run_theirs, pairs, warmup)
    return Case(f"{name} T={len(prep.input_ids)}", a, b, r, target, best)


def check_same(ours, theirs, vocab: int) -> float:
    ids, masked = make_inputs(24, vocab, seed=123)
    with torch.inference_mode():
        a = ours(ids, predict_at=masked, output_attentions=True, output_hidden_states=True)
        b = theirs(ids, output_attentions=True, output_hidden_states=True)
    diffs = [
        (a.logits - b.logits[0, masked]).abs().max(),
        (a.attentions - torch.stack(b.attentions, 1)).abs().max(),
        (a.hidden_states - torch.stack(b.hidden_states, 1)).abs().max(),
    ]
    return max(float(d) for d in diffs)


def full_case(name, ours, theirs, length, target, pairs, warmup):
    vocab = ours.config.vocab_size
    ids, masked = make_inputs(length, vocab, seed=length)

    def run_ours():
        with torch.inference_mode():
            out = ours(ids, predict_at=masked, output_attentions=True, output_hidden_states=True)
        return out.logits, out.attentions, out.hidden_states

    def run_theirs():
        with torch.inference_mode():
            out = theirs(ids, output_attentions=True, output_hidden_states=True)
        return out.logits[0, masked], out.attentions, out.hidden_states

    a, b, r, best = alternate(run_ours, run_theirs, pairs, warmup)
    return Case(name, a, b, r, target, best, flops=encoder_flops(ours.config, length))


def topk_case(name, ours, theirs_sdpa, length, target, pairs, warmup):
    ids, masked = make_inputs(length, ours.config.vocab_size, seed=length + 7)

    def run_ours():
        with torch.inference_mode():
            logits = ours(ids, predict_at=masked).logits
            return logits.softmax(-1).topk(TOP_K, dim=-1)

    def run_theirs():
        with torch.inference_mode():
            logits = theirs_sdpa(ids).logits[0, masked]
            return logits.softmax(-1).topk(TOP_K, dim=-1)

    a1, b1 = run_ours(), run_theirs()
    assert torch.equal(a1.indices, b1.indices), "top-k differs between the two implementations"
    a, b, r, best = alternate(run_ours, run_theirs, pairs, warmup)
    return Case(name, a, b, r, target, best)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test, noisier)")
    parser.add_argument("--no-bert-base", action="store_true", help="skip the bert-base-sized cases")
    parser.add_argument("--no-families", action="store_true", help="skip the other families' base-sized cases")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"torch threads (default {THREADS})")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time by this thread's CPU time on 1 torch thread (for a machine other processes keep busy)",
    )
    args = parser.parse_args(argv)
    if args.cpu_time:
        global clock
        clock, args.threads = time.thread_time, 1
    pairs, warmup = (8, 2) if args.quick else (40, 5)

    torch.set_num_threads(args.threads)
    import transformers

    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.get_num_threads()} threads, "
        f"{pairs} alternating pairs per case{' (quick)' if args.quick else ''}"
        f"{', timed by thread CPU time' if args.cpu_time else ''}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    cases: list[Case] = []
    rates: list[float] = []  # the matmul rate, sampled between cases so it sees the same machine they did

    def add(case: Case) -> None:
        cases.append(case)
        rates.append(matmul_rate())
        print(f"  {case.name:<34} ratio {case.ratio:5.2f}x (best-sample ratio {case.best_ratio:5.2f}x)", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours, hf, hf_sdpa = build_models(work)
        print(f"bundled model (MiniLM-L6-H384) parity check: max |diff| = {check_same(ours, hf, 30522):.2e}")
        for T in (16, 32, 128, 512):
            target = 1.8 if T == 512 else 2.0
            add(full_case(f"full  MiniLM-L6     T={T}", ours, hf, T, target, pairs, warmup))
        for T in (16, 32, 128):
            add(topk_case(f"top-k MiniLM-L6 sdpa T={T}", ours, hf_sdpa, T, 2.0, pairs, warmup))
        lm = load_model("default")
        for T in (16, 32, 128):
            add(app_case("app   MiniLM-L6", lm, hf, T, 2.0, pairs, warmup))
        del hf, hf_sdpa, lm
        if not args.no_families:
            for name in FAMILY_CASES:
                ours_f, hf_f = build_family(work, name)
                vocab = ours_f.config.vocab_size
                print(f"{name}-sized (random) parity check: max |diff| = {check_same(ours_f, hf_f, vocab):.2e}")
                for T in (16, 128):
                    add(full_case(f"full  {name:<15} T={T}", ours_f, hf_f, T, 1.3, max(pairs // 2, 6), warmup))
                del ours_f, hf_f
        if not args.no_bert_base:
            ours_b, hf_b = build_bert_base(work)
            print(f"bert-base-sized (random) parity check: max |diff| = {check_same(ours_b, hf_b, 30522):.2e}")
            for T in (16, 32, 128):
                target = 1.25 if T == 128 else 1.5
                add(full_case(f"full  bert-base     T={T}", ours_b, hf_b, T, target, max(pairs // 2, 6), warmup))
            del hf_b
    rate = statistics.median(rates)

    print()
    header = f"{'case':<34} {'ours ms':>9} {'hf ms':>9} {'ratio':>7} {'target':>7}  result  {'best':>6}"
    print(f"{header}  {'GFLOP/s':>8} {'of mm':>6}")
    print("-" * 110)
    for c in cases:
        extra = ""
        if c.flops is not None:
            gflops = c.flops / c.ours_s / 1e9
            extra = f"{gflops:8.1f} {100 * gflops * 1e9 / rate:5.1f}%"
        print(
            f"{c.name:<34} {1e3 * c.ours_s:9.2f} {1e3 * c.theirs_s:9.2f} {c.ratio:6.2f}x {c.target:6.2f}x  "
            f"{'PASS' if c.passed else 'FAIL':<6}  {c.best_ratio:5.2f}x  {extra}"
        )
    print("-" * 110)
    print(
        "ms: median per call; ratio: median of per-pair ratios (hf / ours), which PASS/FAIL is judged on;\n"
        "best: fastest hf sample / fastest ours sample (least affected by other processes);\n"
        "GFLOP/s: our encoder's FLOPs / our median time; of mm: as a share of the matmul rate below."
    )
    print(
        f"fp32 matmul 2048x2048 on {torch.get_num_threads()} threads: median {rate / 1e9:.1f} GFLOP/s "
        f"(range {min(rates) / 1e9:.1f}-{max(rates) / 1e9:.1f} over the run); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    failed = [c.name for c in cases if not c.passed]
    print("all targets met" if not failed else f"{len(failed)} target(s) missed: {', '.join(failed)}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
