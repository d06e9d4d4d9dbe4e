"""The controller: one worker, debounced requests, stale results dropped, errors as messages."""

import threading

import pytest


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


# ---- analyses run step by step on the worker -------------------------------------------------------------

STEPS_SEEN = []


def counting_task(lm, inp, steps=3, fail_at=None, gate=None):
    """A test analysis: `steps` worker jobs, then a payload naming the input it saw."""
    for i in range(steps):
        if gate is not None:
            gate.wait(10)
        if i == fail_at:
            raise RuntimeError(f"failed at step {i}")
        STEPS_SEEN.append(i)
        yield i + 1, steps
    return (inp.text, lm.config.num_hidden_layers)


def plain_task(lm, inp):
    return f"layers={lm.config.num_hidden_layers}"


def following_task(lm, inp, result, steps=2):
    """A test analysis that follows results: `steps` steps, then what it was given."""
    for i in range(steps):
        yield i + 1, steps
    return inp.text, len(result.tokens)


@pytest.fixture
def tasks(monkeypatch):
    from bertviz_app.analysis.tasks import TASKS, Task

    monkeypatch.setitem(TASKS, "count", Task("count", counting_task, tuple))
    monkeypatch.setitem(TASKS, "plain", Task("plain", plain_task, str))
    monkeypatch.setitem(TASKS, "follow", Task("follow", following_task, tuple))
    STEPS_SEEN.clear()
    return TASKS


def test_analysis_reports_progress_then_its_payload(qtbot, controller, tasks):
    progress = []
    controller.analysis_progress.connect(lambda kind, done, total: progress.append((kind, done, total)))
    controller.set_text("the cat sat", immediate=True)
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000) as blocker:
        controller.start_analysis("count", steps=3)
    assert blocker.args == ["count", ("the cat sat", 2)]
    assert progress == [("count", 1, 3), ("count", 2, 3), ("count", 3, 3)]
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000) as blocker:
        controller.start_analysis("plain")
    assert blocker.args == ["plain", "layers=2"]
    assert not controller.analysis_running("plain") and controller.wait_until_idle()


def test_quick_steps_share_one_worker_job_and_report_every_step(qtbot, controller, tasks, monkeypatch):
    jobs = []
    submit = controller._submit
    monkeypatch.setattr(controller, "_submit", lambda job: (jobs.append(job), submit(job)))
    progress = []
    controller.analysis_progress.connect(lambda kind, done, total: progress.append(done))
    controller.set_text("the cat sat", immediate=True)
    assert controller.wait_until_idle()
    for slice_seconds, expected_jobs in ((10.0, 1), (0.0, 6)):  # a job per step, and one to find the end
        jobs.clear(), progress.clear()
        controller.slice_seconds = slice_seconds
        with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
            controller.start_analysis("count", steps=5)
        assert len(jobs) == expected_jobs and progress == [1, 2, 3, 4, 5]


def test_an_analysis_that_follows_results_answers_in_the_inference_job(qtbot, controller, tasks, monkeypatch):
    jobs, order = [], []
    submit = controller._submit
    monkeypatch.setattr(controller, "_submit", lambda job: (jobs.append(job), submit(job)))
    controller.result_ready.connect(lambda r: order.append(("result", len(r.tokens))))
    controller.analysis_ready.connect(lambda kind, payload: order.append((kind, payload)))
    controller.analysis_progress.connect(lambda kind, done, total: order.append(("progress", done)))
    controller.follow_results("follow", lambda r: {"steps": 2} if r.masked_positions else None)
    controller.set_text("the [MASK] sat", immediate=True)
    assert controller.wait_until_idle()
    assert len(jobs) == 1  # one worker job for the inference and the analysis
    assert order == [("result", 5), ("progress", 1), ("progress", 2), ("follow", ("the [MASK] sat", 5))]
    assert not controller.analysis_running("follow")

    order.clear()
    controller.set_text("the cat sat", immediate=True)  # params_for says no: nothing but the result
    assert controller.wait_until_idle()
    assert order == [("result", 5)] and not controller.analysis_running("follow")

    order.clear()
    for text in ("a [MASK]", "a [MASK] b", "a [MASK] b c"):  # typed past: only the last input is answered
        controller.set_text(text, immediate=True)
    assert controller.wait_until_idle()
    assert [entry for entry in order if entry[0] == "follow"] == [("follow", ("a [MASK] b c", 6))]

    failures = []
    controller.analysis_failed.connect(lambda kind, message: failures.append((kind, message)))
    controller.follow_results("follow", lambda r: r.no_such_field)  # a broken follower
    order.clear()
    controller.set_text("the [MASK] ran", immediate=True)
    assert controller.wait_until_idle()
    assert order == [("result", 5)] and failures and failures[0][0] == "follow"  # the result still arrives


def test_inference_runs_between_the_steps_of_an_analysis(qtbot, controller, tasks):
    gate = threading.Event()
    order = []
    controller.analysis_progress.connect(lambda *_: order.append("step"))
    controller.result_ready.connect(lambda r: order.append("result"))
    controller.set_text("the cat sat", immediate=True)
    assert controller.wait_until_idle()
    order.clear()
    controller.start_analysis("count", follows_input=False, steps=3, gate=gate)
    controller.set_text("the dog ran", immediate=True)  # queued behind the first step only
    gate.set()
    assert controller.wait_until_idle()
    assert order.index("result") < len(order) - 1, order  # the result arrived before the analysis ended


def test_cancel_stops_an_analysis_between_steps(qtbot, controller, tasks):
    gate = threading.Event()
    ready = []
    controller.analysis_ready.connect(lambda *a: ready.append(a))
    controller.set_text("the cat sat", immediate=True)
    controller.start_analysis("count", steps=50, gate=gate)
    with qtbot.waitSignal(controller.analysis_cancelled, timeout=5_000) as blocker:
        controller.cancel_analysis("count")
    gate.set()
    assert blocker.args == ["count"]
    assert controller.wait_until_idle()
    assert ready == [] and len(STEPS_SEEN) <= 1  # at most the step already running when cancelled


def test_a_change_of_input_cancels_analyses_that_follow_it(qtbot, controller, tasks):
    gate = threading.Event()
    cancelled = []
    controller.analysis_cancelled.connect(cancelled.append)
    controller.set_text("the cat sat", immediate=True)
    controller.start_analysis("count", steps=5, gate=gate)
    controller.set_text("the cat sat on", immediate=True)
    gate.set()
    assert controller.wait_until_idle()
    assert cancelled == ["count"] and len(STEPS_SEEN) <= 1


def test_a_failing_analysis_is_a_message(qtbot, controller, tasks):
    controller.set_text("the cat sat", immediate=True)
    with qtbot.waitSignal(controller.analysis_failed, timeout=10_000) as blocker:
        controller.start_analysis("count", steps=3, fail_at=1)
    assert blocker.args[0] == "count" and "failed at step 1" in blocker.args[1]
    with pytest.raises(ValueError, match="unknown analysis"):
        controller.start_analysis("no such analysis")


def test_knocking_out_a_head_reruns_and_a_new_model_switches_all_back_on(qtbot, controller, tiny_model_dir):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the [MASK] .", immediate=True)
    before = controller.current_result
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.toggle_head(1, 0)
    after = blocker.args[0]
    assert after.knocked_out == frozenset({(1, 0)})
    assert after.predictions[0].predictions[0].probability != before.predictions[0].predictions[0].probability
    controller.toggle_head(99, 0)  # not a head of this model: ignored
    assert controller.current_input.knocked_out == frozenset({(1, 0)})
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.toggle_head(1, 0)
    assert blocker.args[0].knocked_out == frozenset()
    controller.toggle_head(0, 1)
    assert controller.wait_until_idle()
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000):
        controller.load_model(str(tiny_model_dir))
    assert controller.current_input.knocked_out == frozenset()


def test_each_run_is_a_handle_with_its_own_signals_and_a_typed_payload(qtbot, controller, tasks):
    from bertviz_app.analysis.tasks import Task

    controller.set_text("the cat sat", immediate=True)
    assert controller.wait_until_idle()
    run = controller.start("count", steps=2)
    progress = []
    run.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(run.ready, timeout=10_000) as blocker:
        pass
    assert blocker.args == [("the cat sat", 2)] and run.payload == ("the cat sat", 2) and not run.running
    assert progress == [(1, 2), (2, 2)]

    gate = threading.Event()
    first = controller.start("count", steps=50, gate=gate)
    with qtbot.waitSignal(first.cancelled, timeout=1_000):
        second = controller.start("count", steps=1)  # a new run of the same task replaces the first
    gate.set()
    with qtbot.waitSignal(second.ready, timeout=10_000):
        pass
    assert first.payload is None and not first.running

    wrong = Task("wrong", plain_task, payload=tuple)  # a task given as itself, not by name
    with qtbot.waitSignal(controller.start(wrong).failed, timeout=10_000) as blocker:
        pass
    assert "returned str, not tuple" in blocker.args[0]


def test_nothing_is_scheduled_after_shutdown(controller, qtbot):
    """Closing the window shuts the controller down while signals may still arrive (a model load finishing,
    a keystroke's debounce, a cache listing): what they would start is dropped, never an exception."""
    controller.shutdown()
    controller.set_text("The cat sat on the [MASK].", immediate=True)  # a result would request an inference
    assert controller.request_inference() == 0
    controller.load_model("default")
    controller.scan_cache()
    controller.download_model("acme/tiny-bert")
    qtbot.wait(50)
    assert not controller.busy
