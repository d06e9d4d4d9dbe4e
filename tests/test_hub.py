"""Downloading from the Hub, against a local stand-in for it (no network needed, nothing leaves 127.0.0.1)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import make_tiny_model

from bertviz_app.engine import ModelNotFoundError, load_folder
from bertviz_app.engine.discovery import cache_entries, cached_models
from bertviz_app.engine.errors import DownloadCancelled
from bertviz_app.engine.hub import CHUNK_SIZE, discard_partial, download_model, partial_bytes

SHA = "0123456789abcdef0123456789abcdef01234567"  # the commit every repository is at
# Files the Hub has but a download must never fetch: code, other frameworks' weights, exports in sub-folders,
# and pytorch_model.bin where safetensors are there.
FORBIDDEN = {
    "modeling_evil.py": b"raise SystemExit('never run me')\n",
    "tf_model.h5": b"\x89HDF not for us",
    "pytorch_model.bin": b"pickle, not for us",
    "onnx/model.safetensors": b"an export, not for us",
}
CARD = b"# tiny\nA model card.\n"
BIG_SIZE = 4 * 1024 * 1024  # the slowly served weights of acme/big-bert
PIECE = 64 * 1024  # what the server writes at a time when it serves slowly
PIECE_DELAY_S = 0.025


class FakeHub:
    """The few endpoints huggingface_hub calls to download a model snapshot, for a handful of repositories."""

    def __init__(self, repos: dict[str, dict[str, bytes]], slow: set[tuple[str, str]], max_requests: int = 80):
        self.repos = repos
        self.slow = slow
        self.max_requests = max_requests
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.ranges: list[tuple[str, int]] = []  # (file, first byte asked for) of each Range request
        self.offline = False  # True: every request is dropped, as when the line goes down
        self.sent: dict[tuple[str, str], int] = {}  # body bytes written per (repo, file)
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5  # a client that stops talking cannot hold a thread for long

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                hub.handle(self, body=False)

            def do_GET(self):
                hub.handle(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def requested(self, method: str, suffix: str) -> bool:
        return any(m == method and p.endswith(suffix) for m, p in self.requests)

    def handle(self, h: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(h.path).path)
        with self.lock:
            self.requests.append((h.command, path))
            over_budget = len(self.requests) > self.max_requests
        if over_budget:
            return self.reply(h, 403, b"request budget exhausted", body)
        if self.offline:
            h.close_connection = True
            return None
        if path.startswith("/api/models/") and "/revision/" in path:
            repo = path[len("/api/models/") :].split("/revision/")[0]
            return self.model_info(h, repo, body)
        if "/resolve/" in path:
            repo, rest = path.lstrip("/").split("/resolve/", 1)
            revision, _, filename = rest.partition("/")
            return self.resolve(h, repo, revision, filename, body)
        self.reply(h, 404, b"not found", body)

    def model_info(self, h, repo: str, body: bool) -> None:
        files = self.repos.get(repo)
        if files is None:
            return self.reply(h, 404, b'{"error": "Repository not found"}', body, {"X-Error-Code": "RepoNotFound"})
        siblings = []
        for name, data in files.items():
            sibling = {"rfilename": name, "size": len(data), "blobId": hashlib.sha1(data).hexdigest()}
            if name.endswith((".safetensors", ".bin")):  # the Hub stores weights in LFS, by SHA-256
                sha = hashlib.sha256(data).hexdigest()
                sibling["lfs"] = {"size": len(data), "sha256": sha, "pointerSize": 134}
            siblings.append(sibling)
        info = {"id": repo, "modelId": repo, "sha": SHA, "private": False, "tags": [], "siblings": siblings}
        self.reply(h, 200, json.dumps(info).encode(), body, {"Content-Type": "application/json"})

    def resolve(self, h, repo: str, revision: str, filename: str, body: bool) -> None:
        files = self.repos.get(repo)
        if files is None or filename not in files or revision not in (SHA, "main"):
            headers = {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": SHA}
            return self.reply(h, 404, b"entry not found", body, headers)
        data = files[filename]
        headers = {
            "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
            "X-Repo-Commit": SHA,
            "Content-Type": "application/octet-stream",
        }
        status, offset = 200, 0
        asked = h.headers.get("Range", "")
        if body and asked.startswith("bytes=") and asked.endswith("-"):
            offset = int(asked[len("bytes=") : -1])
            self.ranges.append((filename, offset))
            status = 206
            headers["Content-Range"] = f"bytes {offset}-{len(data) - 1}/{len(data)}"
        data = data[offset:]
        if not body or (repo, filename) not in self.slow:
            return self.reply(h, status, data, body, headers, key=(repo, filename))
        h.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            h.send_header(name, value)
        h.end_headers()
        try:
            for start in range(0, len(data), PIECE):
                if self.offline:
                    h.close_connection = True
                    return
                h.wfile.write(data[start : start + PIECE])
                h.wfile.flush()
                self.count(repo, filename, min(PIECE, len(data) - start))
                time.sleep(PIECE_DELAY_S)
        except OSError:  # the client hung up: what a cancelled download does
            pass

    def reply(self, h, status: int, data: bytes, body: bool, headers=None, key=None) -> None:
        h.send_response(status)
        for name, value in {**(headers or {}), "Content-Length": str(len(data))}.items():
            h.send_header(name, value)
        h.end_headers()
        if body:
            try:
                h.wfile.write(data)
            except OSError:
                return
            if key is not None:
                self.count(*key, len(data))

    def count(self, repo: str, filename: str, n: int) -> None:
        with self.lock:
            self.sent[(repo, filename)] = self.sent.get((repo, filename), 0) + n


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory) -> dict[str, bytes]:
    folder = make_tiny_model(tmp_path_factory.mktemp("hub-tiny"))
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def hub(tiny_files):
    big = dict(tiny_files)
    big["model.safetensors"] = bytes(range(256)) * (BIG_SIZE // 256)
    gpt_config = json.dumps({"model_type": "gpt2", "n_layer": 2}).encode()
    repos = {
        "acme/tiny-bert": {**tiny_files, **FORBIDDEN, "README.md": CARD},
        "acme/big-bert": big,
        "acme/tiny-gpt": {**tiny_files, "config.json": gpt_config},
    }
    server = FakeHub(repos, slow={("acme/big-bert", "model.safetensors")})
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(timeout=5)


@pytest.fixture
def online(monkeypatch):
    """Undo conftest's offline mode for this test (huggingface_hub read it at import, so patch it there too)."""
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


def _leftovers(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.name.endswith((".incomplete", ".tmp"))]


def cancel_midway(hub, cache: Path, after: int, repo: str = "acme/big-bert") -> None:
    """Start downloading `repo` and press Cancel once `after` bytes have arrived."""
    cancel = threading.Event()
    with pytest.raises(DownloadCancelled):
        download_model(
            repo,
            progress=lambda d, t: cancel.set() if d > after else None,
            cancel=cancel,
            endpoint=hub.endpoint,
            cache_dir=cache,
        )


def test_download_fetches_a_loadable_bert_and_nothing_else(hub, online, tmp_path, tiny_files):
    cache = tmp_path / "hub"
    calls = []
    info = download_model(
        "acme/tiny-bert", progress=lambda d, t: calls.append((d, t)), endpoint=hub.endpoint, cache_dir=cache
    )

    assert info.name == "acme/tiny-bert" and info.source == "cache"
    assert info.path == cache / "models--acme--tiny-bert" / "snapshots" / SHA
    assert [(m.name, m.path) for m in cached_models(cache)] == [("acme/tiny-bert", info.path)]
    assert (cache / "models--acme--tiny-bert" / "refs" / "main").read_text() == SHA
    assert sorted(p.name for p in info.path.iterdir()) == sorted([*tiny_files, "README.md"])
    assert (info.path / "README.md").read_bytes() == CARD  # the model card, for Model ▸ About this model
    assert (info.path / "model.safetensors").is_symlink()  # the standard layout: snapshot -> blobs
    assert load_folder(info.path).config.num_hidden_layers == 2

    total = sum(len(data) for data in tiny_files.values()) + len(CARD)
    dones = [d for d, _ in calls]
    assert calls and dones == sorted(dones) and calls[-1] == (total, total)
    assert {t for _, t in calls} == {total}  # the total is known from the start

    for name in FORBIDDEN:  # never asked for, let alone written
        assert not hub.requested("GET", name) and not hub.requested("HEAD", name)
        assert not (info.path / name).exists()
    assert not list(cache.rglob("*.py")) and not list(cache.rglob("*.h5")) and not list(cache.rglob("*.bin"))
    assert not _leftovers(cache)

    # Again: everything is in the cache, so only the file list is fetched, and progress still ends at the total.
    before = len(hub.requests)
    calls.clear()
    again = download_model(
        "acme/tiny-bert", progress=lambda d, t: calls.append((d, t)), endpoint=hub.endpoint, cache_dir=cache
    )
    assert again == info and calls[-1] == (total, total)
    assert [m for m, _ in hub.requests[before:]] == ["GET"] and "/api/models/" in hub.requests[-1][1]


def test_an_empty_file_is_downloaded_too(hub, online, tmp_path, tiny_files):
    hub.repos["acme/empty-extra"] = {**tiny_files, "added_tokens.json": b""}
    info = download_model("acme/empty-extra", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert (info.path / "added_tokens.json").read_bytes() == b"" and not _leftovers(tmp_path / "hub")


def test_pytorch_bin_is_fetched_only_where_there_are_no_safetensors(hub, online, tmp_path, tiny_model_dir):
    """Older repositories (hfl/chinese-bert-wwm-ext) have only pytorch_model.bin: read as tensors only."""
    import torch
    from safetensors.torch import load_file

    state = load_file(str(tiny_model_dir / "model.safetensors"))
    binary = tmp_path / "pytorch_model.bin"
    torch.save(state, binary)
    repo = {p.name: p.read_bytes() for p in tiny_model_dir.iterdir() if p.suffix != ".safetensors"}
    hub.repos["acme/old-bert"] = {**repo, "pytorch_model.bin": binary.read_bytes(), "tf_model.h5": b"no"}
    info = download_model("acme/old-bert", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert (info.path / "pytorch_model.bin").exists() and not (info.path / "tf_model.h5").exists()
    assert load_folder(info.path).config.num_hidden_layers == 2


@pytest.mark.parametrize("canceller", ["progress callback", "another thread"])
def test_cancel_stops_promptly_lists_no_half_model_and_keeps_the_bytes(hub, online, tmp_path, canceller):
    cache = tmp_path / "hub"
    download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=cache)  # a finished model stays put
    small = sum(len(data) for name, data in hub.repos["acme/big-bert"].items() if name != "model.safetensors")
    cancel = threading.Event()
    calls, cancelled_at, armed = [], [], []

    def stop():
        cancelled_at.append(time.perf_counter())
        cancel.set()

    def progress(done, total):
        calls.append((done, total))
        if done > small and not armed:  # the first chunk of the big weights has arrived
            armed.append(True)
            if canceller == "progress callback":
                stop()
            else:  # as a Cancel button would, while bytes keep arriving
                threading.Timer(0.05, stop).start()

    with pytest.raises(DownloadCancelled, match=r"acme/big-bert.*kept, and downloading it again continues"):
        download_model("acme/big-bert", progress=progress, cancel=cancel, endpoint=hub.endpoint, cache_dir=cache)
    assert cancelled_at and time.perf_counter() - cancelled_at[0] < 1.0
    assert calls[-1][0] <= small + 4 * CHUNK_SIZE  # stopped within a chunk or so of the request
    time.sleep(2 * PIECE_DELAY_S)  # let the server notice the hang-up
    assert hub.sent.get(("acme/big-bert", "model.safetensors"), 0) < BIG_SIZE

    assert [m.name for m in cached_models(cache)] == ["acme/tiny-bert"]  # nothing half-done is listed
    assert not (cache / "models--acme--big-bert" / "snapshots").exists()
    kept = partial_bytes("acme/big-bert", cache)
    assert 0 < kept < BIG_SIZE
    big = next(e for e in cache_entries(cache) if e.name == "acme/big-bert")
    assert big.partial_bytes == kept and not big.loadable and big.path is None


def test_an_interrupted_download_continues_where_it_stopped(hub, online, tmp_path):
    cache = tmp_path / "hub"
    weights = hub.repos["acme/big-bert"]["model.safetensors"]
    cancel_midway(hub, cache, BIG_SIZE // 3)
    kept = partial_bytes("acme/big-bert", cache)
    assert kept >= BIG_SIZE // 4
    time.sleep(4 * PIECE_DELAY_S)  # let the server notice the hang-up
    sent_before = hub.sent[("acme/big-bert", "model.safetensors")]

    calls = []
    info = download_model(
        "acme/big-bert", progress=lambda d, t: calls.append((d, t)), endpoint=hub.endpoint, cache_dir=cache
    )
    assert ("model.safetensors", kept) in hub.ranges  # only the rest was asked for ...
    sent_after = hub.sent[("acme/big-bert", "model.safetensors")] - sent_before
    assert sent_after == BIG_SIZE - kept  # ... and only the rest was sent
    assert calls[0][0] >= kept and calls[-1][0] == calls[-1][1]  # progress starts from what was kept
    assert (info.path / "model.safetensors").read_bytes() == weights
    assert [m.name for m in cached_models(cache)] == ["acme/big-bert"]
    assert partial_bytes("acme/big-bert", cache) == 0 and not _leftovers(cache)


def test_losing_the_network_keeps_the_bytes_and_says_so(hub, online, tmp_path):
    cache = tmp_path / "hub"

    def progress(done, total):
        if done > BIG_SIZE // 3:
            hub.offline = True  # the line goes down in the middle of the weights

    with pytest.raises(ModelNotFoundError, match=r"no network|cannot download") as info:
        download_model("acme/big-bert", progress=progress, endpoint=hub.endpoint, cache_dir=cache)
    assert "kept, and downloading it again continues" in str(info.value) and "\n" not in str(info.value)
    assert partial_bytes("acme/big-bert", cache) > 0 and cached_models(cache) == []
    hub.offline = False
    done = download_model("acme/big-bert", endpoint=hub.endpoint, cache_dir=cache)
    assert (
        hub.ranges and (done.path / "model.safetensors").read_bytes() == hub.repos["acme/big-bert"]["model.safetensors"]
    )


def test_a_damaged_partial_file_is_caught_by_its_hash_and_fetched_again(hub, online, tmp_path):
    cache = tmp_path / "hub"
    cancel_midway(hub, cache, BIG_SIZE // 3)
    part = next((cache / "models--acme--big-bert" / "blobs").glob("*.incomplete"))
    part.write_bytes(b"\0" * part.stat().st_size)  # bad bytes on disk
    with pytest.raises(ModelNotFoundError, match="damaged"):
        download_model("acme/big-bert", endpoint=hub.endpoint, cache_dir=cache)
    assert partial_bytes("acme/big-bert", cache) == 0  # thrown away, so the next try starts clean
    info = download_model("acme/big-bert", endpoint=hub.endpoint, cache_dir=cache)
    assert (info.path / "model.safetensors").read_bytes() == hub.repos["acme/big-bert"]["model.safetensors"]


def test_discard_partial_forgets_an_interrupted_download(hub, online, tmp_path):
    cache = tmp_path / "hub"
    cancel_midway(hub, cache, 100_000)
    discard_partial("acme/big-bert", cache)
    assert not (cache / "models--acme--big-bert").exists()


def test_cancel_keeps_an_older_snapshot_of_the_same_model(hub, online, tmp_path, tiny_files):
    cache = tmp_path / "hub"
    repo_dir = cache / "models--acme--big-bert"
    old = repo_dir / "snapshots" / ("f" * 40)
    old.mkdir(parents=True)
    for name, data in tiny_files.items():
        (old / name).write_bytes(data)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text("f" * 40)
    cancel = threading.Event()

    def progress(done, total):
        if done > 100_000:  # well into the big weights (the small files come first)
            cancel.set()

    with pytest.raises(DownloadCancelled):
        download_model("acme/big-bert", progress=progress, cancel=cancel, endpoint=hub.endpoint, cache_dir=cache)
    assert [(m.name, m.path) for m in cached_models(cache)] == [("acme/big-bert", old)]
    assert [p.name for p in (repo_dir / "snapshots").iterdir()] == [old.name]
    assert (repo_dir / "refs" / "main").read_text() == "f" * 40


def test_cancel_before_start_downloads_nothing(hub, online, tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelled):
        download_model("acme/tiny-bert", cancel=cancel, endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert hub.requests == [] and not (tmp_path / "hub").exists()


def test_another_family_is_refused_before_its_weights(hub, online, tmp_path):
    cache = tmp_path / "hub"
    with pytest.raises(ModelNotFoundError, match="it is a gpt2 model, and this app opens bert"):
        download_model("acme/tiny-gpt", endpoint=hub.endpoint, cache_dir=cache)
    assert hub.requested("GET", "/config.json") and not hub.requested("GET", "/model.safetensors")
    assert not (cache / "models--acme--tiny-gpt").exists() and cached_models(cache) == []


def test_unknown_model(hub, online, tmp_path):
    with pytest.raises(ModelNotFoundError, match="no such model on the Hugging Face Hub") as info:
        download_model("acme/nothing-here", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert "\n" not in str(info.value)


def test_offline_mode_fails_at_once(hub, tmp_path):
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError, match="no network connection to the Hugging Face Hub") as info:
        download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert time.perf_counter() - start < 0.5
    assert "HF_HUB_OFFLINE" in str(info.value) and "\n" not in str(info.value)
    assert hub.requests == [] and not (tmp_path / "hub").exists()


def test_offline_mode_set_after_import_is_honoured(hub, online, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="offline mode is on"):
        download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert hub.requests == []


def test_no_network_fails_within_seconds(online, tmp_path):
    with socket.socket() as s:  # a port nobody listens on: connection refused, as on a machine with no network
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as info:
        download_model("acme/tiny-bert", endpoint=f"http://127.0.0.1:{port}", cache_dir=tmp_path / "hub")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "acme/tiny-bert" in message and "no network connection to the Hugging Face Hub" in message
    assert "\n" not in message and not (tmp_path / "hub").exists()


def test_discovery_and_hub_do_not_import_each_other():
    import ast

    import bertviz_app.engine.discovery as discovery

    tree = ast.parse(Path(discovery.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any("hub" in (name or "") for name in imported)


# ---- Model ▸ Get a model…, through the controller and the window, as a user gets there ----------------------


def test_controller_downloads_then_loads_under_the_hub_name(qtbot, hub, online, tmp_path):
    from bertviz_app.controller import Controller

    controller = Controller()
    progress = []
    controller.download_progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        controller.download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert loaded.args[0].name == "acme/tiny-bert" and loaded.args[0].source == "cache"
    assert progress and progress[-1][0] == progress[-1][1] > 0
    assert not controller.downloading
    controller.shutdown()


@pytest.fixture(scope="module")
def slow_files(tmp_path_factory) -> dict[str, bytes]:
    """A loadable BERT with 4+ MB of weights: served slowly, long enough to press Cancel in the middle."""
    folder = make_tiny_model(tmp_path_factory.mktemp("hub-slow"), hidden=256, heads=4)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def app_window(qtbot, tmp_path, tiny_model_dir, hub, tiny_files, slow_files, monkeypatch):
    """The main window on the tiny model, its controller pointed at the stand-in Hub and a fresh cache; the
    Hub also has a (tiny) google-bert/bert-base-uncased and a slowly served acme/slow-bert."""
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    hub.repos["google-bert/bert-base-uncased"] = dict(tiny_files)
    hub.repos["acme/slow-bert"] = dict(slow_files)
    hub.slow.add(("acme/slow-bert", "model.safetensors"))
    hub.max_requests = 400
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    window, controller = build_window(str(tiny_model_dir), settings=settings)
    controller.hub_options = {"endpoint": hub.endpoint, "cache_dir": tmp_path / "hub"}
    qtbot.addWidget(window)
    assert controller.wait_until_idle()
    yield window, controller
    controller.shutdown()


def menu_action(window, menu_title: str, text: str):
    """The action a user clicks: found by the menu's and its own visible text (without the & marks)."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == menu_title)
    menu.aboutToShow.emit()  # menus that fill themselves when opened
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_get_a_model_downloads_a_curated_model_from_the_hub_and_opens_it(qtbot, app_window, online, hub):
    window, controller = app_window
    action = menu_action(window, "Model", "Get a model…")
    assert action.shortcut().toString() == "Ctrl+G"
    action.trigger()
    picker = window.model_picker
    assert picker.isVisible()
    assert controller.wait_until_idle()  # the cache listing arrived (it is read off the GUI thread)
    rows = {row.text(0): row for row in picker.rows("catalog")}
    for repo_id in ("google-bert/bert-base-uncased", "answerdotai/ModernBERT-base", "hfl/chinese-roberta-wwm-ext"):
        assert repo_id in rows
    base = rows["google-bert/bert-base-uncased"]
    assert (base.text(1), base.text(2), base.text(3), base.text(4)) == ("BERT", "440 MB", "Apache-2.0", "English")
    assert base.text(5)  # what it is good for

    picker.search.setText("chinese")  # the search narrows the list
    shown = [r.text(0) for r in picker.rows("catalog") if not r.isHidden()]
    assert shown == ["google-bert/bert-base-chinese", "hfl/chinese-bert-wwm-ext", "hfl/chinese-roberta-wwm-ext"]
    for repo_id in shown:  # the Chinese BERTs: BERT, 412 MB, Apache-2.0 (as BERT and HFL's releases are)
        row = rows[repo_id]
        assert (row.text(1), row.text(2), row.text(3), row.text(4)) == ("BERT", "412 MB", "Apache-2.0", "Chinese")
    picker.search.clear()

    picker.select("google-bert/bert-base-uncased")
    assert picker.download_button.isEnabled() and not picker.open_button.isEnabled()
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        picker.download_button.click()
    assert loaded.args[0].name == "google-bert/bert-base-uncased" and loaded.args[0].source == "cache"
    assert window.model_label.text().startswith("google-bert/bert-base-uncased")
    assert controller.wait_until_idle()
    assert rows["google-bert/bert-base-uncased"].text(2) == "in your cache"
    cached = {row.text(0): row.text(5) for row in picker.rows("cache")}
    assert cached == {"google-bert/bert-base-uncased": "ready"}
    picker.select("google-bert/bert-base-uncased", "cache")
    assert picker.open_button.isEnabled() and not picker.download_button.isEnabled()
    # The Model menu lists it too (from the listing read off the GUI thread), and opens it from there.
    entry = menu_action(window, "Model", "google-bert/bert-base-uncased")
    assert entry.data() == "cached-model"
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        entry.trigger()
    assert loaded.args[0].name == "google-bert/bert-base-uncased"


def test_any_hub_id_can_be_typed_and_another_family_is_refused_in_the_dialog(qtbot, app_window, online, hub):
    window, controller = app_window
    menu_action(window, "Model", "Get a model…").trigger()
    picker = window.model_picker
    picker.hub_id.setText("acme/tiny-gpt")
    with qtbot.waitSignal(controller.download_failed, timeout=10_000):
        picker.hub_button.click()
    assert "gpt2 model" in picker.status.text() and not hasattr(window, "last_error_box")
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        picker.hub_id.setText("acme/tiny-bert")
        picker.hub_id.returnPressed.emit()
    assert loaded.args[0].name == "acme/tiny-bert"


def test_cancel_in_the_dialog_keeps_the_bytes_and_download_resumes(qtbot, app_window, online, hub):
    window, controller = app_window
    picker = window.show_model_picker()
    picker.hub_id.setText("acme/slow-bert")
    weights = len(hub.repos["acme/slow-bert"]["model.safetensors"])
    seen = []

    def on_progress(done, total):
        seen.append(picker.status.text())
        if done > total // 3 and picker.cancel_button.isEnabled():
            picker.cancel_button.click()  # as the user does, while bytes keep arriving
            picker.cancel_button.setEnabled(False)

    controller.download_progress.connect(on_progress)
    with qtbot.waitSignal(controller.download_failed, timeout=30_000):
        picker.download_typed()
    controller.download_progress.disconnect(on_progress)
    assert any("left" in text and "MB/s" in text for text in seen)  # bytes, rate and time left while it ran
    assert "cancelled" in picker.status.text() and "kept" in picker.status.text()
    assert not picker.progress.isVisible() and not picker.cancel_button.isVisible()
    assert controller.wait_until_idle()
    cached = {row.text(0): row.text(5) for row in picker.rows("cache")}
    assert "kept (Download resumes)" in cached["acme/slow-bert"]
    assert controller.model_summary.name != "acme/slow-bert"  # the previous model stays

    picker.select("acme/slow-bert", "cache")
    assert picker.download_button.text() == "&Resume download" and picker.discard_button.isEnabled()
    assert picker.download_button.isEnabled()
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        picker.download_button.click()
    assert loaded.args[0].name == "acme/slow-bert"
    (_name, first_byte), *_ = [r for r in hub.ranges if r[0] == "model.safetensors"]
    assert 0 < first_byte < weights  # continued from the kept bytes, not from the start


def test_offline_the_dialog_says_so_at_once_and_nothing_is_fetched(qtbot, app_window, hub):
    window, controller = app_window  # conftest's HF_HUB_OFFLINE=1
    menu_action(window, "Model", "Get a model…").trigger()
    picker = window.model_picker
    assert controller.wait_until_idle(5_000)
    assert picker.status.text().startswith("Offline")
    picker.select("google-bert/bert-base-uncased")
    start = time.perf_counter()
    with qtbot.waitSignal(controller.download_failed, timeout=5_000):
        picker.download_button.click()
    assert time.perf_counter() - start < 2
    assert "no network" in picker.status.text() and hub.requests == []
    assert controller.model_summary.path == str(window.settings.model)  # the previous model stays


def test_a_download_that_fails_after_the_dialog_was_closed_gets_a_message_box(qtbot, app_window):
    window, controller = app_window
    picker = window.show_model_picker()
    picker.close()  # the user closed the dialog; the download it started goes on, and then fails
    with qtbot.waitSignal(controller.download_failed, timeout=5_000):
        picker.start_download("google-bert/bert-base-uncased")  # offline
    box = window.last_error_box
    assert box.isVisible() and "no network" in box.text()


def _first_start(tmp_path, monkeypatch, hub):
    """build_window as `bertviz-app` runs it the very first time (no --model, no settings yet)."""
    import huggingface_hub.constants
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.endpoint)  # as HF_ENDPOINT would
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    settings = Settings(QSettings(str(tmp_path / "first.ini"), QSettings.IniFormat))
    assert settings.first_start
    return build_window(None, settings=settings)


def test_first_start_offers_bert_base_uncased_when_the_hub_answers(qtbot, tmp_path, monkeypatch, hub, tiny_files):
    hub.repos["google-bert/bert-base-uncased"] = dict(tiny_files)
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    window, controller = _first_start(tmp_path, monkeypatch, hub)
    qtbot.addWidget(window)
    window.show()
    assert controller.wait_until_idle(60_000)
    assert controller.model_summary.name == "default"  # the bundled model opened, without waiting for the Hub
    assert window.offer.isVisible() and "google-bert/bert-base-uncased (440 MB)" in window.offer_label.text()
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000) as loaded:
        window.offer_accept.click()
    assert loaded.args[0].name == "google-bert/bert-base-uncased" and not window.offer.isVisible()
    controller.shutdown()


def test_first_start_offline_offers_nothing(qtbot, tmp_path, monkeypatch, hub):
    window, controller = _first_start(tmp_path, monkeypatch, hub)  # conftest's HF_HUB_OFFLINE=1
    qtbot.addWidget(window)
    window.show()
    assert controller.wait_until_idle(60_000)
    assert controller.model_summary.name == "default" and not window.offer.isVisible() and hub.requests == []
    controller.shutdown()


# ---- which files a download fetches, on the file lists of real repositories (as their Hub pages list them) ----

COMMON = [".gitattributes", "README.md", "config.json", "flax_model.msgpack", "tf_model.h5", "rust_model.ot"]


@pytest.mark.parametrize(
    ("files", "expected_weights", "expected_tokenizer"),
    [
        (  # google-bert/bert-base-uncased: safetensors beside the pickle and exports in sub-folders
            [
                *COMMON,
                "model.safetensors",
                "pytorch_model.bin",
                "coreml/model.mlpackage",
                "onnx/model.onnx",
                "tokenizer.json",
                "tokenizer_config.json",
                "vocab.txt",
                "LICENSE",
            ],
            ["model.safetensors"],
            ["tokenizer.json", "tokenizer_config.json", "vocab.txt"],
        ),
        (  # FacebookAI/roberta-base: byte-level BPE (vocab.json + merges.txt), fairseq's dict.txt not needed
            [
                *COMMON,
                "dict.txt",
                "merges.txt",
                "model.safetensors",
                "pytorch_model.bin",
                "tokenizer.json",
                "vocab.json",
            ],
            ["model.safetensors"],
            ["merges.txt", "tokenizer.json", "vocab.json"],
        ),
        (  # FacebookAI/xlm-roberta-base: SentencePiece, and an ONNX export at the top level
            [
                *COMMON,
                "model.onnx",
                "model.safetensors",
                "pytorch_model.bin",
                "sentencepiece.bpe.model",
                "tokenizer.json",
                "tokenizer_config.json",
            ],
            ["model.safetensors"],
            ["sentencepiece.bpe.model", "tokenizer.json", "tokenizer_config.json"],
        ),
        (  # hfl/chinese-roberta-wwm-ext: no safetensors at all
            [
                *COMMON,
                "added_tokens.json",
                "pytorch_model.bin",
                "special_tokens_map.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "vocab.txt",
            ],
            ["pytorch_model.bin"],
            ["added_tokens.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"],
        ),
        (  # a sharded checkpoint: the index and every shard, not the pickled shards beside them
            [
                "config.json",
                "model.safetensors.index.json",
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                "pytorch_model-00001-of-00002.bin",
                "tokenizer.json",
            ],
            ["model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
            ["tokenizer.json"],
        ),
    ],
)
def test_download_plan_takes_config_tokenizer_card_and_one_set_of_weights(files, expected_weights, expected_tokenizer):
    from bertviz_app.engine.files import download_plan

    plan = download_plan(files)
    weights = [n for n in plan if n.endswith((".safetensors", ".bin", ".index.json"))]
    assert weights == expected_weights
    assert sorted(n for n in plan if n not in weights and n not in ("config.json", "README.md")) == expected_tokenizer
    assert "config.json" in plan and ("README.md" in plan) == ("README.md" in files)
    assert not any(n.endswith((".h5", ".msgpack", ".ot", ".onnx", ".py")) or "/" in n for n in plan)


@pytest.mark.parametrize("family", ["roberta", "albert", "modernbert"])
def test_other_families_download_and_open(hub, online, tmp_path, family):
    """Families with their own tokenizer files (byte-level BPE, SentencePiece): fetched whole, then loaded."""
    pytest.importorskip("transformers")
    from test_family_folders import make_folder

    from bertviz_app.analysis.inference import InferenceInput, run_inference
    from bertviz_app.engine import load_model

    folder = tmp_path / family
    folder.mkdir()
    make_folder(folder, family)
    hub.repos[f"acme/tiny-{family}"] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    info = download_model(f"acme/tiny-{family}", endpoint=hub.endpoint, cache_dir=tmp_path / "hub")
    assert sorted(p.name for p in info.path.iterdir()) == sorted(hub.repos[f"acme/tiny-{family}"])
    assert [e.model_type for e in cache_entries(tmp_path / "hub")] == [family]
    result = run_inference(load_model(str(info.path)), InferenceInput("The cat sat on the [MASK] .", top_k=3))
    assert len(result.predictions) == 1 and result.predictions[0].predictions


@pytest.mark.parametrize("broken", ["fifo", "binary"])
def test_a_broken_refs_main_is_replaced_not_waited_on(hub, online, tmp_path, broken):
    """A refs/main that is a FIFO (opening it would wait for ever) or not text is written anew by the next
    download, which completes and lists the model."""
    cache = tmp_path / "hub"
    download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=cache)
    (ref,) = cache.glob("models--acme--tiny-bert/refs/main")
    commit = ref.read_text(encoding="utf-8")
    ref.unlink()
    if broken == "fifo":
        os.mkfifo(ref)
    else:
        ref.write_bytes(b"\xff\xfe\x00binary")
    done = threading.Event()
    worker = threading.Thread(
        target=lambda: (download_model("acme/tiny-bert", endpoint=hub.endpoint, cache_dir=cache), done.set()),
        daemon=True,
    )
    worker.start()
    assert done.wait(30), "the download hung on refs/main"
    assert ref.is_file() and ref.read_text(encoding="utf-8") == commit
