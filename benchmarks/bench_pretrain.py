"""What the live pretraining demo costs with the bundled model: the panel's default run (40 steps on the example
text) timed by this thread's CPU time with one torch thread (what a quiet laptop core gives, whatever the load of
a shared machine), and by the wall clock. Run: PYTHONPATH=. python benchmarks/bench_pretrain.py"""

import os
import time

import torch

from bertviz_app.analysis.inference import InferenceInput
from bertviz_app.analysis.pretrain import pretrain_task
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine import load_model
from bertviz_app.ui.pretrain_panel import EXAMPLE_PROBE, EXAMPLE_TEXT, STEPS

torch.set_num_threads(1)
lm = load_model("default")
wall, cpu = time.perf_counter(), time.thread_time()
run = run_to_end(pretrain_task(lm, InferenceInput(""), text=EXAMPLE_TEXT, probe=EXAMPLE_PROBE, steps=STEPS))
wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
print(
    f"{STEPS} steps (copy, training, loss and guesses before and after): {cpu:.1f} s CPU time, {wall:.1f} s wall "
    f"clock; loss on the text {run.loss_before:.2f} -> {run.loss_after:.2f}; load average {os.getloadavg()[0]:.1f}"
)
