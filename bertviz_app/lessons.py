"""Lessons: step-by-step tours that drive the live app, as plain Markdown files (resources/lessons/README.md).

Qt-free and torch-free: the window (ui/lesson_panel.py), `bertviz-app lesson --check` and the tests read lessons
through this module. A lesson is a small front matter, phases (``# Phase``) and steps (``## Step``); the lines
right under a step's heading, up to the first blank line, are its settings (``key: value``); the rest is the
text shown beside the panels. Every problem is a `LessonError` naming the file and the line.

The input (model, text, pair, masks, whole-word masking, knocked-out heads) and the view carry over from step to
step until a step changes them; what a step points at (layer, head, token, highlight, view-arg) is its own. So
the state of step n is the same however the presenter got there: `Lesson.state(n)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from bertviz_app.analysis.numeric.neuron import find_token
from bertviz_app.resources import resource_path

PANELS = ("sentence", "predictions", "view")  # what `highlight:` may frame besides a token
MEASURES = ("attention", "value", "rollout")
FRONT_KEYS = ("title", "about", "model")
STEP_KEYS = (
    "text",
    "pair",
    "mask",
    "whole-word",
    "knock-out",
    "model",
    "view",
    "measure",
    "layer",
    "head",
    "token",
    "highlight",
    "view-arg",
    "expect",
)
NONE_WORDS = ("none", "-", "")
EXPECT_TOP = re.compile(r'^"(?P<word>[^"]+)"\s+in\s+top\s+(?P<k>\d+)(?:\s+at\s+mask\s+(?P<mask>\d+))?$', re.I)
EXPECT_PIECE = re.compile(r'^piece\s+"(?P<piece>[^"]+)"$', re.I)
EXPECT_NOT_PIECE = re.compile(r'^no\s+piece\s+"(?P<piece>[^"]+)"$', re.I)
EXPECT_ATTENDS = re.compile(r'^"(?P<query>[^"]+)"\s+attends\s+most\s+to\s+"(?P<key>[^"]+)"$', re.I)


class LessonError(ValueError):
    """A problem in a lesson file, at a line (1-based; 0 when the file as a whole is the problem)."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line, self.problem = str(path), line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class Expectation:
    """What a step claims about the live model, checked by `bertviz-app lesson --check --live`.

    kind "top": `word` is among the top `k` guesses at mask number `mask` (1-based, in token order);
    kind "piece" / "no-piece": the tokenized input has (or has not) the word piece `word`;
    kind "attends": at the step's layer and head, token `query` gives its largest weight to token `word`."""

    kind: str
    word: str
    query: str = ""
    k: int = 0
    mask: int = 1
    line: int = 0


@dataclass(frozen=True)
class StepState:
    """Everything the window is set to at one step. Layer and head as on screen, from 1 (layer 0: the embeddings,
    before the first layer, for the embeddings view; head -1: the mean over heads)."""

    model: str = "default"
    text: str = ""
    pair: str | None = None
    masks: tuple[str, ...] = ()  # words of the text to mask ("bank#2": its second occurrence)
    whole_word: bool = False
    knocked_out: frozenset[tuple[int, int]] = frozenset()
    view: str = "attention"
    measure: str | None = None
    layer: int | None = None
    head: int | None = None
    token: str | None = None  # the token the step points at ("it", "[CLS]", "#3")
    highlight: str | None = None  # a panel of PANELS or a view name
    view_arg: str | None = None
    expect: tuple[Expectation, ...] = ()

    def view_argument(self) -> str | None:
        """What the view is told (its --view-arg): the step's own view-arg, else one built from its measure,
        layer, head and token for the views that take them."""
        if self.view_arg is not None:
            return self.view_arg
        layer = None if self.layer is None else str(self.layer)
        head = None if self.head is None else "mean" if self.head < 0 else str(self.head)
        if self.view == "attention" and (self.measure or layer):
            parts = [self.measure or "", layer or "", head or ""]
            return ":".join(parts).rstrip(":")
        if self.view == "neurons" and (layer or self.token):
            if layer and head and head != "mean":
                return ".".join(p for p in (layer, head, self.token) if p)
            return self.token
        return None


@dataclass(frozen=True)
class Step:
    title: str
    phase: str
    body: str  # Markdown
    line: int  # of its heading
    settings: dict = field(default_factory=dict)  # key -> (value, line), as written


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    about: str
    path: str
    steps: tuple[Step, ...]
    states: tuple[StepState, ...]  # one per step

    @property
    def phases(self) -> list[tuple[str, int]]:
        """(phase title, index of its first step), in order."""
        seen: list[tuple[str, int]] = []
        for i, step in enumerate(self.steps):
            if not seen or seen[-1][0] != step.phase:
                seen.append((step.phase, i))
        return seen

    def state(self, index: int) -> StepState:
        return self.states[index]


# ---- finding lessons -------------------------------------------------------------------------------------
def lessons_folder() -> Path:
    return resource_path("lessons")


def lesson_name(path: Path) -> str:
    """The name `--lesson` takes: the file's name without '.md' and its ordering number ("1-wordpiece.md")."""
    return re.sub(r"^\d+[-_]", "", path.stem)


def bundled_lessons() -> list[Path]:
    """The lesson files shipped with the app, in their order (README.md describes the format, it is no lesson)."""
    return sorted(p for p in lessons_folder().glob("*.md") if p.name.lower() != "readme.md")


def find_lesson(name: str) -> Path:
    """A bundled lesson by name ("wordpiece"), or a lesson file by its path."""
    path = Path(name)
    if path.suffix == ".md" and path.is_file():
        return path
    for candidate in bundled_lessons():
        if name in (lesson_name(candidate), candidate.stem):
            return candidate
    names = ", ".join(lesson_name(p) for p in bundled_lessons())
    raise LessonError(name, 0, f"no lesson called {name!r} (the app has: {names}; or give a lesson file's path)")


def load_lesson(name_or_path: str | Path, views: tuple[str, ...] | None = None) -> Lesson:
    """A lesson by name or path; `views`: the view names a step may show (ui/views.py's view_names(); this
    module stays out of ui/, so the caller says)."""
    path = find_lesson(str(name_or_path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(path, 0, f"cannot read it: {exc}") from exc
    return parse_lesson(text, path, views)


# ---- parsing -----------------------------------------------------------------------------------------------
_SETTING = re.compile(r"^(?P<key>[A-Za-z][A-Za-z-]*)\s*:\s?(?P<value>.*)$")


def parse_lesson(source: str, path: str | Path = "<lesson>", views: tuple[str, ...] | None = None) -> Lesson:
    """Read a lesson file's text. Raises LessonError at the line of the first problem. `views`: the view names
    `view:` and `highlight:` may name (None: any name)."""
    lines = source.splitlines()
    front, body_start = _front_matter(lines, path)
    title = front.get("title", ("", 0))[0]
    if not title:
        raise LessonError(path, 1, "the front matter needs a 'title: ...' line")
    steps: list[Step] = []
    phase, phase_line = "", 0
    i = body_start
    current: dict | None = None  # the step being read: title, line, settings, body lines
    while i < len(lines):
        raw = lines[i]
        n = i + 1
        if raw.startswith("# "):
            _close_step(current, phase, steps)
            current = None
            phase, phase_line = raw[2:].strip(), n
            if not phase:
                raise LessonError(path, n, "a phase heading needs a title ('# Phase title')")
            i += 1
            continue
        if raw.startswith("## "):
            _close_step(current, phase, steps)
            if not phase:
                raise LessonError(path, n, "a step comes before any phase: start with a '# Phase title' line")
            step_title = raw[3:].strip()
            if not step_title:
                raise LessonError(path, n, "a step heading needs a title ('## Step title')")
            current = {"title": step_title, "line": n, "settings": {}, "body": [], "path": path}
            i += 1
            # The settings: every line up to the first blank one.
            while i < len(lines) and lines[i].strip():
                m = _SETTING.match(lines[i].strip())
                if not m:
                    raise LessonError(
                        path,
                        i + 1,
                        "expected a setting 'key: value' right under the step's heading "
                        "(leave a blank line before the step's text)",
                    )
                key = m.group("key").lower()
                if key not in STEP_KEYS:
                    raise LessonError(path, i + 1, f"unknown setting {key!r} (known: {', '.join(STEP_KEYS)})")
                if key in current["settings"] and key != "expect":
                    raise LessonError(path, i + 1, f"{key!r} is set twice in this step")
                if key == "expect":
                    current["settings"].setdefault("expect", []).append((m.group("value").strip(), i + 1))
                else:
                    current["settings"][key] = (m.group("value").strip(), i + 1)
                i += 1
            current["body_line"] = i + 1
            continue
        if current is None:
            if raw.strip():
                where = "phase" if phase else "front matter"
                raise LessonError(path, n, f"text after the {where} belongs in a step: add a '## Step title' above it")
        else:
            current["body"].append(raw)
        i += 1
    _close_step(current, phase, steps)
    if not steps:
        raise LessonError(path, phase_line or len(lines), "the lesson has no steps ('## Step title' under a phase)")
    model = front.get("model", ("default", 0))[0] or "default"
    states = _resolve(steps, StepState(model=model), path, views)
    return Lesson(
        name=lesson_name(Path(path)),
        title=title,
        about=front.get("about", ("", 0))[0],
        path=str(path),
        steps=tuple(steps),
        states=tuple(states),
    )


def _front_matter(lines: list[str], path) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        raise LessonError(path, 1, "a lesson starts with its front matter: a '---' line, 'title: ...', '---'")
    front: dict = {}
    for i in range(1, len(lines)):
        line = lines[i].strip()
        if line == "---":
            return front, i + 1
        if not line:
            continue
        if line.startswith("#"):
            raise LessonError(path, i + 1, "the front matter is not closed: add a '---' line before this heading")
        m = _SETTING.match(line)
        if not m:
            raise LessonError(path, i + 1, "expected 'key: value' in the front matter")
        key = m.group("key").lower()
        if key not in FRONT_KEYS:
            raise LessonError(path, i + 1, f"unknown front matter key {key!r} (known: {', '.join(FRONT_KEYS)})")
        front[key] = (m.group("value").strip(), i + 1)
    raise LessonError(path, len(lines), "the front matter is not closed: add a '---' line after it")


def _close_step(current: dict | None, phase: str, steps: list[Step]) -> None:
    if current is None:
        return
    body = "\n".join(current["body"]).strip()
    check_live_names("\n".join(current["body"]), current["body_line"], current["path"])
    steps.append(Step(current["title"], phase, body, current["line"], current["settings"]))


def _resolve(steps: list[Step], state: StepState, path, views) -> list[StepState]:
    """Fold the steps' settings into one complete state per step, checking each value."""
    states = []
    for step in steps:
        s = step.settings
        # What carries over: the input and the view. What a step points at is its own.
        state = replace(
            state, measure=None, layer=None, head=None, token=None, highlight=None, view_arg=None, expect=()
        )
        if "model" in s:
            state = replace(state, model=_value(s, "model", path))
        if "text" in s:
            text = _value(s, "text", path)
            # A new sentence starts with no word-masks of the old one (typed [MASK]s are part of the text).
            state = replace(state, text=text, masks=())
        if "pair" in s:
            pair = s["pair"][0]
            state = replace(state, pair=None if pair.lower() in NONE_WORDS else pair)
        if "mask" in s:
            value, line = s["mask"]
            words = () if value.lower() in NONE_WORDS else tuple(w.strip() for w in value.split(",") if w.strip())
            for word in words:
                try:
                    find_word(state.text, word)
                except ValueError as exc:
                    raise LessonError(path, line, str(exc)) from None
            state = replace(state, masks=words)
        if "whole-word" in s:
            state = replace(state, whole_word=_yes_no(s, "whole-word", path))
        if "knock-out" in s:
            state = replace(state, knocked_out=_heads(s, path))
        if "view" in s:
            value, line = s["view"]
            if views is not None and value not in views:
                raise LessonError(path, line, f"unknown view {value!r} (views: {', '.join(views)})")
            state = replace(state, view=value)
        if "measure" in s:
            value, line = s["measure"]
            if value not in MEASURES:
                raise LessonError(path, line, f"unknown measure {value!r} (measures: {', '.join(MEASURES)})")
            state = replace(state, measure=value)
        if "layer" in s:
            state = replace(state, layer=_count(s, "layer", path, lowest=0))
        if "head" in s:
            value, _line = s["head"]
            state = replace(state, head=-1 if value.lower() == "mean" else _count(s, "head", path))
        if "token" in s:
            state = replace(state, token=_value(s, "token", path))
        if "highlight" in s:
            value, line = s["highlight"]
            if value not in PANELS and views is not None and value not in views and not value.startswith("token"):
                raise LessonError(
                    path, line, f"highlight what? {value!r} (one of: token, {', '.join(PANELS)}, a view name)"
                )
            state = replace(state, highlight=value)
        if "view-arg" in s:
            state = replace(state, view_arg=_value(s, "view-arg", path))
        if "expect" in s:
            state = replace(state, expect=tuple(_expectation(v, line, path) for v, line in s["expect"]))
        if state.layer == 0 and state.view not in ("embeddings", "layers"):
            raise LessonError(
                path, s["layer"][1], f"layer 0 (the embeddings) is for the embeddings view, not {state.view}"
            )
        if not state.text.strip():
            raise LessonError(path, step.line, "this step has no sentence: give it (or an earlier step) 'text: ...'")
        if state.highlight == "token" and state.token is None:
            raise LessonError(path, s["highlight"][1], "'highlight: token' needs a 'token: ...' line in the step")
        for e in state.expect:
            if e.kind == "attends" and (not state.layer or state.head is None or state.head < 0):
                raise LessonError(path, e.line, "'attends most to' needs the step's 'layer:' and 'head:' (not mean)")
            if e.kind == "top" and e.mask > count_masks(state):
                raise LessonError(path, e.line, f"expects mask {e.mask} but this step's input has {count_masks(state)}")
        states.append(state)
    return states


def _value(settings: dict, key: str, path) -> str:
    value, line = settings[key]
    if not value:
        raise LessonError(path, line, f"{key!r} needs a value")
    return value


def _yes_no(settings: dict, key: str, path) -> bool:
    value, line = settings[key]
    if value.lower() in ("yes", "on", "true"):
        return True
    if value.lower() in ("no", "off", "false"):
        return False
    raise LessonError(path, line, f"{key!r} is yes or no, not {value!r}")


def _count(settings: dict, key: str, path, lowest: int = 1) -> int:
    value, line = settings[key]
    if not value.isdigit() or int(value) < lowest:
        raise LessonError(path, line, f"{key!r} is a number counted from 1, as on screen (not {value!r})")
    return int(value)


def _heads(settings: dict, path) -> frozenset[tuple[int, int]]:
    value, line = settings["knock-out"]
    if value.lower() in NONE_WORDS:
        return frozenset()
    heads = set()
    for part in value.split(","):
        m = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", part)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            raise LessonError(path, line, f"knock-out takes LAYER.HEAD from 1, e.g. '3.7, 5.1' (not {part.strip()!r})")
        heads.add((int(m.group(1)) - 1, int(m.group(2)) - 1))
    return frozenset(heads)


def _expectation(value: str, line: int, path) -> Expectation:
    if m := EXPECT_TOP.match(value):
        k = int(m.group("k"))
        if k < 1:
            raise LessonError(path, line, "'in top K' needs K of at least 1")
        return Expectation("top", m.group("word"), k=k, mask=int(m.group("mask") or 1), line=line)
    if m := EXPECT_PIECE.match(value):
        return Expectation("piece", m.group("piece"), line=line)
    if m := EXPECT_NOT_PIECE.match(value):
        return Expectation("no-piece", m.group("piece"), line=line)
    if m := EXPECT_ATTENDS.match(value):
        return Expectation("attends", m.group("key"), query=m.group("query"), line=line)
    raise LessonError(
        path,
        line,
        "expect what? write '\"WORD\" in top K' (optionally 'at mask N'), 'piece \"P\"', 'no piece \"P\"' "
        'or \'"TOKEN" attends most to "TOKEN"\'',
    )


# ---- from a state to the app's input ------------------------------------------------------------------------
def find_word(text: str, word: str) -> tuple[int, int]:
    """The characters (start, end) of `word` in `text` as a whole word, case-insensitive; "bank#2" is its second
    occurrence. ValueError, saying so, when it is not there."""
    name, _, nth = word.partition("#")
    occurrence = int(nth) if nth.isdigit() and int(nth) >= 1 else 1
    found = list(re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE))
    if len(found) < occurrence:
        times = "" if occurrence == 1 else f" {occurrence} times"
        raise ValueError(f"cannot mask {name!r}: the sentence {text!r} does not have it{times}")
    m = found[occurrence - 1]
    return m.start(), m.end()


def mask_spans(state: StepState) -> tuple[tuple[int, int, int], ...]:
    """The step's masks as the controller's spans: (segment 0, start, end) of each word to mask."""
    return tuple((0, *find_word(state.text, word)) for word in state.masks)


def count_masks(state: StepState) -> int:
    """How many masks the step's input has: typed [MASK]/<mask>s and masked words (a word may be several pieces,
    but the lesson counts it once: expectations name the masks in order)."""
    typed = len(re.findall(r"\[MASK\]|<mask>", state.text + " " + (state.pair or "")))
    return typed + len(state.masks)


# ---- live values in a step's text ----------------------------------------------------------------------------
LIVE = re.compile(r"\{(?P<name>[a-z][a-z-]*)(?: (?P<n>\d+))?\}")
LIVE_NAMES = ("guess", "prob", "loss", "tokens", "right")


def check_live_names(body: str, first_line: int, path) -> None:
    for offset, line in enumerate(body.splitlines()):
        for m in LIVE.finditer(line):
            if m.group("name") not in LIVE_NAMES:
                raise LessonError(
                    path,
                    first_line + offset,
                    f"unknown live value {{{m.group('name')}}} (known: {', '.join('{' + n + '}' for n in LIVE_NAMES)})",
                )


def mlm_loss(result) -> tuple[float, list[tuple[str, float]]] | None:
    """The masked-language-model loss of this input, −Σ log p(original token) over the masked tokens that had a
    word there (typed [MASK]s have none), in nats, with each (token, p). None when there is nothing to score."""
    import math

    probs = getattr(result, "layer_probs", None)
    if probs is None or not result.masked_positions:
        return None
    enc = result.encoding
    terms = [
        (enc.display_tokens[pos], float(probs[-1, row, enc.input_ids[pos]]))
        for row, pos in enumerate(result.masked_positions)
        if not enc.typed_mask[pos]
    ]
    if not terms:
        return None
    return -sum(math.log(max(p, 1e-45)) for _t, p in terms), terms


def right_share(result, state: StepState) -> float | None:
    """How much of the step's token's attention goes to the words on its right (at the step's layer and head;
    averaged over the heads, and over the layers, where the step names none). None without attention or token."""
    if result is None or result.attention is None or state.token is None:
        return None
    q = find_token(result.encoding.display_tokens, state.token)
    if q is None:
        return None
    attention = result.attention  # (L, H, T, T)
    rows = attention[:, :, q] if not state.layer else attention[state.layer - 1 : state.layer, :, q]
    if state.head is not None and state.head >= 1:
        rows = rows[:, state.head - 1 : state.head]
    right = [j for j in range(q + 1, rows.shape[-1]) if not result.encoding.special[j]]
    return float(rows[..., right].sum(-1).mean()) if right else 0.0


def fill_live(body: str, result, state: StepState | None = None) -> str:
    """A step's text with its live values read from the result on show ("…" while the model is still answering):
    {guess} / {guess 2}: the first guess at mask 1 / 2, {prob}: its probability, {loss}: the MLM loss of the
    masked words, {tokens}: the tokens, {right}: the share of the step's token's attention on its right."""

    def value(m: re.Match) -> str:
        name, n = m.group("name"), int(m.group("n") or 1)
        if name not in LIVE_NAMES:
            return m.group(0)
        if result is None:
            return "…"
        if name == "tokens":
            return " ".join(result.encoding.display_tokens)
        if name == "right":
            share = None if state is None else right_share(result, state)
            return "(no attention to measure)" if share is None else f"{share:.0%}"
        if name == "loss":
            loss = mlm_loss(result)
            if loss is None:
                return "(no masked word to score: mask a word of the sentence)"
            total, terms = loss
            sums = " + ".join(f"log {p:.3g}" for _t, p in terms)
            return f"−({sums}) = {total:.2f}"
        if n > len(result.predictions) or not result.predictions[n - 1].predictions:
            return "(no guess)"
        best = result.predictions[n - 1].predictions[0]
        return best.display if name == "guess" else f"{best.probability:.1%}"

    return LIVE.sub(value, body)
