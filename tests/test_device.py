"""Model ▸ Device: where the model runs and in which precision (engine/device.py), through the menu.

This machine has no GPU: the device plumbing is tested on the CPU, with a fake device list (and, where a
move must succeed, a fake device that is the CPU underneath); the GPU test runs only where there is one.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.engine import device, load_folder

TEXT = "the cat sat on the [MASK] ."


@pytest.fixture
def lm(tiny_model_dir):
    return load_folder(tiny_model_dir)  # a fresh copy: these tests move it


@pytest.fixture
def fake_gpu(monkeypatch):
    """A device called "fakegpu" that is the CPU underneath: placement, precision check and the boundary all
    run as on a GPU."""
    real = device._move

    def move(model, where, dtype):
        if where != "fakegpu":
            return real(model, where, dtype)
        real(model, "cpu", dtype)
        if dtype == torch.float32:  # a GPU in float32 still crosses the boundary
            for name in device.BOUNDARY_METHODS:
                setattr(model, name, device._boundary(getattr(model, name), torch.device("cpu"), dtype))

    monkeypatch.setattr(device, "_move", move)
    monkeypatch.setattr(device, "available_devices", lambda: ("cpu", "fakegpu"))
    monkeypatch.setattr(device, "describe", lambda d: {"cpu": "CPU", "fakegpu": "FAKEGPU (test)"}[d])


def top(result, n=5):
    return [(p.token, p.probability) for p in result.predictions[0].predictions[:n]]


def test_automatic_chooses_a_gpu_only_for_big_models():
    assert device.choose("auto", 110_000_000, ("cpu", "cuda")) == "cuda"
    assert device.choose("auto", 22_000_000, ("cpu", "cuda")) == "cpu"  # small: the CPU is quicker
    assert device.choose("auto", 110_000_000, ("cpu",)) == "cpu"
    assert device.choose("mps", 1, ("cpu", "mps")) == "mps"
    assert device.choose("cuda", 1, ("cpu",)) == "cpu"  # asked for what is not there


def test_on_the_cpu_nothing_changes(lm):
    before = run_inference(lm, InferenceInput(TEXT, top_k=5))
    placement = device.place(lm, "cpu", ("cpu",))
    assert (placement.device, placement.dtype, placement.label) == ("cpu", "float32", "CPU")
    assert not any(name in vars(lm.model) for name in device.BOUNDARY_METHODS)
    assert top(run_inference(lm, InferenceInput(TEXT, top_k=5))) == top(before)


def test_half_precision_is_kept_where_results_stay_within_tolerance(lm, fake_gpu):
    reference = run_inference(lm, InferenceInput(TEXT, top_k=5))
    placement = device.place(lm, "fakegpu")
    assert placement.device == "fakegpu" and placement.dtype == "float16" and placement.label == "FAKEGPU fp16"
    assert next(lm.model.parameters()).dtype == torch.float16
    result = run_inference(lm, InferenceInput(TEXT, top_k=5))  # every analysis gets float32 CPU arrays back
    assert result.attention.dtype == np.float32 and result.hidden_states.dtype == np.float32
    for (_tok_a, p_a), (_tok_b, p_b) in zip(top(result), top(reference)):
        assert abs(p_a - p_b) <= device.PROBS_TOLERANCE
    assert top(result)[0][0] == top(reference)[0][0]
    np.testing.assert_allclose(result.attention, reference.attention, atol=5e-3)


def test_half_precision_that_changes_the_results_is_refused(lm, fake_gpu, monkeypatch):
    monkeypatch.setattr(device, "PROBS_TOLERANCE", 0.0)
    monkeypatch.setattr(device, "HIDDEN_TOLERANCE", 0.0)
    placement = device.place(lm, "fakegpu")
    assert placement.dtype == "float32" and "float16 changed the results" in placement.note
    assert next(lm.model.parameters()).dtype == torch.float32


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the fallback where CUDA is missing")
def test_a_device_that_cannot_run_the_model_falls_back_to_the_cpu(lm):
    placement = device.place(lm, "cuda", ("cpu", "cuda"))  # listed, but this torch has no CUDA
    assert placement.device == "cpu" and "cuda could not run this model" in placement.note
    assert next(lm.model.parameters()).device.type == "cpu"
    assert run_inference(lm, InferenceInput(TEXT, top_k=3)).predictions


@pytest.fixture
def window(qtbot, tiny_model_dir, tmp_path):
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    window, controller = build_window(str(tiny_model_dir), TEXT, settings=settings)
    qtbot.addWidget(window)
    assert controller.wait_until_idle()
    yield window, controller
    controller.shutdown()


def device_menu(window):
    model = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Model")
    model.aboutToShow.emit()
    return next(a.menu() for a in model.actions() if a.text().replace("&", "") == "Device")


def test_the_device_menu_lists_this_machine_and_moves_the_model(qtbot, fake_gpu, window):
    window, controller = window
    assert window.device_label.text() == "CPU"  # tiny model, automatic: the CPU
    before = top(controller.current_result)
    entries = {a.text().replace("&", ""): a for a in device_menu(window).actions()}
    assert list(entries) == ["Automatic (a GPU for models above 100M parameters)", "CPU", "FAKEGPU (test)"]
    assert entries["Automatic (a GPU for models above 100M parameters)"].isChecked()
    with (
        qtbot.waitSignal(controller.result_ready, timeout=10_000),
        qtbot.waitSignal(controller.device_changed, timeout=10_000) as changed,
    ):
        entries["FAKEGPU (test)"].trigger()
    assert changed.args[0].device_label == "FAKEGPU fp16" and window.device_label.text() == "FAKEGPU fp16"
    assert not hasattr(window, "last_error_box")  # where it was asked for: nothing to explain
    assert window.settings.device == "fakegpu"
    assert device_menu(window).actions()[2].isChecked()
    after = top(controller.current_result)  # the input ran again, on the new device
    assert [t for t, _ in after][:1] == [t for t, _ in before][:1]
    assert all(abs(a[1] - b[1]) <= device.PROBS_TOLERANCE for a, b in zip(after, before))

    with qtbot.waitSignal(controller.device_changed, timeout=10_000):
        device_menu(window).actions()[1].trigger()  # back to the CPU
    assert window.device_label.text() == "CPU" and next(controller._model.model.parameters()).dtype == torch.float32


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the fallback where CUDA is missing")
def test_choosing_a_device_that_fails_says_so_and_keeps_working(qtbot, window, monkeypatch):
    window, controller = window
    monkeypatch.setattr(device, "available_devices", lambda: ("cpu", "cuda"))
    with qtbot.waitSignal(controller.device_changed, timeout=10_000) as changed:
        window.set_device("cuda")
    assert changed.args[0].device_label == "CPU" and "cuda could not run this model" in changed.args[0].device_note
    box = window.last_error_box
    assert box.isVisible() and "cuda could not run this model" in box.text()
    assert controller.wait_until_idle() and controller.current_result.predictions


def test_the_device_choice_is_remembered_for_the_next_start(qtbot, fake_gpu, tiny_model_dir, tmp_path):
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    settings.device = "fakegpu"
    window, controller = build_window(str(tiny_model_dir), TEXT, settings=settings)
    qtbot.addWidget(window)
    assert controller.wait_until_idle()
    assert controller.model_summary.device_label == "FAKEGPU fp16" and window.device_label.text() == "FAKEGPU fp16"
    controller.shutdown()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_a_real_gpu_the_results_match_the_cpu(tiny_model_dir):
    cpu = load_folder(tiny_model_dir)
    gpu = load_folder(tiny_model_dir)
    placement = device.place(gpu, "cuda")
    assert placement.device.startswith("cuda") and not placement.note
    inp = InferenceInput(TEXT, top_k=5)
    a, b = run_inference(cpu, inp), run_inference(gpu, inp)
    assert top(a)[0][0] == top(b)[0][0]
    np.testing.assert_allclose(a.attention, b.attention, atol=5e-3)
    np.testing.assert_allclose(a.hidden_states, b.hidden_states, atol=5e-2, rtol=2e-2)
