"""Command line: the GUI by default, and headless sub-commands over engine/ + analysis/ (no Qt imported).

Exit status: 0 on success, 2 on any error a user can fix (bad model folder, empty text ...), with one line
on stderr saying what is wrong. Scripts can rely on ``predict --json`` printing exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from bertviz_app import APP_NAME, __version__
from bertviz_app.ui.views import view_arg_help, view_names

EXIT_USAGE = 2


def _add_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        "-m",
        default="default",
        help="a model folder, a model name from `bertviz-app models`, or 'default' (the bundled model)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bertviz-app",
        description=f"{APP_NAME}: look inside BERT. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--model", "-m", default=None, help="model to open in the app (default: the last one used)")
    parser.add_argument("--text", help="sentence to show when the app opens")
    parser.add_argument("--pair", help="second sentence (segment B) to show when the app opens")
    parser.add_argument("--view", choices=view_names(), default="attention", help="the tab shown at the start")
    parser.add_argument("--view-arg", metavar="TEXT", help=view_arg_help())
    parser.add_argument("--lesson", metavar="NAME", help="open a lesson: a name from `bertviz-app lesson` or a file")
    parser.add_argument("--step", type=int, default=1, help="with --lesson: the step to open it at (from 1)")
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="open in the presenter view (large fonts, high contrast, full screen; F5 switches it)",
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help="the interface's language, also for --screenshot: en or zh_CN (default: View > Language, else the "
        "system's)",
    )
    parser.add_argument(
        "--window-size",
        dest="window_size",
        metavar="WxH",
        help="with --screenshot: the window's size in pixels, e.g. 1024x768 (default 1360x860)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="render the window offscreen after one inference, save it as PNG, and exit",
    )
    parser.add_argument(
        "--workspace",
        metavar="FILE",
        help="open a workspace (File ▸ Save workspace… writes one) at the start, over what the other options set",
    )
    parser.add_argument(
        "--dump-state",
        dest="dump_state",
        metavar="FILE",
        help="with --screenshot: also write the state the window shows (model and its weights' SHA-256, sentences, "
        "masks, knocked-out heads, k, selection, view, lesson step) to FILE, as a workspace",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="self-test: build the window offscreen, run one inference, print the top prediction, and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("predict", help="top-k predictions for every [MASK] in TEXT")
    _add_model_arg(p)
    p.add_argument("--top-k", "-k", type=int, default=5, help="predictions per mask (default 5)")
    p.add_argument("--pair", help="second sentence (segment B)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("text", help="the sentence, with [MASK] where a word should be predicted")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("inspect", help="save tokens, attention and hidden states of TEXT to an .npz file")
    _add_model_arg(p)
    p.add_argument("--pair", help="second sentence (segment B)")
    p.add_argument("--out", required=True, help="output .npz file")
    p.add_argument("text")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("models", help="list what --model accepts on this machine")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)

    _add_train_mlm(sub)
    _add_eval_mlm(sub)
    _add_lesson(sub)
    _add_corpus(sub)
    return parser


def _add_lesson(sub) -> None:
    p = sub.add_parser(
        "lesson",
        help="list the lessons, or check lesson files (resources/lessons/README.md describes the format)",
        description="With no option, lists the bundled lessons. --check reads each FILE (or bundled lesson name) "
        "and reports the first problem of each as FILE:LINE: problem; --live also runs every step on the model "
        "and checks what the steps expect of it. Exit status 2 when a lesson has a problem.",
    )
    p.add_argument("--check", action="store_true", help="validate the lessons given (all bundled ones if none)")
    p.add_argument("--live", action="store_true", help="with --check: run every step on its model and check it")
    p.add_argument("--model", "-m", default=None, help="with --live: check on this model instead of each lesson's")
    p.add_argument("files", nargs="*", metavar="FILE", help="lesson files or bundled lesson names")
    p.set_defaults(func=cmd_lesson)


def _add_corpus(sub) -> None:
    p = sub.add_parser("corpus", help="index a text collection and search it by meaning (the corpus explorer)")
    csub = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    q = csub.add_parser(
        "index",
        help="run the model over text files and keep every token's hidden states (fp16, memory-mapped) in DIR",
        description="Index FILE... (one sentence or paragraph per line; none: the bundled demo corpus) into DIR. "
        "An index of the same files, model and layers already in DIR is kept as it is.",
    )
    _add_model_arg(q)
    q.add_argument(
        "--layers", default="all", help="hidden states to keep: all (default), or e.g. 0,3,6 (0 = embeddings)"
    )
    q.add_argument(
        "--context",
        action="store_true",
        help="also keep each attention layer's context vector (the heads' outputs), for search --heads",
    )
    q.add_argument("--out", required=True, metavar="DIR", help="the index folder")
    q.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    q.add_argument("files", nargs="*", metavar="FILE")
    q.set_defaults(func=cmd_corpus_index)
    q = csub.add_parser(
        "search",
        help="the corpus tokens the model reads most like token I of TEXT, at layer L",
        description="Cosine similarity at layer L between token I of TEXT (special tokens counted: 0 is [CLS]) and "
        "every token of the index in DIR, with the model the index was built with.",
    )
    q.add_argument("dir", metavar="DIR")
    q.add_argument("--layer", "-l", type=int, required=True, help="the layer (0 = embeddings)")
    q.add_argument("--top", "-n", type=int, default=10, help="how many neighbours (default 10)")
    q.add_argument("--token", "-t", type=int, required=True, metavar="I", help="the token's position in TEXT")
    q.add_argument(
        "--heads", help="compare only these heads' slices of the context vectors, e.g. 3,5 (needs --context)"
    )
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.add_argument("text", metavar="TEXT")
    q.set_defaults(func=cmd_corpus_search)


def _add_train_mlm(sub) -> None:
    from bertviz_app.training.config import SCHEDULES, TrainConfig

    d = TrainConfig()
    p = sub.add_parser(
        "train-mlm",
        help="fine-tune a BERT's masked-language-model head (and top layers) on text",
        description="Masked-language-model fine-tuning. Writes OUT/ in Hugging Face layout, with "
        "OUT/checkpoint/ refreshed as it goes and OUT/train.log; --resume continues a stopped run.",
    )
    _add_model_arg(p)
    p.add_argument(
        "--corpus",
        required=True,
        help="a folder with train.txt (and heldout.txt), or one text file; one passage per line",
    )
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--steps", type=int, default=d.steps, help=f"optimizer steps (default {d.steps})")
    p.add_argument(
        "--seq-len",
        dest="seq_len",
        type=int,
        default=d.seq_len,
        help=f"tokens per packed sequence (default {d.seq_len})",
    )
    p.add_argument("--batch", type=int, default=d.batch, help=f"sequences per step (default {d.batch})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"peak learning rate of the encoder (default {d.lr:g})")
    p.add_argument(
        "--head-lr",
        dest="head_lr",
        type=float,
        default=None,
        help="peak learning rate of the MLM head (default: --lr, or 5 × --lr for a new head)",
    )
    p.add_argument("--warmup", type=int, default=None, help="warm-up steps (default 6%% of --steps)")
    p.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=d.schedule,
        help="learning rate after warm-up: linear or cosine decay to the end, or wsd (constant, then linear "
        f"decay over the last --decay-frac; its --steps may change on --resume) (default {d.schedule})",
    )
    p.add_argument(
        "--decay-frac",
        dest="decay_frac",
        type=float,
        default=d.decay_frac,
        help=f"wsd: the fraction of the steps that decays (default {d.decay_frac})",
    )
    p.add_argument(
        "--min-lr-ratio",
        dest="min_lr_ratio",
        type=float,
        default=d.min_lr_ratio,
        help="final learning rate as a fraction of the peak (default 0)",
    )
    p.add_argument("--weight-decay", dest="weight_decay", type=float, default=d.weight_decay)
    p.add_argument("--clip", type=float, default=d.clip, help="gradient-norm clipping; 0 = off (default 1)")
    p.add_argument(
        "--train-layers",
        dest="train_layers",
        type=int,
        default=d.train_layers,
        help=f"how many top encoder layers train with the head; 0 = head only (default {d.train_layers})",
    )
    p.add_argument(
        "--train-embeddings",
        dest="train_embeddings",
        action="store_true",
        help="train the embeddings too (and so the tied decoder); off by default",
    )
    p.add_argument(
        "--whole-word",
        dest="whole_word",
        action="store_true",
        help="mask whole words (a word's ## pieces together)",
    )
    p.add_argument(
        "--mlm-prob",
        dest="mlm_prob",
        type=float,
        default=d.mlm_prob,
        help=f"fraction of tokens masked (default {d.mlm_prob})",
    )
    p.add_argument(
        "--head-init",
        dest="head_init",
        choices=("identity", "default"),
        default=d.head_init,
        help="transform of a newly created head: identity or random (default identity)",
    )
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument(
        "--max-train-tokens",
        dest="max_train_tokens",
        type=int,
        default=None,
        help="use only the first N tokens of train.txt (default: all of it)",
    )
    p.add_argument(
        "--eval-every",
        dest="eval_every",
        type=int,
        default=d.eval_every,
        help=f"held-out evaluation every N steps; 0 = start and end only (default {d.eval_every})",
    )
    p.add_argument(
        "--eval-seqs",
        dest="eval_seqs",
        type=int,
        default=d.eval_seqs,
        help=f"held-out sequences per evaluation (default {d.eval_seqs})",
    )
    p.add_argument(
        "--save-every",
        dest="save_every",
        type=int,
        default=d.save_every,
        help=f"refresh OUT/checkpoint every N steps; 0 = at the end only (default {d.save_every})",
    )
    p.add_argument("--log-every", dest="log_every", type=int, default=d.log_every)
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint (same options)")
    p.add_argument(
        "--stop-after",
        dest="stop_after",
        type=int,
        default=None,
        help="stop after this step with a checkpoint; continue later with --resume",
    )
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--device", default=d.device, help="auto (a GPU when there is one), cpu, cuda, cuda:N")
    p.add_argument("--bf16", action="store_true", help="bfloat16 autocast (GPUs; CPUs with AVX512-BF16/AMX)")
    p.set_defaults(func=cmd_train_mlm)


def _add_eval_mlm(sub) -> None:
    p = sub.add_parser("eval-mlm", help="fill-in-the-blank quality: probe sentences and held-out masked tokens")
    _add_model_arg(p)
    p.add_argument(
        "--probes",
        default=None,
        help="probes TSV (sentence<TAB>answer,answer,...); default: ../shared/data/mlm-probes.tsv "
        "beside the repository when present",
    )
    p.add_argument("--heldout", default=None, help="held-out text file, one passage per line")
    p.add_argument(
        "--baseline-head-only",
        dest="baseline_head_only",
        default=None,
        metavar="FOLDER",
        help="also evaluate this frozen-encoder + new-head model folder",
    )
    p.add_argument("--seq-len", dest="seq_len", type=int, default=128, help="held-out sequence length (default 128)")
    p.add_argument("--eval-seqs", dest="eval_seqs", type=int, default=256, help="held-out sequences (default 256)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--no-table", dest="table", action="store_false", help="omit the per-probe table")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_eval_mlm)


def _run(args, want_attention: bool, want_hidden: bool, top_k: int = 5):
    from bertviz_app.analysis.inference import InferenceInput, run_inference
    from bertviz_app.analysis.numeric.truncation import masks_cut_off
    from bertviz_app.engine import InputError, NoMLMHeadError, load_model

    lm = load_model(args.model)
    inp = InferenceInput(
        args.text, args.pair, top_k=top_k, want_attention=want_attention, want_hidden_states=want_hidden
    )
    result = run_inference(lm, inp)
    if args.command == "predict" and result.masked_positions and not lm.has_mlm_head:
        raise NoMLMHeadError(
            f"{lm.name} has no masked-language-model head, so it cannot predict masked words; "
            "use a model trained for fill-mask (e.g. bert-base-uncased)"
        )
    cut = masks_cut_off(result.encoding, args.text, args.pair, lm.tokenizer.mask_token)
    if args.command == "predict" and cut:
        raise InputError(cut)  # predicting the other masks alone would hide that one was dropped
    return lm, result


def cmd_predict(args) -> int:
    if args.top_k < 1:
        raise ValueError("--top-k must be at least 1")
    lm, result = _run(args, want_attention=False, want_hidden=False, top_k=args.top_k)
    if not all(math.isfinite(p.probability) for m in result.predictions for p in m.predictions):
        raise ValueError(
            f"{lm.name} computed non-finite probabilities (NaN or infinity) for this text: its weights overflow"
        )
    if args.json:
        payload = {
            "model": lm.name,
            "tokens": list(result.tokens),
            "truncated": result.encoding.truncated,
            "masks": [
                {
                    "position": m.position,
                    "predictions": [
                        {"token": p.token, "id": p.token_id, "probability": p.probability} for p in m.predictions
                    ],
                }
                for m in result.predictions
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, allow_nan=False))
        return 0
    print(f"model: {lm.name}")
    print("tokens: " + " ".join(result.display_tokens))
    if result.encoding.truncated:
        print(f"note: the input was cut from {result.encoding.original_length} to {len(result.tokens)} tokens")
    if not result.predictions:
        print("no [MASK] in the text: nothing to predict")
    for m in result.predictions:
        print(f"\n{result.display_tokens[m.position]} at position {m.position}:")
        for rank, p in enumerate(m.predictions, 1):
            raw = f"  ({p.token})" if p.token != p.display else ""
            print(f"  {rank:>2}. {p.display:<20} {p.probability:7.2%}{raw}")
    return 0


def cmd_inspect(args) -> int:
    import numpy as np

    from bertviz_app.atomic import atomic_write

    if not args.out.endswith(".npz"):  # numpy would add ".npz" to any other name and write a different file
        raise ValueError(f"--out must be a file name ending in .npz, not {args.out!r}")
    _lm, result = _run(args, want_attention=True, want_hidden=True)
    with atomic_write(args.out) as tmp:
        np.savez(
            tmp,
            tokens=np.array(result.tokens, dtype=str),
            input_ids=np.array(result.encoding.input_ids, dtype=np.int64),
            attention=result.attention.astype(np.float32),
            hidden_states=result.hidden_states.astype(np.float32),
        )
    L, H, T, _ = result.attention.shape
    print(f"wrote {args.out}: {T} tokens, attention ({L},{H},{T},{T}), hidden_states {result.hidden_states.shape}")
    return 0


def cmd_models(args) -> int:
    from bertviz_app.engine.discovery import available_models

    models = available_models()
    if args.json:
        print(json.dumps([{"name": m.name, "source": m.source, "path": str(m.path)} for m in models]))
        return 0
    if not models:
        print("no models found; give a model folder with --model PATH")
    for m in models:
        print(f"{m.name:<40} {m.source:<8} {m.path}")
    return 0


def cmd_train_mlm(args) -> int:
    import torch

    from bertviz_app.training.config import config_from_args
    from bertviz_app.training.mlm import train

    cfg = config_from_args(args)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    result = train(cfg, handle_signals=True)
    return 0 if result.finished or cfg.stop_after is not None else 130


def cmd_eval_mlm(args) -> int:
    import torch

    from bertviz_app.training.evaluate import default_probes_path, evaluate, format_result, result_to_json

    if args.threads:
        if args.threads < 1:
            raise ValueError("--threads must be at least 1")
        torch.set_num_threads(args.threads)
    if args.seq_len < 8 or args.eval_seqs < 1:
        raise ValueError("--seq-len must be at least 8 and --eval-seqs at least 1")
    probes = args.probes or default_probes_path()
    result = evaluate(
        args.model,
        probes=probes,
        heldout=args.heldout,
        baseline_head_only=args.baseline_head_only,
        seq_len=args.seq_len,
        n_seqs=args.eval_seqs,
    )
    if args.json:
        print(json.dumps(result_to_json(result), ensure_ascii=False))
    else:
        print(format_result(result, show_table=args.table))
    return 0


def cmd_lesson(args) -> int:
    from bertviz_app.lessons import LessonError, bundled_lessons, lesson_name, load_lesson

    if not args.check:
        if args.files or args.live:
            raise ValueError("give --check to check lesson files")
        for path in bundled_lessons():
            lesson = load_lesson(path, view_names())
            print(f"{lesson_name(path):<20} {len(lesson.steps):>3} steps  {lesson.title}")
        return 0
    models: dict = {}

    def load(spec):
        from bertviz_app.engine import load_model

        spec = args.model or spec
        if spec not in models:
            models[spec] = load_model(spec)
        return models[spec]

    failed = 0
    for name in args.files or [str(p) for p in bundled_lessons()]:
        try:
            lesson = load_lesson(name, view_names())
            if args.live:
                from bertviz_app.analysis.lesson_check import check_lesson

                check_lesson(lesson, load)
        except LessonError as exc:
            print(f"bertviz-app: {exc}", file=sys.stderr)
            failed += 1
            continue
        checked = "checked on the model" if args.live else "valid"
        print(f"{lesson.path}: {len(lesson.steps)} steps, {checked}")
    return EXIT_USAGE if failed else 0


def cmd_corpus_index(args) -> int:
    import time

    from bertviz_app.analysis import corpus
    from bertviz_app.engine import load_model

    lm = load_model(args.model)
    files = args.files or [corpus.demo_corpus()]
    steps = corpus.open_or_build(lm, files, args.out, args.layers, args.context, spec=args.model)
    start, last, built = time.perf_counter(), 0.0, False
    while True:
        try:
            done, total = next(steps)
        except StopIteration as stop:
            index = stop.value
            break
        built = True
        now = time.perf_counter()
        if not args.quiet and total > 1 and (now - last > 1 or done == total):
            last = now
            rate = done / max(now - start, 1e-9)
            left = (total - done) / rate if rate > 0 else 0
            print(
                f"\r{done:,} / {total:,} tokens, {rate:,.0f} tokens/s, {left:,.0f} s left   ", end="", file=sys.stderr
            )
    if not args.quiet and last:
        print(file=sys.stderr)
    info = index.info
    print(
        f"{index.folder}: {'built' if built else 'up to date'}, {info.lines:,} lines, {info.tokens:,} tokens, "
        f"layers {','.join(map(str, info.layers))}"
        + (f", context at {len(info.context_layers)} layers" if info.context_layers else "")
        + f", model {info.model}"
    )
    if info.truncated_lines:
        print(f"note: {info.truncated_lines} lines were longer than the model takes and were cut")
    return 0


def cmd_corpus_search(args) -> int:
    from bertviz_app.analysis import corpus
    from bertviz_app.analysis.numeric.corpus import CorpusIndex
    from bertviz_app.engine import load_model

    index = CorpusIndex(args.dir)
    heads = corpus.parse_heads(args.heads)
    index.layer_row(args.layer)  # a layer the index lacks is refused before the model loads
    lm = load_model(index.info.model_spec)
    query, found = corpus.search_text(index, lm, args.text, args.token, args.layer, args.top, heads)
    if args.json:
        print(json.dumps(corpus.neighbours_json(index, query, args.layer, found), ensure_ascii=False))
        return 0
    shown = " ".join(f"[{t}]" if i == query.position else t for i, t in enumerate(query.display_tokens))
    print(f"model: {index.info.model}, layer {args.layer}: {shown}")
    for n in found:
        tokens = index.line_tokens(n.line, display=True)
        context = " ".join(f"[{t}]" if i == n.position else t for i, t in enumerate(tokens) if abs(i - n.position) <= 8)
        print(f"{n.similarity:6.3f}  line {n.line:<6} {context}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bertviz_app.engine.errors import EngineError

    try:
        if args.command is None:
            from bertviz_app.app import run_gui

            return run_gui(args)
        return args.func(args)
    except (EngineError, ValueError, OSError) as exc:
        print(f"bertviz-app: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
