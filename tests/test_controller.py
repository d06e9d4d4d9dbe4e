"""The controller: one worker, debounced requests, stale results dropped, errors as messages."""

import threading

import pytest

from bertviz_app.controller import Controller


@pytest.fixture
def controller(qtbot, tiny_model_dir):
    c = Controller(debounce_ms=20)
    with qtbot.waitSignal(c.model_loaded, timeout=30_000):
        c.load_model(str(tiny_model_dir))
    yield c
    c.shutdown()


def test_typing_a_masked_sentence_produces_predictions(qtbot, controller):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.set_text("the cat sat on the [MASK] .")
    result = blocker.args[0]
    assert result.tokens[0] == "[CLS]" and "[MASK]" in result.tokens
    assert result.masked_positions == (result.tokens.index("[MASK]"),)
    (mask,) = result.predictions
    assert len(mask.predictions) == 50
    probs = [p.probability for p in mask.predictions]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
    L, H = controller.model_summary.layers, controller.model_summary.heads
    T = len(result.tokens)
    assert result.attention.shape == (L, H, T, T)
    assert result.hidden_states.shape == (L + 1, T, controller.model_summary.hidden_size)


def test_keystrokes_are_debounced_into_one_request(qtbot, controller):
    received = []
    controller.result_ready.connect(received.append)
    text = "the cat sat"
    for i in range(1, len(text) + 1):
        controller.set_text(text[:i])
    assert controller.wait_until_idle()
    assert len(received) == 1 and received[0].encoding.tokens[1:-1] == ("the", "cat", "sat")


def test_stale_results_are_dropped(qtbot, controller):
    release = threading.Event()
    controller.run_on_worker(lambda: release.wait(10))  # hold the worker
    received = []
    controller.result_ready.connect(received.append)
    controller.set_text("the dog ran", immediate=True)
    controller.set_text("the cat sat on the mat", immediate=True)
    release.set()
    assert controller.wait_until_idle()
    assert [r.tokens[1:-1] for r in received] == [("the", "cat", "sat", "on", "the", "mat")]


def test_broken_model_folder_reports_and_keeps_previous_model(qtbot, controller, tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert", "hidden_size": 32, "num_attention_heads": 4}')
    (tmp_path / "model.safetensors").write_bytes(b"\x00garbage")
    with qtbot.waitSignal(controller.model_load_failed, timeout=10_000) as blocker:
        controller.load_model(str(tmp_path))
    message = blocker.args[0]
    assert "model.safetensors" in message and "Traceback" not in message
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the [MASK] .", immediate=True)
    assert controller.current_result.predictions


def test_empty_sentence_is_a_message_not_a_crash(qtbot, controller):
    with qtbot.waitSignal(controller.error, timeout=5_000) as blocker:
        controller.set_text("   ", immediate=True)
    assert "Type a sentence" in blocker.args[0]


def test_clicking_a_token_masks_it_and_again_unmasks_it(qtbot, controller):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the mat", immediate=True)
    cat = controller.current_result.tokens.index("cat")
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.toggle_mask(cat)
    assert blocker.args[0].masked_positions == (cat,)
    assert blocker.args[0].predictions[0].original_token == "cat"
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.toggle_mask(cat)
    assert blocker.args[0].masked_positions == ()


def test_masks_follow_edits_elsewhere_in_the_sentence(qtbot, controller):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the mat", immediate=True)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.toggle_mask(controller.current_result.tokens.index("mat"))
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.set_text("a big cat sat on the mat", immediate=True)
    result = blocker.args[0]
    assert [result.tokens[i] for i in result.masked_positions] == ["mat"]


def test_whole_word_masking_masks_every_piece(qtbot, controller):
    controller.set_whole_word(True)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the unbelievable cat", immediate=True)
    tokens = controller.current_result.tokens
    assert tokens[1:5] == ("the", "un", "##believ", "##able")
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.toggle_mask(3)
    assert blocker.args[0].masked_positions == (2, 3, 4)


def test_choosing_a_prediction_replaces_the_masked_word(qtbot, controller):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the [MASK] .", immediate=True)
    position = controller.current_result.masked_positions[0]
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.replace_token(position, "table")
    assert controller.current_input.text == "the cat sat on the table ."
    assert controller.current_result.masked_positions == ()


def test_worker_exception_becomes_error_signal(qtbot, controller):
    def boom():
        raise RuntimeError("kaboom")

    with qtbot.waitSignal(controller.error, timeout=5_000) as blocker:
        controller.run_on_worker(boom)
    assert "kaboom" in blocker.args[0]
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the worker still answers", immediate=True)
