"""Command line: the GUI by default, and headless sub-commands over engine/ + analysis/ (no Qt imported).

Exit status: 0 on success, 2 on any error a user can fix (bad model folder, empty text ...), with one line
on stderr saying what is wrong. Scripts can rely on ``predict --json`` printing exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from bertviz_app import APP_NAME, __version__

EXIT_USAGE = 2


def _add_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", "-m", default="default",
                   help="a model folder, a model name from `bertviz-app models`, or 'default' (the bundled model)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bertviz-app",
        description=f"{APP_NAME}: look inside BERT. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--model", "-m", default=None, help="model to open in the app (default: the last one used)")
    parser.add_argument("--text", help="sentence to show when the app opens")
    parser.add_argument("--pair", help="second sentence (segment B) to show when the app opens")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window offscreen after one inference, save it as PNG, and exit")
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
    return parser


def _run(args, want_attention: bool, want_hidden: bool, top_k: int = 5):
    from bertviz_app.analysis.inference import InferenceInput, run_inference
    from bertviz_app.engine import NoMLMHeadError, load_model

    lm = load_model(args.model)
    inp = InferenceInput(args.text, args.pair, top_k=top_k, want_attention=want_attention,
                         want_hidden_states=want_hidden)
    result = run_inference(lm, inp)
    if args.command == "predict" and result.masked_positions and not lm.has_mlm_head:
        raise NoMLMHeadError(
            f"{lm.name} has no masked-language-model head, so it cannot predict masked words; "
            "use a model trained for fill-mask (e.g. bert-base-uncased)"
        )
    return lm, result


def cmd_predict(args) -> int:
    if args.top_k < 1:
        raise ValueError("--top-k must be at least 1")
    lm, result = _run(args, want_attention=False, want_hidden=False, top_k=args.top_k)
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
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print(f"model: {lm.name}")
    print("tokens: " + " ".join(result.tokens))
    if result.encoding.truncated:
        print(f"note: the input was cut from {result.encoding.original_length} to {len(result.tokens)} tokens")
    if not result.predictions:
        print("no [MASK] in the text: nothing to predict")
    for m in result.predictions:
        print(f"\n[MASK] at position {m.position}:")
        for rank, p in enumerate(m.predictions, 1):
            print(f"  {rank:>2}. {p.token:<20} {p.probability:7.2%}")
    return 0


def cmd_inspect(args) -> int:
    import numpy as np

    lm, result = _run(args, want_attention=True, want_hidden=True)
    np.savez(
        args.out,
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
