"""Lessons without Qt: the format, its errors at their line, `bertviz-app lesson`, and every bundled lesson's
claims checked on the bundled model."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.analysis.lesson_check import check_lesson, check_step
from bertviz_app.cli import main
from bertviz_app.lessons import (
    LessonError,
    bundled_lessons,
    fill_live,
    find_lesson,
    lesson_name,
    load_lesson,
    mask_spans,
    mlm_loss,
    parse_lesson,
)
from bertviz_app.ui.views import view_names

GOOD = textwrap.dedent(
    """\
    ---
    title: A test lesson
    about: Two phases.
    ---

    # First phase

    ## One
    text: The bank of the river and the bank for money.
    mask: bank#2
    view: attention
    layer: 2
    head: 3
    token: river
    highlight: token

    The first guess is {guess}.

    ## Two
    knock-out: 1.2, 2.1

    Same sentence, heads off.

    # Second phase

    ## Three
    text: Another [MASK] sentence.
    view: neurons
    head: mean

    Loss: {loss}
    """
)

ISSUE_LESSONS = ("wordpiece", "embeddings", "self-attention", "masked-lm", "heads-and-layers", "encoder-not-lstm")


def test_the_format_carries_the_input_over_and_the_pointers_not():
    lesson = parse_lesson(GOOD, "good.md")
    assert lesson.title == "A test lesson"
    assert lesson.phases == [("First phase", 0), ("Second phase", 2)]
    one, two, three = lesson.states
    assert (one.layer, one.head, one.token, one.highlight, one.masks) == (2, 3, "river", "token", ("bank#2",))
    assert one.view_argument() == ":2:3"  # the attention view's MEASURE:LAYER:HEAD
    # The input and view carry over, what step one pointed at does not.
    assert (two.text, two.masks, two.view) == (one.text, one.masks, "attention")
    assert (two.layer, two.head, two.token, two.highlight) == (None, None, None, None)
    assert two.knocked_out == {(0, 1), (1, 0)}  # from 1 on screen, from 0 for the controller
    # A new text drops the word masks and keeps the heads off.
    assert three.masks == () and three.knocked_out == two.knocked_out and three.head == -1
    assert lesson.steps[2].body == "Loss: {loss}"
    # The second "bank" is masked, not the first.
    text = one.text
    ((segment, start, end),) = mask_spans(one)
    assert (segment, text[start:end], start) == (0, "bank", text.rindex("bank"))


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("title: A test lesson", "titel: A test lesson"), 2, "unknown front matter key 'titel'"),
        (("---\n\n# First", "\n# First"), 5, "front matter is not closed"),
        (("view: attention", "view: atention"), 11, "unknown view 'atention'"),
        (("layer: 2", "layer: two"), 12, "counted from 1"),
        (("mask: bank#2", "mask: bank#3"), 10, "does not have it 3 times"),
        (("mask: bank#2", "colour: red"), 10, "unknown setting 'colour'"),
        (("token: river\n", "token: river\nThe text, too soon\n"), 15, "leave a blank line"),
        (("knock-out: 1.2, 2.1", "knock-out: 1.2, 0.1"), 20, "LAYER.HEAD from 1"),
        (("{loss}", "{los}"), 31, "unknown live value {los}"),
        (("## Three", "Stray words\n## Three"), 26, "belongs in a step"),
        (("highlight: token", "highlight: the board"), 15, "highlight what?"),
        (("head: mean", "head: mean\nexpect: paris first"), 30, "expect what?"),
        (
            ("text: Another [MASK] sentence.", 'text: Another [MASK] sentence.\nexpect: "x" in top 5 at mask 2'),
            28,
            "mask 2",
        ),
    ],
)
def test_a_broken_lesson_names_its_line(change, line, words):
    old, new = change
    assert old in GOOD
    with pytest.raises(LessonError) as caught:
        parse_lesson(GOOD.replace(old, new, 1), "broken.md", view_names())
    assert caught.value.line == line, str(caught.value)
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"broken.md:{line}: " if line else "broken.md: ")


def test_a_lesson_without_steps_says_so():
    with pytest.raises(LessonError, match=r"empty.md:6: the lesson has no steps"):
        parse_lesson(GOOD.split("## One")[0], "empty.md")


def test_the_issue_s_six_lessons_are_there_and_valid():
    names = [lesson_name(p) for p in bundled_lessons()]
    assert set(ISSUE_LESSONS) <= set(names)
    for path in bundled_lessons():
        lesson = load_lesson(path, view_names())
        assert len(lesson.steps) >= 3 and lesson.title and lesson.about
        assert all(step.body for step in lesson.steps), lesson.path
        assert all(state.view in view_names() for state in lesson.states)
    assert find_lesson("wordpiece") == find_lesson("1-wordpiece")
    with pytest.raises(LessonError, match=r"no lesson called .nope.*wordpiece"):
        find_lesson("nope")


def test_no_lesson_teaches_bert_wrong():
    """BERT is a Transformer encoder: only the lesson that corrects it names an LSTM, and it says so."""
    for path in bundled_lessons():
        text = path.read_text(encoding="utf-8")
        if lesson_name(path) == "encoder-not-lstm":
            assert "**no LSTM and no recurrence**" in text and "**no decoder**" in text
        else:
            assert "LSTM" not in text and "RNN" not in text, path
        if lesson_name(path) != "encoder-not-lstm":
            assert "translat" not in text.lower(), path


@pytest.fixture(scope="module")
def bundled():
    from bertviz_app.engine import load_model

    return load_model("default")


def test_every_bundled_lesson_holds_on_the_bundled_model(bundled):
    """What each step claims (its expect: lines, the layers, heads and tokens it points at) is true of the model
    the app ships."""
    for path in bundled_lessons():
        check_lesson(load_lesson(path), lambda spec: bundled)


def test_the_live_check_catches_a_false_claim(bundled):
    lesson = parse_lesson(
        GOOD.replace("## Three\n", '## Three\nexpect: "zebra" in top 1\n').replace("head: mean\n", ""), "false.md"
    )
    with pytest.raises(LessonError, match=r"false.md:27: step 3 .*'zebra' is not in the top 1"):
        check_step(lesson, 2, bundled)
    wrong_head = parse_lesson(GOOD.replace("head: 3", "head: 99"), "heads.md")
    with pytest.raises(LessonError, match=r"heads.md:13: .*12 heads per layer"):
        check_step(wrong_head, 0, bundled)


def test_the_live_loss_is_minus_the_sum_of_log_p_of_the_masked_words(bundled):
    state = parse_lesson(GOOD, "good.md").state(0)
    state = replace(state, masks=("bank", "river"))
    inp = InferenceInput(state.text, masked_spans=mask_spans(state), top_k=bundled.config.vocab_size)
    result = run_inference(bundled, inp)
    # A second way: each original word's probability from the full list of guesses.
    expected = 0.0
    for mask in result.predictions:
        original = next(p for p in mask.predictions if p.token == mask.original_token)
        expected -= math.log(original.probability)
    total, terms = mlm_loss(result)
    assert [t for t, _p in terms] == ["bank", "river"]
    assert total == pytest.approx(expected, rel=1e-4)
    assert fill_live("L = {loss}", result).endswith(f"= {expected:.2f}")
    best = result.predictions[0].predictions[0]
    assert fill_live("{guess} ({prob})", result) == f"{best.display} ({best.probability:.1%})"
    assert fill_live("{guess}", None) == "…"


def test_lesson_check_on_the_command_line(tmp_path, capsys):
    assert main(["lesson", "--check"]) == 0
    out = capsys.readouterr().out
    assert out.count("valid") == len(bundled_lessons())
    broken = tmp_path / "broken.md"
    broken.write_text(GOOD.replace("view: attention", "view: atention"), encoding="utf-8")
    assert main(["lesson", "--check", str(broken), "wordpiece"]) == 2
    out, err = capsys.readouterr()
    assert f"{broken}:11: unknown view 'atention'" in err
    assert "1-wordpiece.md: 6 steps, valid" in out  # the other file is still checked
    assert main(["lesson"]) == 0
    assert "encoder-not-lstm" in capsys.readouterr().out


def test_lesson_check_imports_no_qt(tmp_path):
    code = (
        "import sys; from bertviz_app.cli import main; rc = main(['lesson', '--check']); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'; sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
