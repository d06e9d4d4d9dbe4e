"""Downloading a BERT from the Hugging Face Hub: byte progress, cancellation, and a clean cache on failure.

No Qt here. How it uses huggingface_hub (2.x):

* The file list and the commit come from one ``model_info(files_metadata=True)`` call, with a short timeout, so
  a machine without a network fails in seconds and the total size is known before the first byte arrives.
* Files are fetched one at a time with ``hf_hub_download(revision=<commit>)``, which keeps the standard cache
  layout (``models--org--name/blobs`` + ``snapshots/<commit>/``) that ``cached_models()`` reads. Only the files
  in ``HUB_ALLOW_PATTERNS`` at the top of the repository are fetched: no code, no other frameworks' weights.
* Byte progress and cancellation ride on ``tqdm_class``: huggingface_hub calls ``update(len(chunk))`` from its
  read loop (``http_get``), in the calling thread, so raising ``DownloadCancelled`` there stops the transfer
  at once; huggingface_hub then deletes its temporary file.
* While one of our downloads runs, two huggingface_hub settings are changed process-wide (and restored after):
  Xet is switched off (``HF_HUB_DISABLE_XET``), because a Xet transfer reports progress from a thread of its
  own and swallows exceptions raised there, so it could not be cancelled; plain HTTP is what every browser
  gets from the Hub. And ``DOWNLOAD_CHUNK_SIZE`` drops from 10 MiB to 256 KiB, because the read loop buffers a
  whole chunk before reporting it: on a slow line 10 MiB means many seconds without progress or cancellation.
* A download that fails or is cancelled is rolled back: the snapshot entries and blobs it added are deleted
  (the whole ``models--org--name`` folder when it did not exist before), and ``refs/main`` is only written once
  every file is in place, so ``cached_models()`` never lists a half-downloaded model.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bertviz_app.engine.discovery import HUB_ALLOW_PATTERNS, ModelInfo, _is_bert_folder, hf_hub_cache
from bertviz_app.engine.errors import DownloadCancelled, ModelNotFoundError

REVISION = "main"
# Seconds to connect to, or hear back from, the Hub before calling the network down. File bodies then use
# huggingface_hub's own read timeout (HF_HUB_DOWNLOAD_TIMEOUT, 10 s) and its retries.
METADATA_TIMEOUT_S = 10.0
# Bytes read between two progress reports (and cancellation checks).
CHUNK_SIZE = 256 * 1024
_TRUE = {"1", "ON", "YES", "TRUE"}

Progress = Callable[[int, int], None]


def download_model(
    repo_id: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike | None = None,
    endpoint: str | None = None,
) -> ModelInfo:
    """Download a BERT from the Hugging Face Hub into the standard cache (weights and tokenizer only).

    ``progress(done_bytes, total_bytes)`` is called from this thread as bytes arrive (all files together; done
    never decreases and ends at the total). Setting ``cancel`` stops the download at the next chunk (256 KiB)
    and raises DownloadCancelled. Raises ModelNotFoundError, with a one-line message, when there is no network
    (at once in offline mode), the model does not exist or is not a BERT, or huggingface_hub is missing.
    Either way a download that does not finish leaves nothing in the cache.
    """
    try:
        import huggingface_hub  # noqa: F401
    except ImportError:
        raise ModelNotFoundError(
            "downloading needs the huggingface_hub package (pip install huggingface_hub)"
        ) from None
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        raise ModelNotFoundError(
            f"cannot download {repo_id!r}: not a model name on the Hugging Face Hub "
            "(expected organization/name, e.g. google-bert/bert-base-uncased)"
        ) from None
    if _offline():
        raise ModelNotFoundError(
            f"cannot download {repo_id}: no network connection to the Hugging Face Hub "
            "(offline mode is on: unset HF_HUB_OFFLINE to download)"
        )
    cancel = cancel or threading.Event()
    tracker = _Tracker(repo_id, progress, cancel)
    tracker.check()
    cache = Path(cache_dir).expanduser() if cache_dir else hf_hub_cache()
    guard = _CacheGuard(cache, repo_id)
    try:
        with _cancellable_http_downloads():
            return _download(repo_id, tracker, cache, endpoint)
    except (DownloadCancelled, ModelNotFoundError):
        guard.rollback()
        raise
    except Exception as exc:
        guard.rollback()
        message = _explain(repo_id, exc, endpoint)
        if message is None:
            raise
        raise ModelNotFoundError(message) from exc
    except BaseException:  # KeyboardInterrupt and the like: still leave no half-written snapshot
        guard.rollback()
        raise


def _download(repo_id: str, tracker: _Tracker, cache: Path, endpoint: str | None) -> ModelInfo:
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.file_download import repo_folder_name
    from huggingface_hub.utils import filter_repo_objects

    info = HfApi(endpoint=endpoint).model_info(
        repo_id, revision=REVISION, files_metadata=True, timeout=METADATA_TIMEOUT_S
    )
    tracker.check()
    commit = info.sha
    if not commit:
        raise ModelNotFoundError(f"cannot download {repo_id}: the Hub did not say which commit to fetch")
    sizes = {s.rfilename: s.size for s in info.siblings or []}
    # Top-level files only: a BERT keeps its files there; sub-folders hold ONNX, Core ML and other exports.
    wanted = [n for n in filter_repo_objects(list(sizes), allow_patterns=HUB_ALLOW_PATTERNS) if "/" not in n]
    _check_files(repo_id, wanted)
    # config.json first (to refuse a non-BERT before fetching its weights), the weights last, biggest last.
    wanted.sort(key=lambda n: (n != "config.json", n.endswith(".safetensors"), sizes.get(n) or 0, n))
    tracker.total = sum(sizes.get(n) or 0 for n in wanted)
    tracker.report()

    for name in wanted:
        tracker.check()
        tracker.start_file(sizes.get(name))
        path = hf_hub_download(
            repo_id,
            name,
            revision=commit,
            cache_dir=cache,
            endpoint=endpoint,
            etag_timeout=METADATA_TIMEOUT_S,
            tqdm_class=functools.partial(_FileBar, tracker),  # type: ignore[arg-type]
        )
        tracker.finish_file(os.path.getsize(path))
        if name == "config.json":
            _check_is_bert(repo_id, Path(path))

    repo_dir = cache / repo_folder_name(repo_id=repo_id, repo_type="model")
    snapshot = repo_dir / "snapshots" / commit
    if not _is_bert_folder(snapshot):
        raise ModelNotFoundError(f"{repo_id} was downloaded but is not a BERT model with weights we can read")
    _write_ref(repo_dir, REVISION, commit)  # last: until now the cache did not point at this snapshot
    tracker.finish()
    return ModelInfo(repo_id, snapshot, "cache")


def _check_files(repo_id: str, files: list[str]) -> None:
    if "config.json" not in files:
        raise ModelNotFoundError(f"cannot download {repo_id}: it has no config.json, so it is not a model we can open")
    if not any(n.endswith(".safetensors") for n in files):
        raise ModelNotFoundError(
            f"cannot download {repo_id}: it has no weights in safetensors format "
            "(this app does not download pytorch_model.bin or other frameworks' weights)"
        )
    if "vocab.txt" not in files and "tokenizer.json" not in files:
        raise ModelNotFoundError(f"cannot download {repo_id}: it has no tokenizer (vocab.txt or tokenizer.json)")


def _check_is_bert(repo_id: str, config_path: Path) -> None:
    try:
        model_type = json.loads(config_path.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        raise ModelNotFoundError(f"cannot download {repo_id}: its config.json cannot be read") from None
    if model_type != "bert":
        raise ModelNotFoundError(
            f"cannot download {repo_id}: it is a {model_type or 'unknown'} model, not a BERT (model_type 'bert')"
        )


def _offline() -> bool:
    """Offline mode, as the environment says now or as huggingface_hub read it when it was imported."""
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return env.strip().upper() in _TRUE or bool(constants.HF_HUB_OFFLINE)


def _explain(repo_id: str, exc: Exception, endpoint: str | None) -> str | None:
    """A one-line message for what huggingface_hub or the network raised; None for anything else (a bug)."""
    import httpx2
    from huggingface_hub import constants
    from huggingface_hub import errors as hf

    def first_line(e: BaseException) -> str:
        return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__

    host = urlsplit(endpoint or constants.ENDPOINT).netloc or "the Hub"
    if isinstance(exc, hf.OfflineModeIsEnabled):
        return (
            f"cannot download {repo_id}: no network connection to the Hugging Face Hub "
            "(offline mode is on: unset HF_HUB_OFFLINE to download)"
        )
    if isinstance(exc, (httpx2.TransportError, hf.LocalEntryNotFoundError)):
        return (
            f"cannot download {repo_id}: no network connection to the Hugging Face Hub "
            f"({host} cannot be reached: {first_line(exc.__cause__ or exc)}); "
            "check the internet connection and try again"
        )
    if isinstance(exc, hf.GatedRepoError):
        return (
            f"cannot download {repo_id}: the model is gated; accept its terms on the Hugging Face Hub and log in "
            "(hf auth login), then try again"
        )
    if isinstance(exc, hf.RepositoryNotFoundError):
        return (
            f"cannot download {repo_id}: there is no such model on the Hugging Face Hub "
            "(check the name; a private model needs you to log in: hf auth login)"
        )
    if isinstance(exc, (hf.HfHubHTTPError, hf.HFValidationError, OSError)):  # HTTP errors, disk full ...
        return f"cannot download {repo_id}: {first_line(exc)}"
    return None


class _Tracker:
    """Adds up the bytes of every file, reports them, and raises DownloadCancelled once cancel is set."""

    def __init__(self, repo_id: str, progress: Progress | None, cancel: threading.Event):
        self.repo_id = repo_id
        self.progress = progress
        self.cancel = cancel
        self.total = 0
        self.finished = 0  # bytes of the files already in the cache
        self.current = 0  # bytes of the file in flight
        self.current_size: int | None = None
        self.reported = -1  # done bytes last reported
        self.reported_total = -1

    def check(self) -> None:
        if self.cancel.is_set():
            raise DownloadCancelled(f"the download of {self.repo_id} was cancelled")

    def report(self) -> None:
        done = max(self.reported, min(self.finished + self.current, self.total))
        if self.progress is not None and (done, self.total) != (self.reported, self.reported_total):
            self.progress(done, self.total)
        self.reported, self.reported_total = done, self.total

    def start_file(self, size: int | None) -> None:
        self.current, self.current_size = 0, size

    def file_size_known(self, size: int | None) -> None:
        if self.current_size is None and size:  # the file list gave no size: count it now
            self.current_size = size
            self.total += size

    def advance(self, n: int) -> None:
        self.check()
        self.current += n  # negative when huggingface_hub restarts a file; report() keeps done from going back
        self.report()
        self.check()  # the progress callback may have asked to stop

    def finish_file(self, size: int) -> None:
        self.total += size - (self.current_size or 0)  # trust the file on disk over the listing
        self.finished += size
        self.current, self.current_size = 0, None
        self.report()

    def finish(self) -> None:
        self.total = max(self.finished, self.reported)  # on disk now; normally what the file list said
        self.report()


class _FileBar:
    """The 'progress bar' huggingface_hub's http_get opens for one file (it calls ``tqdm_class(**kwargs)``)."""

    def __init__(self, tracker: _Tracker, total: int | None = None, **_):
        self.tracker = tracker
        tracker.file_size_known(total)
        tracker.check()

    def update(self, n: int | float | None = 1) -> None:
        self.tracker.advance(int(n or 0))

    def set_postfix_str(self, *_, **__) -> None:
        pass

    def refresh(self, *_, **__) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _FileBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_settings_lock = threading.Lock()
_settings_users = 0
_saved_settings: dict[str, object] = {}


@contextlib.contextmanager
def _cancellable_http_downloads():
    """Plain HTTP (no Xet) in small chunks, while any of our downloads runs. See the module docstring."""
    global _settings_users
    from huggingface_hub import constants

    with _settings_lock:
        if _settings_users == 0:
            _saved_settings.update(
                HF_HUB_DISABLE_XET=constants.HF_HUB_DISABLE_XET, DOWNLOAD_CHUNK_SIZE=constants.DOWNLOAD_CHUNK_SIZE
            )
            constants.HF_HUB_DISABLE_XET = True
            constants.DOWNLOAD_CHUNK_SIZE = min(CHUNK_SIZE, constants.DOWNLOAD_CHUNK_SIZE)
        _settings_users += 1
    try:
        yield
    finally:
        with _settings_lock:
            _settings_users -= 1
            if _settings_users == 0:
                for name, value in _saved_settings.items():
                    setattr(constants, name, value)
                _saved_settings.clear()


class _CacheGuard:
    """Remembers what the cache held for one repository, to put it back if a download does not finish."""

    def __init__(self, cache: Path, repo_id: str):
        from huggingface_hub.file_download import repo_folder_name

        folder = repo_folder_name(repo_id=repo_id, repo_type="model")
        self.repo_dir = cache / folder
        self.locks_dir = cache / ".locks" / folder
        self.repo_existed = self.repo_dir.exists()
        self.locks_existed = self.locks_dir.exists()
        self.before = self._entries()

    def _entries(self) -> set[Path]:
        found = set()
        for sub in ("snapshots", "blobs"):
            for root, dirs, files in os.walk(self.repo_dir / sub):
                found.update(Path(root) / n for n in (*dirs, *files))
        return found

    def rollback(self) -> None:
        if not self.repo_existed:
            shutil.rmtree(self.repo_dir, ignore_errors=True)
            if not self.locks_existed:
                shutil.rmtree(self.locks_dir, ignore_errors=True)
            return
        added = sorted(self._entries() - self.before, key=lambda p: len(p.parts), reverse=True)
        for path in added:  # deepest first, so folders are empty when their turn comes
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
                else:
                    path.unlink()


def _write_ref(repo_dir: Path, revision: str, commit: str) -> None:
    ref = repo_dir / "refs" / revision
    if ref.exists() and ref.read_text(encoding="utf-8").strip() == commit:
        return
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(commit, encoding="utf-8")
    os.replace(tmp, ref)
