"""The one bridge between the window and the model.

The controller owns the current input (sentence, pair, masks, k) and the current model. Every change of
input becomes a frozen request with a new id, run on a single worker thread; a result is emitted only if
its id is still the latest, so stale work never reaches the panels. Worker exceptions come back as an
``error`` signal carrying a message. The GUI thread never waits on the model.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import logging
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QTimer, Signal, Slot

from bertviz_app.analysis import tasks as _tasks
from bertviz_app.analysis.inference import InferenceInput, insert_word, run_inference, shift_spans, toggled_spans
from bertviz_app.analysis.numeric.slicing import within_slice
from bertviz_app.analysis.tasks import Task
from bertviz_app.engine.errors import EngineError

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120
# An analysis's steps run back to back in one worker job until this much time has passed or another job is
# waiting (an inference, say): a quick analysis finishes in one job instead of one round trip through the GUI
# thread per step, which waits behind the GUI's painting; a long one still reports progress this often.
SLICE_SECONDS = 0.1
MAX_TOP_K = 50


@dataclass(frozen=True)
class ModelSummary:
    """What the window shows about the loaded model (plain data, no tensors)."""

    name: str
    path: str
    source: str
    layers: int
    heads: int
    hidden_size: int
    vocab_size: int
    max_length: int
    has_mlm_head: bool
    parameters: int
    load_seconds: float
    device: str
    card: str = ""  # the model card (Markdown) found in the model's folder, if any
    dtype: str = "float32"  # float16 on a GPU where that keeps the results (engine/device.py)
    device_label: str = "CPU"  # for the status bar: "CPU", "CUDA fp16", ...
    device_note: str = ""  # why the model is not where the Device menu asked for, if it is not
    devices: tuple[tuple[str, str], ...] = (("cpu", "CPU"),)  # (device, menu label) of this machine
    segment_embeddings: bool = True  # sentence A / B reach the model as token types (not in DistilBERT, RoBERTa, ...)
    family: str = "BERT"
    fine_tuned: bool = False  # the views run on an in-memory fine-tuned copy of this model (Controller.use_model)
    task: str = ""  # a classification head's: "sequence" or "token" (analysis/classify.py), "" without one
    labels: tuple[str, ...] = ()  # its labels, in id order


CARD_FILES = ("MODEL_CARD.md", "README.md")
CARD_MAX_BYTES = 200_000


@dataclass(frozen=True)
class CacheListing:
    """What Model ▸ Get a model… shows of this computer: the cache's models (discovery.CacheEntry each)."""

    entries: tuple
    offline: bool  # downloads are switched off (HF_HUB_OFFLINE)
    models: tuple[tuple[str, str], ...] = ()  # (name, source) of every model --model opens: the Model menu


def _read_card(folder: str) -> str:
    for name in CARD_FILES:
        path = Path(folder) / name
        if path.is_file():
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read(CARD_MAX_BYTES)
    return ""


class AnalysisRun(QObject):
    """One run of an analysis: what `Controller.start` returns. Its signals arrive on the GUI thread, only while
    it is the live run of its task (a newer run, a change of input or of model cancels it: `cancelled`).
    `payload` is the task's typed result once `ready` has been emitted."""

    progress = Signal(int, int)  # steps done, steps in all
    partial = Signal(object)  # what a step yielded besides its progress, e.g. a training step's loss (see Task)
    ready = Signal(object)  # the payload, an instance of task.payload
    failed = Signal(str)  # a message
    cancelled = Signal()

    def __init__(self, controller: Controller, task: Task, run_id: int, follows_input: bool):
        super().__init__()  # no Qt parent: a run lives as long as the controller or a view holds it
        self.task, self.id, self.follows_input = task, run_id, follows_input
        self.payload = None
        self.finished = False  # ready, failed or cancelled
        self._controller = controller

    @property
    def kind(self) -> str:
        return self.task.name

    @property
    def running(self) -> bool:
        return not self.finished

    def cancel(self) -> None:
        """Stop between two steps; `cancelled` is emitted at once. Nothing if it has finished."""
        if self._controller._runs.get(self.kind) is self:
            self._controller.cancel_analysis(self.kind)


@dataclass(frozen=True)
class _Load:
    id: int
    name: str
    cancel: threading.Event  # set when nobody waits for this load any more


@dataclass(frozen=True)
class _Done:
    kind: str  # "result", "model", "model_error", "error", "custom"
    request_id: int
    payload: object
    then: tuple = ()  # what the analyses that follow results did in the same job (_Done each)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, EngineError):
        return str(exc)
    log.error("unexpected error on the worker:\n%s", "".join(traceback.format_exception(exc)))
    return f"unexpected error: {type(exc).__name__}: {exc}"


class Controller(QObject):
    result_ready = Signal(object)  # InferenceResult
    error = Signal(str)  # a problem with the current input (e.g. empty sentence)
    model_loading = Signal(str)  # name of the model being loaded
    model_loaded = Signal(object)  # ModelSummary
    model_load_failed = Signal(str)  # message; the previous model stays loaded
    model_load_cancelled = Signal(str)  # name of the model whose load was cancelled; the previous one stays
    input_changed = Signal(object)  # InferenceInput: the current input, after any change
    busy_changed = Signal(bool)
    download_progress = Signal(object, object)  # done bytes, total bytes (Python ints: files exceed 2**31)
    download_finished = Signal(str)  # model name; loading it follows
    download_failed = Signal(str)  # message (no network, cancelled, ...)
    cache_scanned = Signal(object)  # CacheListing: what the Hugging Face cache holds, and whether we are offline
    download_offered = Signal(str)  # a Hub id worth downloading now (the first start, with the network there)
    device_changed = Signal(object)  # ModelSummary: the model moved (Model ▸ Device)
    weights_changed = Signal(object)  # ModelSummary: the views run on other weights of the same model (use_model)
    # Every run's signals, with its task's name first (a view listens to its own AnalysisRun instead).
    analysis_progress = Signal(str, int, int)  # kind, steps done, steps in all
    analysis_ready = Signal(str, object)  # kind, payload (plain data)
    analysis_failed = Signal(str, str)  # kind, message
    analysis_cancelled = Signal(str)  # kind: cancelled by the user, a change of input or of model
    _done = Signal(object)  # _Done, emitted on the worker thread, delivered on the GUI thread
    _side = Signal(object)  # (signal, value) from the disk-and-network thread, emitted on the GUI thread

    def __init__(self, parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bert-worker")
        self._ids = itertools.count(1)
        self._latest_id = 0  # id of the newest inference request: older ones are stale
        self._pending = 0  # jobs submitted and not yet delivered
        self.slice_seconds = SLICE_SECONDS
        self._lock = threading.Lock()
        self._model = None  # LoadedModel; only touched on the worker, referenced here to pass along
        self._loaded = None  # the LoadedModel as loaded, while _model may be a fine-tuned copy of it (use_model)
        self._summary: ModelSummary | None = None
        self._input = InferenceInput(text="", top_k=MAX_TOP_K)  # panels show any k <= 50 without re-running
        self._result = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.request_inference)
        self._done.connect(self._deliver)
        self._load: _Load | None = None  # the model load under way, on a thread of its own
        # Downloads get their own thread: minutes of network must not hold up inference.
        self._downloads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bert-download")
        self._cancel_download: threading.Event | None = None
        self.hub_options: dict = {}  # endpoint, cache_dir: for tests with a local stand-in for the Hub
        self.device_preference = "auto"  # engine/device.py: a GPU for models above 100M parameters
        # Cache listings and network checks: quick, but never on the GUI thread, and not behind a download.
        self._side_jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bert-disk")
        self._closed = False  # after shutdown(): signals still arriving start nothing (see shutdown)
        self._side_pending = 0
        self._side.connect(self._deliver_side)
        self._runs: dict[str, AnalysisRun] = {}  # task name -> its live run
        self._followers: dict[str, tuple] = {}  # task name -> (Task, params_for, started): see follow_results

    # ---- state the window reads -------------------------------------------------------------------
    @property
    def current_input(self) -> InferenceInput:
        return self._input

    @property
    def current_result(self):
        return self._result

    @property
    def model_summary(self) -> ModelSummary | None:
        return self._summary

    @property
    def busy(self) -> bool:
        return self._pending > 0

    # Vocabulary look-ups: the tokenizer is plain Rust code behind the GIL, quick enough for the GUI thread.
    def token_id(self, word: str) -> list[int]:
        """The ids of `word` for the loaded model, without [CLS]/[SEP]: one id for a vocabulary entry typed as it
        stands ("##ing", "Ġparis", "[MASK]") or for a word that is one entry mid-sentence ("paris" is "Ġparis"
        for RoBERTa), else the pieces the tokenizer makes. [] with no model or word."""
        lm = self._model
        return [] if lm is None else lm.tokenizer.lookup(word)

    def token_strings(self, ids) -> list[str]:
        """Vocabulary entries of the loaded model for `ids` (the unknown token for ids outside it; [] with no
        model): the tokenizer's own strings, as exports write them."""
        lm = self._model
        return [] if lm is None else [lm.tokenizer.id_to_token(int(i)) for i in ids]

    def token_displays(self, ids, encoding=None, at: int | None = None) -> list[str]:
        """The same entries readably ("Ġparis" -> "paris", "▁ca" -> "ca"), for a table or list to show; with an
        encoding and a position `at` in it, as guesses for that token ("##ing" where it would join the word
        before, "␣paris" where it brings a space the text has not there)."""
        lm = self._model
        if lm is None:
            return []
        tok = lm.tokenizer
        tokens = [tok.id_to_token(int(i)) for i in ids]
        if encoding is None or at is None or not 0 <= at < len(encoding):
            return [tok.display(t) for t in tokens]
        return [tok.display_prediction(t, encoding, at) for t in tokens]

    # ---- user intent --------------------------------------------------------------------------------
    def set_text(self, text: str, text_b: str | None = None, *, immediate: bool = False) -> None:
        """The sentence (and optional pair) changed; masks move with the edit."""
        old = self._input
        spans = shift_spans(old.text, text, old.masked_spans, 0)
        spans = shift_spans(old.text_b or "", text_b or "", spans, 1)
        if not text_b:
            spans = tuple(s for s in spans if s[0] == 0)
        self._update(replace(old, text=text, text_b=text_b or None, masked_spans=spans), immediate)

    def toggle_mask(self, position: int) -> None:
        """Mask the token at `position` of the current result, or unmask it if it is masked."""
        result = self._result
        if result is None:
            return
        # Structural tokens cannot be masked; a typed [MASK] is changed by editing the text (None for both).
        spans = toggled_spans(result.encoding, self._input.masked_spans, position, self._input.whole_word)
        if spans is not None:
            self._update(replace(self._input, masked_spans=spans), immediate=True)

    def set_input(self, text: str, text_b: str | None = None, *, masked_spans=(), whole_word=False, knocked_out=()):
        """The whole input at once, as a lesson step or a workspace sets it: one change, one inference."""
        new = replace(
            self._input,
            text=text,
            text_b=text_b or None,
            masked_spans=tuple(tuple(s) for s in masked_spans),
            whole_word=bool(whole_word),
            knocked_out=frozenset(tuple(h) for h in knocked_out),
        )
        self._update(new, immediate=True)

    def clear_masks(self) -> None:
        self._update(replace(self._input, masked_spans=()), immediate=True)

    def toggle_head(self, layer: int, head: int) -> None:
        """Knock the head out (zero its output) or switch it back on; everything re-runs with it."""
        s = self._summary
        if s is None or not (0 <= layer < s.layers and 0 <= head < s.heads):
            return
        self.set_knocked_out(self._input.knocked_out ^ {(layer, head)})

    def set_knocked_out(self, heads) -> None:
        self._update(replace(self._input, knocked_out=frozenset(heads)), immediate=True)

    def clear_knockouts(self) -> None:
        self.set_knocked_out(frozenset())

    def set_whole_word(self, on: bool) -> None:
        self._update(replace(self._input, whole_word=bool(on)), immediate=True)

    def replace_token(self, position: int, word: str) -> None:
        """Put `word` into the text where the token at `position` stands (e.g. a chosen prediction)."""
        result, lm = self._result, self._model
        if result is None or lm is None or not 0 <= position < len(result.tokens) or result.encoding.special[position]:
            return
        enc = result.encoding
        segment = enc.segments[position]
        start, end = enc.offsets[position]
        piece = lm.tokenizer.piece(word)  # "##ing", "Ġparis", "▁paris": the text it spells, and its spacing
        inp = self._input
        spans = tuple(s for s in inp.masked_spans if not (s[0] == segment and s[1] < end and start < s[2]))
        if segment == 0:
            text = insert_word(inp.text, start, end, piece, enc.starts_word[position])
            spans = shift_spans(inp.text, text, spans, 0)
            new = replace(inp, text=text, masked_spans=spans)
        else:
            text_b = insert_word(inp.text_b or "", start, end, piece, enc.starts_word[position])
            spans = shift_spans(inp.text_b or "", text_b, spans, 1)
            new = replace(inp, text_b=text_b, masked_spans=spans)
        self._update(new, immediate=True)

    def _update(self, new: InferenceInput, immediate: bool) -> None:
        if new == self._input:
            return
        self._input = new
        for kind, run in list(self._runs.items()):
            if run.follows_input:
                self.cancel_analysis(kind)
        self.input_changed.emit(new)
        if immediate:
            self._debounce.stop()
            self.request_inference()
        else:
            self._debounce.start()

    # ---- work on the worker -------------------------------------------------------------------------
    @Slot()
    def request_inference(self) -> int:
        """Send the current input to the worker now. Returns the request id (0 if nothing to run)."""
        self._debounce.stop()
        if self._closed:
            return 0
        if self._model is None or not self._input.text.strip():
            if not self._input.text.strip() and self._model is not None:
                self.error.emit(
                    QCoreApplication.translate("Controller", "Type a sentence to see what BERT makes of it.")
                )
            return 0
        request_id = next(self._ids)
        self._latest_id = request_id
        model, inp = self._model, self._input
        followers = []  # (kind, run id, params_for, its first step)
        for task, params_for, started in list(self._followers.values()):
            run, step = self._new_run(task, True, model, inp)
            followers.append((task.name, run.id, params_for, step))
            if started is not None:
                started(run)

        def job():
            if request_id != self._latest_id:  # a newer request arrived while this one waited
                return _Done("stale", request_id, None)  # (and replaced this one's followers)
            try:
                result = run_inference(model, inp)
                _check_finite(result)
            except Exception as exc:
                then = tuple(_Done("analysis_skip", run_id, (kind,)) for kind, run_id, _p, _s in followers)
                return _Done("error", request_id, _describe(exc), then)
            then = []
            for kind, run_id, params_for, step in followers:
                try:
                    params = params_for(result)
                except Exception as exc:  # a bug in a follower must not cost the result
                    then.append(_Done("analysis_error", run_id, (kind, _describe(exc))))
                    continue
                skip = _Done("analysis_skip", run_id, (kind,))
                then.append(skip if params is None else step(result=result, **params))
            return _Done("result", request_id, result, tuple(then))

        self._submit(job)
        return request_id

    def load_model(self, spec="default", timeout_s: float | None = None) -> None:
        """Load a model (a name, a folder, or a ModelInfo); the current one keeps answering until the new one is
        ready.

        A load runs on a thread of its own, never on the worker: a load that takes for ever (a slow disk, a huge
        folder) cannot hold up inference, and a Python thread cannot be killed, so a load that is cancelled
        (`cancel_load`), times out (`timeout_s`, then `model_load_failed`) or is replaced by a newer one is
        abandoned: it is told to stop at its next step, and whatever it returns later is dropped.
        """
        if self._closed:
            return
        self._abandon_load()
        name = str(getattr(spec, "name", None) or spec or "default")
        load = _Load(next(self._ids), name, threading.Event())
        self._load = load
        with self._lock:
            self._pending += 1
            if self._pending == 1:
                self.busy_changed.emit(True)
        self.model_loading.emit(name)
        preference = self.device_preference
        if timeout_s is not None:
            QTimer.singleShot(int(timeout_s * 1000), self, lambda: self._load_timed_out(load, timeout_s))

        def run():
            from bertviz_app.engine.loader import load_folder, load_model

            try:
                lm = load_folder(spec.path, spec) if hasattr(spec, "path") else load_model(spec)
                if load.cancel.is_set():
                    return  # abandoned: nobody waits for it, and the warm-up would only cost time
                _place(lm, preference)  # CPU, or a GPU (Model ▸ Device)
                # torch's first forward pays one-off set-up costs (~0.5 s); pay them here, not on the
                # user's first keystroke.
                run_inference(lm, InferenceInput("warm up [MASK] .", top_k=1))
                done = _Done("model", load.id, lm)
            except Exception as exc:
                message = QCoreApplication.translate("Controller", "Could not open {name}: {reason}").format(
                    name=name, reason=_describe(exc)
                )
                done = _Done("model_error", load.id, message)
            if not load.cancel.is_set():
                self._done.emit(done)

        threading.Thread(target=run, name="bert-load", daemon=True).start()  # daemon: closing never waits on it

    @property
    def loading(self) -> str | None:
        """The name of the model being loaded, or None."""
        return self._load.name if self._load is not None else None

    def cancel_load(self) -> None:
        """Stop waiting for the model being loaded (`model_load_cancelled` says so); the current one stays."""
        name = self._abandon_load()
        if name is not None:
            self.model_load_cancelled.emit(name)

    def _abandon_load(self) -> str | None:
        load, self._load = self._load, None
        if load is None:
            return None
        load.cancel.set()
        with self._lock:
            self._pending -= 1
            idle = self._pending == 0
        if idle:
            self.busy_changed.emit(False)
        return load.name

    def _load_timed_out(self, load: _Load, timeout_s: float) -> None:
        if self._load is load:
            self._abandon_load()
            message = QCoreApplication.translate(
                "Controller", "Could not open {name}: it did not finish loading within {seconds:g} s"
            )
            self.model_load_failed.emit(message.format(name=load.name, seconds=timeout_s))

    def download_model(self, repo_id: str, **hub_options) -> None:
        """Download a model from the Hugging Face Hub into the standard cache, then load it.

        Progress arrives as `download_progress`; `cancel_download()` stops it (what arrived is kept, and the
        next download of the same model continues from there). `hub_options` (endpoint, cache_dir) default
        to `self.hub_options`, which tests point at a local stand-in for the Hub.
        """
        if self._closed:
            return
        if self._cancel_download is not None:
            self.download_failed.emit(QCoreApplication.translate("Controller", "A download is already running."))
            return
        cancel = self._cancel_download = threading.Event()
        options = {**self.hub_options, **hub_options}

        def job():
            from bertviz_app.engine.hub import download_model

            try:
                info = download_model(repo_id, progress=self.download_progress.emit, cancel=cancel, **options)
                return _Done("downloaded", 0, info)
            except Exception as exc:
                return _Done("download_error", 0, _describe(exc))

        future = self._downloads.submit(job)
        future.add_done_callback(lambda f: self._done.emit(f.result()))

    def cancel_download(self) -> None:
        if self._cancel_download is not None:
            self._cancel_download.set()

    def set_device(self, preference: str) -> None:
        """Run the model on `preference` ("auto", "cpu", "cuda", "mps", ...: Model ▸ Device) from now on.
        The loaded model moves on the worker; `device_changed(summary)` follows, and the input runs again."""
        self.device_preference = preference
        lm = self._model
        if lm is None:
            return

        def job():
            try:
                _place(lm, preference)
                return _Done("placed", 0, lm)
            except Exception as exc:
                message = QCoreApplication.translate("Controller", "Could not move the model: {reason}").format(
                    reason=_describe(exc)
                )
                return _Done("error", 0, message)

        self._submit(job)

    @property
    def catalog(self) -> tuple:
        """The curated models of Model ▸ Get a model… (engine/catalog.py: plain data)."""
        from bertviz_app.engine.catalog import CATALOG

        return CATALOG

    @property
    def supported_families(self) -> tuple[str, ...]:
        """The model types (config.json's model_type) this app opens."""
        from bertviz_app.engine.files import supported_model_types

        return supported_model_types()

    def scan_cache(self) -> None:
        """List the Hugging Face cache off the GUI thread; the answer arrives as `cache_scanned`."""
        self._on_side_thread(self._cache_listing, self.cache_scanned)

    def discard_partial(self, repo_id: str) -> None:
        """Forget what an interrupted download of `repo_id` kept; a new listing follows (`cache_scanned`)."""

        def job():
            from bertviz_app.engine.hub import discard_partial

            discard_partial(repo_id, self.hub_options.get("cache_dir"))
            return self._cache_listing()

        self._on_side_thread(job, self.cache_scanned)

    def offer_download(self, repo_id: str) -> None:
        """Emit `download_offered(repo_id)` if the Hub can be reached now and the model is not in the cache yet.
        Offline, or when the Hub does not answer within seconds, nothing happens."""

        def job():
            from bertviz_app.engine import hub
            from bertviz_app.engine.discovery import cached_models

            cache = self.hub_options.get("cache_dir")
            if hub.offline() or any(m.name == repo_id for m in cached_models(cache)):
                return None
            return repo_id if hub.reachable(repo_id, endpoint=self.hub_options.get("endpoint")) else None

        self._on_side_thread(job, self.download_offered)

    def _cache_listing(self) -> CacheListing:
        from bertviz_app.engine import hub
        from bertviz_app.engine.discovery import available_models, cache_entries

        cache = self.hub_options.get("cache_dir")
        entries = tuple(cache_entries(Path(cache) if cache else None))
        try:
            models = tuple((m.name, m.source) for m in available_models())
        except Exception as exc:  # a broken listing must not cost the rest
            log.warning("could not list the models: %s", exc)
            models = ()
        return CacheListing(entries, hub.offline(), models)

    def _on_side_thread(self, fn, signal) -> None:
        if self._closed:
            return
        self._side_pending += 1

        def job():
            try:
                value = fn()
            except Exception as exc:  # a listing that fails is logged and answered with nothing
                log.warning("%s failed: %s", getattr(fn, "__name__", "a cache job"), _describe(exc))
                value = None
            self._side.emit((signal, value))

        self._side_jobs.submit(job)

    @Slot(object)
    def _deliver_side(self, item) -> None:
        self._side_pending -= 1
        signal, value = item
        if value is not None:
            signal.emit(value)

    @property
    def downloading(self) -> bool:
        return self._cancel_download is not None

    def task(self, task: Task | str) -> Task:
        """The Task itself, or the one of that name in analysis/tasks.py (ValueError if there is none)."""
        if isinstance(task, Task):
            return task
        found = _tasks.TASKS.get(task)
        if found is None:
            raise ValueError(f"unknown analysis {task!r}")
        return found

    def start(self, task: Task | str, *, follows_input: bool = True, **params) -> AnalysisRun | None:
        """Run an analysis (a Task, or the name of one) on the current model and input; returns its run.

        A generator task's steps run in worker jobs of up to SLICE_SECONDS that end early when another job is
        waiting (an inference, say), so typing and inference stay live between steps. The run reports
        `progress` once per step, then `ready(payload)` or `failed(message)`; a newer run of the same task
        replaces it, and with `follows_input` a change of input cancels it (its answer would be about the old
        input). With no model loaded it returns None and `analysis_failed` says why.
        """
        task = self.task(task)
        if self._model is None:
            self.analysis_failed.emit(task.name, QCoreApplication.translate("Controller", "No model is loaded yet."))
            return None
        run, step = self._new_run(task, follows_input, self._model, self._input)
        self._submit(lambda: step(**params))
        return run

    start_analysis = start  # the older name

    def follow_results(self, task: Task | str, params_for, started=None) -> None:
        """Run an analysis after every new result, in the same worker job, so that its first answer arrives
        with the result (right after `result_ready`) and the window paints both at once.

        `params_for(result)` (called on the worker thread: plain data only) gives the task's parameters, or
        None to skip it for that result; the task also gets `result=`. `started(run)` is called with each new
        run, on the GUI thread, before it can report. A task that needs more than one slice continues as an
        ordinary run (progress, cancel); a change of input cancels it.
        """
        task = self.task(task)
        self._followers[task.name] = (task, params_for, started)

    def _new_run(self, task: Task, follows_input: bool, model, inp):
        """Register a new run of `task` (replacing any other) -> (the run, a function running its first slice
        of steps with the task's parameters, which returns a _Done)."""
        kind = task.name
        if kind in self._runs:
            self.cancel_analysis(kind)
        run = AnalysisRun(self, task, next(self._ids), follows_input)
        self._runs[kind] = run
        run_id = run.id
        state: dict = {}

        def current() -> bool:
            return self._runs.get(kind) is run

        def step(**params):
            if not current():
                return _Done("stale", run_id, None)
            progress = []  # the (done, total) of each step in this job
            try:
                if "steps" not in state:
                    out = task.run(model, inp, **params)
                    if not inspect.isgenerator(out):
                        _check_finite(out)
                        return _Done("analysis", run_id, (kind, progress, out))
                    state["steps"] = out
                steps = state["steps"]
                # Steps back to back until the slice is used up, another job waits, or the run was replaced.
                within_slice(
                    lambda: progress.append(next(steps)) or (self._pending <= 1 and current()), self.slice_seconds
                )
                return _Done("analysis_step", run_id, (kind, progress, step))
            except StopIteration as stop:
                try:
                    _check_finite(stop.value)
                except EngineError as exc:
                    return _Done("analysis_error", run_id, (kind, str(exc)))
                return _Done("analysis", run_id, (kind, progress, stop.value))
            except Exception as exc:
                return _Done("analysis_error", run_id, (kind, _describe(exc)))

        return run, step

    def use_model(self, lm=None) -> None:
        """Run every view on `lm`, an in-memory variant of the loaded model with its tokenizer and shape (the
        pretraining demo's fine-tuned copy, an analysis's payload handed back as it came), or with None on the
        loaded weights again. Not a load: the Model menu, the settings and the knocked-out heads stay; running
        analyses are cancelled (they are about the other weights), `weights_changed(summary)` says so, and the
        input runs again."""
        base = self._loaded
        lm = base if lm is None else lm
        if base is None or lm is self._model:
            return
        for kind in list(self._runs):
            self.cancel_analysis(kind)
        self._model = lm
        self._summary = replace(_summarize(lm), fine_tuned=lm is not base)
        self.weights_changed.emit(self._summary)
        if self._input.text.strip():
            self.request_inference()

    def cancel_analysis(self, kind: str) -> None:
        """Stop a running analysis between two of its steps; `cancelled` says so at once."""
        run = self._runs.pop(kind, None)
        if run is not None:
            run.finished = True
            run.cancelled.emit()
            self.analysis_cancelled.emit(kind)

    def analysis_running(self, kind: str) -> bool:
        return kind in self._runs

    def live_run(self, kind: str) -> AnalysisRun | None:
        """The run of the task `kind` now going, if any."""
        return self._runs.get(kind)

    def run_on_worker(self, fn) -> None:
        """Run `fn()` on the worker thread (queued behind earlier jobs). For tests and long analyses."""
        self._submit(lambda: _Done("custom", 0, fn()))

    def _submit(self, job) -> None:
        if self._closed:  # e.g. a model load or a debounce finishing while the window closes
            return
        with self._lock:
            self._pending += 1
            if self._pending == 1:
                self.busy_changed.emit(True)

        def run():
            try:
                done = job()
            except BaseException as exc:  # never let a job kill the worker silently
                done = _Done("error", 0, _describe(exc))
            self._done.emit(done)

        self._executor.submit(run)

    @Slot(object)
    def _deliver(self, done: _Done) -> None:
        if done.kind in ("downloaded", "download_error"):  # not counted as worker jobs
            idle = False
        elif done.kind in ("model", "model_error") and (self._load is None or self._load.id != done.request_id):
            return  # an abandoned load (cancelled, timed out, replaced): already counted off
        else:
            if done.kind in ("model", "model_error"):
                self._load = None
            with self._lock:
                self._pending -= 1
                idle = self._pending == 0
        if done.kind == "result" and done.request_id == self._latest_id:
            self._result = done.payload
            self.result_ready.emit(done.payload)
        elif done.kind == "error" and done.request_id in (0, self._latest_id):
            self.error.emit(done.payload)
        elif done.kind.startswith("analysis"):
            self._deliver_analysis(done)
        elif done.kind == "model":
            for kind in list(self._runs):
                self.cancel_analysis(kind)
            self._model = self._loaded = done.payload
            self._summary = _summarize(done.payload)
            if self._input.knocked_out:  # a head of the old model means nothing in the new one
                self._input = replace(self._input, knocked_out=frozenset())
                self.input_changed.emit(self._input)
            self.model_loaded.emit(self._summary)
            if self._input.text.strip():
                self.request_inference()
        elif done.kind == "placed" and done.payload is self._model:
            self._summary = replace(_summarize(done.payload), fine_tuned=done.payload is not self._loaded)
            self.device_changed.emit(self._summary)
            if self._input.text.strip():
                self.request_inference()
        elif done.kind == "model_error":
            self.model_load_failed.emit(done.payload)
        elif done.kind in ("downloaded", "download_error"):
            self._cancel_download = None
            if done.kind == "downloaded":
                self.download_finished.emit(done.payload.name)
                self.load_model(done.payload)
            else:
                self.download_failed.emit(done.payload)
        for followed in done.then:  # the analyses that follow results, after the result itself
            self._deliver_analysis(followed)
        if idle and self._pending == 0:
            self.busy_changed.emit(False)

    def _deliver_analysis(self, done: _Done) -> None:
        if done.kind == "stale":
            return
        kind = done.payload[0]
        run = self._runs.get(kind)
        if run is None or run.id != done.request_id:
            return  # cancelled or replaced meanwhile
        if done.kind == "analysis_skip":  # nothing to do for this result
            del self._runs[kind]
            run.finished = True
            return
        if done.kind in ("analysis_step", "analysis"):
            for steps_done, total, *partial in done.payload[1]:
                run.progress.emit(int(steps_done), int(total))
                self.analysis_progress.emit(kind, int(steps_done), int(total))
                if partial:
                    run.partial.emit(partial[0])
                if self._runs.get(kind) is not run:
                    return  # a progress handler cancelled it
        if done.kind == "analysis_step":
            self._submit(done.payload[2])  # the next steps queue behind whatever arrived meanwhile
            return
        del self._runs[kind]
        run.finished = True
        payload = done.payload[2] if done.kind == "analysis" else None
        if done.kind == "analysis" and not isinstance(payload, run.task.payload):
            done = _Done(
                "analysis_error",
                run.id,
                (kind, f"{kind} returned {type(payload).__name__}, not {run.task.payload.__name__}"),
            )
        if done.kind == "analysis":
            run.payload = payload
            run.ready.emit(payload)
            self.analysis_ready.emit(kind, payload)
        else:
            run.failed.emit(done.payload[1])
            self.analysis_failed.emit(kind, done.payload[1])

    # ---- lifecycle and tests ------------------------------------------------------------------------
    def wait_until_idle(self, timeout_ms: int = 30_000) -> bool:
        """Process events until no request is debouncing or running. For tests and the screenshot command."""
        deadline = QDeadlineTimer(timeout_ms)
        while self._debounce.isActive() or self._pending or self._cancel_download is not None or self._side_pending:
            if deadline.hasExpired():
                return False
            QCoreApplication.processEvents()
            time.sleep(0.002)
        QCoreApplication.processEvents()
        return True

    def shutdown(self) -> None:
        """Stop for good (the window is closing): queued work is dropped, and whatever a late signal would start
        (a load finishing, a keystroke's debounce, a cache listing) is not started."""
        self._closed = True
        self._debounce.stop()
        self._abandon_load()  # its thread is not waited for
        self._latest_id = -1  # anything still queued is stale now
        self._runs.clear()
        self.cancel_download()
        self._downloads.shutdown(wait=True, cancel_futures=True)
        self._side_jobs.shutdown(wait=True, cancel_futures=True)
        self._executor.shutdown(wait=True, cancel_futures=True)


NON_FINITE = (
    "the model computed non-finite values (NaN or infinity) for this input: its weights overflow, so there is "
    "nothing meaningful to show"
)


def _check_finite(payload, depth: int = 0) -> None:
    """Raise an EngineError if a result or an analysis's payload holds NaN or an infinity anywhere (arrays,
    numbers, and the dataclasses, tuples, lists and dicts around them): no view ever paints one."""
    if depth > 6 or payload is None or isinstance(payload, str | bool | int):
        return
    if isinstance(payload, np.ndarray):
        if payload.dtype.kind in "fc" and not np.isfinite(payload).all():
            raise EngineError(NON_FINITE)
    elif isinstance(payload, float | np.floating):
        if not np.isfinite(payload):
            raise EngineError(NON_FINITE)
    elif isinstance(payload, tuple | list):
        for item in payload:
            _check_finite(item, depth + 1)
    elif isinstance(payload, dict):
        for item in payload.values():
            _check_finite(item, depth + 1)
    elif dataclasses.is_dataclass(payload):
        for f in dataclasses.fields(payload):
            _check_finite(getattr(payload, f.name), depth + 1)


def _summarize(lm) -> ModelSummary:
    cfg = lm.config
    placement = getattr(lm.model, "placement", None)
    return ModelSummary(
        name=lm.name,
        path=str(lm.info.path),
        source=lm.info.source,
        layers=cfg.num_hidden_layers,
        heads=cfg.num_attention_heads,
        hidden_size=cfg.hidden_size,
        vocab_size=cfg.vocab_size,
        max_length=lm.max_length,
        has_mlm_head=lm.has_mlm_head,
        parameters=sum(p.numel() for p in lm.model.parameters()),
        load_seconds=lm.load_seconds,
        device=str(next(lm.model.parameters()).device),
        card=_read_card(str(lm.info.path)),
        dtype=str(next(lm.model.parameters()).dtype).replace("torch.", ""),
        device_label=placement.label if placement else "CPU",
        device_note=placement.note if placement else "",
        devices=getattr(lm.model, "devices", (("cpu", "CPU"),)),
        segment_embeddings=cfg.has_token_types and cfg.type_vocab_size > 1,
        family=cfg.family.name,
        task=lm.task,
        labels=lm.labels,
    )


def _place(lm, preference: str) -> None:
    """Move `lm` to the device `preference` asks for (on the worker); what it got is kept on the model."""
    from bertviz_app.engine import device

    devices = device.available_devices()
    lm.model.placement = device.place(lm, preference, devices)
    lm.model.devices = tuple((d, device.describe(d)) for d in devices)
