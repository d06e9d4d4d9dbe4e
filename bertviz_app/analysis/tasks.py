"""The analyses the controller can run on its worker besides plain inference, by name.

Each entry names a function `(model: LoadedModel, inp: InferenceInput, **params)` that returns its payload
(frozen dataclasses / numpy), or a generator that yields `(done, total)` progress and returns the payload;
the controller runs a generator one step per worker job, so it can be cancelled between steps and inference
keeps flowing. Names, not imports, so that importing the controller stays cheap.
"""

TASKS: dict[str, str] = {
    "head_importance": "bertviz_app.analysis.heads:head_importance_task",
    "score": "bertviz_app.analysis.scoring:score_task",
    "compare": "bertviz_app.analysis.compare:compare_task",
    "joint_fill": "bertviz_app.analysis.joint_fill:joint_fill_task",
    "beam_search": "bertviz_app.analysis.joint_fill:beam_search_task",
}


def run_to_end(steps, progress: list | None = None):
    """Drive a task's generator to its payload, with no cancelling: for scripts and tests. Each (done, total)
    it yields is appended to `progress` when one is given."""
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress.append(step)
