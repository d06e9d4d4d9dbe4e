"""Downloading a model from the Hugging Face Hub: byte progress, cancellation, and resume after an interruption.

No Qt here. How it works (huggingface_hub 2.x supplies the file list, the URLs, the headers and the errors):

* The file list, sizes, content hashes and the commit come from one ``model_info(files_metadata=True)`` call
  with a short timeout, so a machine without a network fails in seconds and the total is known before the
  first byte arrives. Only the files ``files.download_plan`` picks are fetched (config, tokenizer, card and
  one set of weights at the top of the repository): no code, no other frameworks' weights, no exports.
* Each file body is one plain HTTP GET (no Xet: its transfers report progress from threads of their own and
  cannot be stopped between two chunks), read in 256 KiB chunks: progress is reported, and a cancel request
  honoured, after every chunk.
* The bytes go to ``blobs/<hash>.incomplete`` in the standard cache layout (``models--org--name``). A
  download that is cancelled or loses the network keeps that file; the next download of the same model asks
  the server for the rest only (an HTTP Range request) and checks the whole file against the Hub's SHA-256
  before it becomes ``blobs/<hash>``. Blobs already complete are not fetched again.
* The snapshot folder (links to the blobs) and ``refs/main`` are only written once every file is complete,
  so the cache never lists a half-downloaded model, and huggingface_hub and transformers read the result
  as one of their own.
* A repository that turns out not to be a model we can open (its config.json names another family) is
  refused before its weights are fetched, and what this download added is removed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from bertviz_app.engine import files
from bertviz_app.engine.discovery import ModelInfo, hf_hub_cache
from bertviz_app.engine.errors import DownloadCancelled, ModelNotFoundError
from bertviz_app.engine.validation import is_regular_file

REVISION = "main"
# Seconds to connect to, or hear back from, the Hub before calling the network down.
METADATA_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0
# Bytes read between two progress reports (and cancellation checks).
CHUNK_SIZE = 256 * 1024
_TRUE = {"1", "ON", "YES", "TRUE"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _File:
    name: str
    size: int | None
    blob: str  # the blob's name in the cache: the LFS SHA-256, else the git blob id
    sha256: str | None  # checked once the file is complete (LFS files: the weights)


def download_model(
    repo_id: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike | None = None,
    endpoint: str | None = None,
) -> ModelInfo:
    """Download a model from the Hugging Face Hub into the standard cache (weights, tokenizer, card).

    ``progress(done_bytes, total_bytes)`` is called from this thread as bytes arrive (all files together,
    bytes kept from an earlier attempt included; done never decreases and ends at the total). Setting
    ``cancel`` stops the download at the next chunk (256 KiB) and raises DownloadCancelled. Raises
    ModelNotFoundError, with a one-line message, when there is no network (at once in offline mode), the
    model does not exist or is not of a family this app opens, or huggingface_hub is missing. A download that
    does not finish lists nothing in the cache; the bytes it fetched are kept, and the next call continues.
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
    if offline():
        raise ModelNotFoundError(
            f"cannot download {repo_id}: no network connection to the Hugging Face Hub "
            "(offline mode is on: unset HF_HUB_OFFLINE to download)"
        )
    cancel = cancel or threading.Event()
    tracker = _Tracker(repo_id, progress, cancel)
    tracker.check()
    cache = Path(cache_dir).expanduser() if cache_dir else hf_hub_cache()
    repo_dir = cache / repo_folder(repo_id)
    existed = repo_dir.exists()
    try:
        return _download(repo_id, tracker, repo_dir, endpoint)
    except _Refused as refused:
        if not existed:
            shutil.rmtree(repo_dir, ignore_errors=True)
        raise ModelNotFoundError(str(refused)) from None
    except DownloadCancelled:
        raise DownloadCancelled(f"the download of {repo_id} was cancelled{_kept(tracker)}") from None
    except ModelNotFoundError:
        raise
    except Exception as exc:
        message = _explain(repo_id, exc, endpoint)
        if message is None:
            raise
        raise ModelNotFoundError(message + _kept(tracker)) from exc


def repo_folder(repo_id: str) -> str:
    return "models--" + repo_id.replace("/", "--")


def partial_bytes(repo_id: str, cache_dir: str | os.PathLike | None = None) -> int:
    """Bytes an interrupted download of `repo_id` left for the next one to continue from."""
    blobs = (Path(cache_dir).expanduser() if cache_dir else hf_hub_cache()) / repo_folder(repo_id) / "blobs"
    return sum(p.stat().st_size for p in blobs.glob(f"*{files.PARTIAL_SUFFIX}") if p.is_file())


def discard_partial(repo_id: str, cache_dir: str | os.PathLike | None = None) -> None:
    """Delete what an interrupted download of `repo_id` kept (a complete snapshot stays)."""
    repo_dir = (Path(cache_dir).expanduser() if cache_dir else hf_hub_cache()) / repo_folder(repo_id)
    for part in (repo_dir / "blobs").glob(f"*{files.PARTIAL_SUFFIX}"):
        part.unlink(missing_ok=True)
    if not (repo_dir / "snapshots").exists():
        shutil.rmtree(repo_dir, ignore_errors=True)


def reachable(repo_id: str, endpoint: str | None = None, timeout: float = 5.0) -> bool:
    """Whether the Hub answers about `repo_id` within `timeout` seconds (False offline, without asking)."""
    if offline():
        return False
    from huggingface_hub import HfApi

    try:
        HfApi(endpoint=endpoint).model_info(repo_id, revision=REVISION, timeout=timeout)
    except Exception:  # no network, no such model, a proxy in the way: no offer, no message
        return False
    return True


def offline() -> bool:
    """Offline mode, as the environment says now or as huggingface_hub read it when it was imported."""
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return env.strip().upper() in _TRUE or bool(constants.HF_HUB_OFFLINE)


class _Refused(Exception):
    """The repository is not a model this app downloads (the message says why)."""


def _kept(tracker: _Tracker) -> str:
    kept = tracker.finished + tracker.current
    if not kept or tracker.done:
        return ""
    return f"; the {kept / 1e6:,.1f} MB fetched so far are kept, and downloading it again continues from there"


def _download(repo_id: str, tracker: _Tracker, repo_dir: Path, endpoint: str | None) -> ModelInfo:
    from huggingface_hub import HfApi, constants

    endpoint = endpoint or constants.ENDPOINT  # as HF_ENDPOINT set it (a mirror), for the file URLs too

    info = HfApi(endpoint=endpoint).model_info(
        repo_id, revision=REVISION, files_metadata=True, timeout=METADATA_TIMEOUT_S
    )
    tracker.check()
    commit = info.sha
    if not commit:
        raise ModelNotFoundError(f"cannot download {repo_id}: the Hub did not say which commit to fetch")
    siblings = {s.rfilename: s for s in info.siblings or []}
    plan = files.download_plan(siblings)
    _check_plan(repo_id, plan)
    # config.json first (to refuse another family before fetching its weights), the weights last.
    plan.sort(key=lambda n: (n != files.CONFIG, n.endswith((".safetensors", ".bin")), n))
    wanted = [_file(siblings[name]) for name in plan]
    blobs = repo_dir / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    tracker.total = sum(f.size or 0 for f in wanted)
    tracker.finished = sum(_on_disk(blobs, f) for f in wanted)
    tracker.report()

    for f in wanted:
        tracker.check()
        blob = blobs / f.blob
        if not (blob.exists() and (f.size is None or blob.stat().st_size == f.size)):
            tracker.finished -= _on_disk(blobs, f)
            _fetch(repo_id, commit, f, blob, tracker, endpoint)
            tracker.finished += blob.stat().st_size
            tracker.current = 0
            tracker.report()
        if f.name == files.CONFIG:
            _check_family(repo_id, blob)

    snapshot = repo_dir / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    for f in wanted:
        _link(blobs / f.blob, snapshot / f.name)
    _write_ref(repo_dir, REVISION, commit)  # last: until now the cache did not point at this snapshot
    tracker.finish()
    return ModelInfo(repo_id, snapshot, "cache")


def _file(sibling) -> _File:
    lfs = getattr(sibling, "lfs", None)
    sha256 = getattr(lfs, "sha256", None) if lfs is not None else None
    blob = sha256 or sibling.blob_id or hashlib.sha1(sibling.rfilename.encode()).hexdigest()
    size = sibling.size if sibling.size is not None else getattr(lfs, "size", None)
    return _File(sibling.rfilename, size, blob, sha256)


def _on_disk(blobs: Path, f: _File) -> int:
    """Bytes of `f` already in the cache: its complete blob, or what an earlier attempt kept of it."""
    for path in (blobs / f.blob, blobs / (f.blob + files.PARTIAL_SUFFIX)):
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            return size if f.size is None else min(size, f.size)
    return 0


def _fetch(repo_id: str, commit: str, f: _File, blob: Path, tracker: _Tracker, endpoint: str | None) -> None:
    """One file into blobs/, continuing a partial file where there is one."""
    import httpx2
    from huggingface_hub import constants
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    part = blob.with_name(blob.name + files.PARTIAL_SUFFIX)
    part.touch()  # (an empty file needs no request, but a place on disk all the same)
    start = part.stat().st_size
    if f.size is not None and start > f.size:  # not ours, or the file changed: start again
        part.unlink()
        start = 0
    url = f"{(endpoint or constants.ENDPOINT).rstrip('/')}/{repo_id}/resolve/{commit}/{quote(f.name)}"
    headers = build_hf_headers()
    headers["Accept-Encoding"] = "identity"  # byte ranges count the bytes on disk, not compressed ones
    if start and (f.size is None or start < f.size):
        headers["Range"] = f"bytes={start}-"
    timeout = httpx2.Timeout(READ_TIMEOUT_S, connect=METADATA_TIMEOUT_S)
    if f.size is None or start < f.size:
        with get_session().stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            hf_raise_for_status(response)
            mode = "ab" if response.status_code == 206 else "wb"  # 200: the server sends it all again
            if mode == "wb":
                start = 0
            tracker.current = start
            tracker.report()
            with open(part, mode) as out:
                for chunk in response.iter_bytes(chunk_size=CHUNK_SIZE):
                    tracker.check()
                    out.write(chunk)
                    tracker.advance(len(chunk))
    size = part.stat().st_size
    if f.size is not None and size != f.size:
        raise OSError(f"{f.name} arrived incomplete ({size:,} of {f.size:,} bytes); try again to continue")
    if f.sha256 is not None and _sha256(part, tracker) != f.sha256:
        part.unlink(missing_ok=True)
        raise OSError(f"{f.name} arrived damaged (its SHA-256 does not match the Hub's); try again")
    os.replace(part, blob)


def _sha256(path: Path, tracker: _Tracker) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(4 * CHUNK_SIZE), b""):
            tracker.check()
            digest.update(block)
    return digest.hexdigest()


def _link(blob: Path, target: Path) -> None:
    """snapshots/<commit>/<name> -> ../../blobs/<blob>, as huggingface_hub lays the cache out (a copy where
    the file system has no symbolic links)."""
    if target.is_symlink() or target.exists():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.symlink_to(os.path.relpath(blob, target.parent))
    except OSError:
        shutil.copyfile(blob, target)


def _check_plan(repo_id: str, plan: list[str]) -> None:
    if files.CONFIG not in plan:
        raise ModelNotFoundError(f"cannot download {repo_id}: it has no config.json, so it is not a model we can open")
    if not any(n.endswith((".safetensors", ".bin")) for n in plan):
        raise ModelNotFoundError(
            f"cannot download {repo_id}: it has no weights in safetensors or PyTorch format "
            "(other frameworks' weights are not downloaded)"
        )
    if not any(n in plan for n in ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model")):
        raise ModelNotFoundError(f"cannot download {repo_id}: it has no tokenizer files")


def _check_family(repo_id: str, config_blob: Path) -> None:
    try:
        config = json.loads(config_blob.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = None
    if not isinstance(config, dict):
        raise _Refused(f"cannot download {repo_id}: its config.json cannot be read")
    model_type = config.get("model_type")
    supported = files.supported_model_types()
    if model_type not in supported:
        raise _Refused(
            f"cannot download {repo_id}: it is a {model_type or 'unknown'} model, and this app opens "
            f"{', '.join(supported)} models"
        )


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
        self.finished = 0  # bytes of the files complete in the cache (and kept partial files not in flight)
        self.current = 0  # bytes of the file in flight, on disk
        self.reported = -1
        self.reported_total = -1
        self.done = False

    def check(self) -> None:
        if self.cancel.is_set():
            raise DownloadCancelled(f"the download of {self.repo_id} was cancelled")

    def report(self) -> None:
        done = max(self.reported, min(self.finished + self.current, self.total))
        if self.progress is not None and (done, self.total) != (self.reported, self.reported_total):
            self.progress(done, self.total)
        self.reported, self.reported_total = done, self.total

    def advance(self, n: int) -> None:
        self.current += n
        self.report()
        self.check()  # the progress callback may have asked to stop

    def finish(self) -> None:
        self.total = max(self.finished, self.reported)
        self.done = True
        self.report()


def _write_ref(repo_dir: Path, revision: str, commit: str) -> None:
    ref = repo_dir / "refs" / revision
    # Read only a regular file (a FIFO would be waited on for ever) and only as text; anything else is replaced.
    if is_regular_file(ref):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if ref.read_text(encoding="utf-8").strip() == commit:
                return
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(commit, encoding="utf-8")
    os.replace(tmp, ref)
