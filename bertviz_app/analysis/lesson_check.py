"""A lesson checked against a live model: every step's input runs, and what the step claims must hold.

`bertviz-app lesson --check --live` and the tests use it, so a lesson that says "the model guesses X" is true for
the model it is checked with; layers, heads and tokens the steps point at must exist in it.
"""

from __future__ import annotations

from bertviz_app.analysis.inference import InferenceInput, InferenceResult, run_inference
from bertviz_app.lessons import Lesson, LessonError, StepState, find_token, mask_spans


def step_input(state: StepState, top_k: int = 10) -> InferenceInput:
    """A step's input, with what the checks read (attention and guesses; no hidden states or internals)."""
    return InferenceInput(
        state.text,
        state.pair,
        masked_spans=mask_spans(state),
        whole_word=state.whole_word,
        knocked_out=state.knocked_out,
        top_k=top_k,
        want_hidden_states=False,
        want_internals=False,
    )


def check_step(lesson: Lesson, index: int, lm) -> InferenceResult:
    """Run step `index` on the loaded model `lm`; LessonError at the line of the first claim that does not hold."""
    state, step = lesson.state(index), lesson.steps[index]
    settings = step.settings
    k = max([10, *(e.k for e in state.expect if e.kind == "top")])
    result = run_inference(lm, step_input(state, top_k=k))
    layers, heads = lm.config.num_hidden_layers, lm.config.num_attention_heads
    where = f"step {index + 1} ({step.title!r}, on {lm.name})"
    if state.layer is not None and state.layer > layers:
        raise LessonError(lesson.path, settings["layer"][1], f"{where}: the model has {layers} layers")
    if state.head is not None and state.head > heads:
        raise LessonError(lesson.path, settings["head"][1], f"{where}: the model has {heads} heads per layer")
    for layer, head in state.knocked_out:
        if layer >= layers or head >= heads:
            line = settings.get("knock-out", (None, step.line))[1]
            raise LessonError(lesson.path, line, f"{where}: no head {layer + 1}.{head + 1} in {layers} x {heads}")
    if state.token is not None and find_token(result.encoding.display_tokens, state.token) is None:
        raise LessonError(
            lesson.path,
            settings["token"][1],
            f"{where}: no token {state.token!r} in {' '.join(result.encoding.display_tokens)}",
        )
    pieces = [t.lower() for t in result.encoding.display_tokens]
    for e in state.expect:
        if e.kind == "piece" and e.word.lower() not in pieces:
            raise LessonError(lesson.path, e.line, f"{where}: no piece {e.word!r} in {' '.join(pieces)}")
        if e.kind == "no-piece" and e.word.lower() in pieces:
            raise LessonError(lesson.path, e.line, f"{where}: the piece {e.word!r} is there: {' '.join(pieces)}")
        if e.kind == "attends":
            tokens = result.encoding.display_tokens
            q, key = find_token(tokens, e.query), find_token(tokens, e.word)
            if q is None or key is None:
                missing = e.query if q is None else e.word
                raise LessonError(lesson.path, e.line, f"{where}: no token {missing!r} in {' '.join(tokens)}")
            row = result.attention[state.layer - 1, state.head - 1, q]  # (T,)
            if int(row.argmax()) != key:
                raise LessonError(
                    lesson.path,
                    e.line,
                    f"{where}: {e.query!r} attends most to {tokens[int(row.argmax())]!r} ({row.max():.2f}) "
                    f"in layer {state.layer}, head {state.head}, not to {e.word!r} ({row[key]:.2f})",
                )
        if e.kind == "top":
            if not result.predictions:
                raise LessonError(
                    lesson.path, e.line, f"{where}: the model makes no guesses here (no masked-word head?)"
                )
            if e.mask > len(result.predictions):
                raise LessonError(lesson.path, e.line, f"{where}: only {len(result.predictions)} masks")
            guesses = [p.display.lstrip("␣").lower() for p in result.predictions[e.mask - 1].predictions[: e.k]]
            if e.word.lower() not in guesses:
                raise LessonError(
                    lesson.path, e.line, f"{where}: {e.word!r} is not in the top {e.k} ({', '.join(guesses)})"
                )
    return result


def check_lesson(lesson: Lesson, load) -> None:
    """Every step of `lesson` on its model; `load(spec)` returns a loaded model (cache it: steps share one)."""
    for index in range(len(lesson.steps)):
        check_step(lesson, index, load(lesson.state(index).model))
