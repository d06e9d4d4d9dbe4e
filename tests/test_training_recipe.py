"""The GPU recipe (scripts/gpu_recipe.py) and ship_default_model.py, run end to end on the CPU with a tiny step
count: what runs unchanged the first time a GPU machine is at hand."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    lines = [
        "The cat sat on the mat and the dog slept by the fire.",
        "She drank a cup of coffee before she went to work in the city.",
        "The river runs through the valley to the sea near the old town.",
        "He wrote a long letter to his brother about the new house.",
    ]
    (folder / "train.txt").write_text("\n".join(lines * 30) + "\n")
    (folder / "heldout-old.txt").write_text("\n".join(lines[::-1] * 3) + "\n")
    (folder / "heldout-modern.txt").write_text("\n".join(lines[1:] * 3) + "\n")
    (folder / "heldout.txt").write_text("\n".join(lines * 3) + "\n")
    return folder


def test_recipe_commands_are_the_projects_own():
    recipe = _script("gpu_recipe")
    args = recipe.parse_args(["--corpus", "/c", "--out", "/o", "--ship-to", "/s"])
    build, train, ship = recipe.commands(args)
    assert build[1].endswith("scripts/build_corpus.py") and build[-2:] == ["--out", "/c"]
    flags = " ".join(train)
    assert "-m bertviz_app train-mlm --model default --corpus /c --out /o --steps 6000" in flags
    assert "--train-layers 6" in flags and "--device cuda" in flags and "--bf16" in flags
    assert ship[1].endswith("scripts/ship_default_model.py") and ship[2:] == ["/o", "--corpus", "/c", "--out", "/s"]
    resumed = recipe.commands(recipe.parse_args(["--resume", "--no-ship", "--corpus", "/c"]))
    assert resumed[-1][-1] == "--resume" and not any("ship_default_model" in " ".join(c) for c in resumed)


def test_recipe_refuses_a_machine_without_cuda(capsys):
    recipe = _script("gpu_recipe")
    if recipe.check_device("cuda") is None:
        pytest.skip("this machine has a CUDA device")
    assert recipe.main(["--no-ship", "--reuse-corpus"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


@pytest.mark.slow
def test_recipe_trains_and_ships_on_cpu(tmp_path, monkeypatch):
    """Two optimizer steps on the CPU, then the shipping step: a model folder the app loads, its card, its
    evaluation beside the model it replaced, and a recipe that lists every run, the earlier ones included."""
    recipe = _script("gpu_recipe")
    corpus = _corpus(tmp_path / "corpus")
    ship_to = tmp_path / "ship"
    argv = ["--device", "cpu", "--corpus", str(corpus), "--reuse-corpus", "--out", str(tmp_path / "train")]
    argv += ["--ship-to", str(ship_to), "--steps", "2", "--batch", "2", "--seq-len", "16", "--train-layers", "1"]
    argv += ["--warmup", "0", "--eval-every", "0", "--save-every", "1"]
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    assert recipe.main(argv) == 0

    from bertviz_app.engine import load_model

    lm = load_model(str(ship_to))
    assert lm.has_mlm_head
    bundled = json.loads((recipe.BUNDLED / "recipe.json").read_text())
    shipped = json.loads((ship_to / "recipe.json").read_text())
    earlier = shipped["runs"][: len(bundled["runs"])]
    assert [{k: v for k, v in r.items() if k != "corpus"} for r in earlier] == [
        {k: v for k, v in r.items() if k != "corpus"} for r in bundled["runs"]
    ]
    assert all(r["corpus"]["train_sha256"] for r in earlier)  # each earlier run says what text it saw
    last = shipped["runs"][-1]
    assert last["steps_done"] == 2 and "--model default" in last["command"] and "--device cpu" not in last["command"]
    assert last["continues"]["delta_sha256"] == bundled["delta_sha256"]
    assert shipped["corpus"]["train_sha256"] == last["corpus"]["train_sha256"]
    evaluation = json.loads((ship_to / "evaluation.json").read_text())
    assert {"heldout", "heldout_modern", "previous", "examples"} <= set(evaluation)
    assert evaluation["previous"]["delta_sha256"] == bundled["delta_sha256"]
    card = (ship_to / "MODEL_CARD.md").read_text()
    assert "modern held-out" in card and "the model shipped before" in card and "## Rebuild it" in card


def test_first_start_sentence_is_the_one_the_bundled_model_is_surest_of():
    """DEMO_TEXT (what the app opens with the first time) is chosen by ship_default_model.py's evaluation, not
    by hand: the probe the bundled model gets right with the highest probability; and the model still does."""
    from bertviz_app.app import DEMO_TEXT
    from bertviz_app.engine import load_model
    from bertviz_app.training.evaluate import Probe, evaluate_probes

    evaluation = json.loads((ROOT / "resources" / "models" / "bert-explorer-mini" / "evaluation.json").read_text())
    best = evaluation["examples"][0]
    assert best["sentence"] == DEMO_TEXT
    answers = next(tuple(o["answers"]) for o in evaluation["probes"]["probes"] if o["sentence"] == DEMO_TEXT)
    (outcome,) = evaluate_probes(load_model("default"), [Probe(DEMO_TEXT, answers)]).outcomes
    assert outcome.hit1 and not outcome.echo and outcome.predictions[0][0] == best["top1"]
