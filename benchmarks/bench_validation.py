"""What the load-time check for NaN/inf weights costs over the bundled model: a sum per tensor first, against
isfinite(t).all() for every tensor. Run: PYTHONPATH=. python benchmarks/bench_validation.py"""

import time

import torch

from bertviz_app.engine import load_model, validation

state = load_model("default").model.state_dict()
n = sum(t.numel() for t in state.values())
for name, fn in (
    ("isfinite(t).all()", lambda: [bool(torch.isfinite(t).all()) for t in state.values()]),
    ("first_non_finite (sums first)", lambda: validation.first_non_finite(state)),
):
    best = min((lambda s: (fn(), time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(5))
    print(f"{name}: {best * 1000:.1f} ms over {n / 1e6:.1f} M weights")
