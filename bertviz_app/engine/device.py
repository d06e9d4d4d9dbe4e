"""Where the model runs: CPU, CUDA or MPS, and in which precision. No Qt here.

The model's weights move to the device; its public methods (forward, run_layers, layer_logits, mlm_logits)
take inputs from anywhere and give float32 CPU tensors back, so everything after them (analysis/, numpy)
works unchanged whatever the device. Only the outermost call crosses: a forward that calls run_layers inside
stays on the device throughout.

Half precision is used on a GPU only where it keeps the results: at placement the same probe sentence runs
in float32 and in float16 on that device, and float16 stays only if the masked-word probabilities agree to
PROBS_TOLERANCE and the hidden states to HIDDEN_TOLERANCE (relative); otherwise the model stays in float32.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

import torch

AUTO = "auto"
# Models above this many parameters go to a GPU when "automatic" is chosen and one is there; smaller ones run
# faster on the CPU than the transfers to and from a GPU cost.
AUTO_GPU_PARAMETERS = 100_000_000
PROBS_TOLERANCE = 5e-3  # largest difference of a masked-word probability, float16 vs float32
HIDDEN_TOLERANCE = 2e-2  # largest relative difference of the hidden states (norm of the difference / norm)
PROBE = "The capital of France is [MASK] , and the capital of Italy is [MASK] ."
BOUNDARY_METHODS = ("forward", "run_layers", "layer_logits", "mlm_logits", "readout_states", "task_logits")


@dataclass(frozen=True)
class Placement:
    device: str  # "cpu", "cuda", "cuda:1", "mps"
    dtype: str  # "float32" or "float16"
    note: str = ""  # why it is not what was asked for, if it is not

    @property
    def label(self) -> str:
        return self.device.upper() + (" fp16" if self.dtype == "float16" else "")


def available_devices() -> tuple[str, ...]:
    """The devices this machine can run the model on, CPU first."""
    found = ["cpu"]
    if torch.cuda.is_available():
        found += ["cuda"] if torch.cuda.device_count() == 1 else [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return tuple(found)


def describe(device: str) -> str:
    """A menu label: "CPU", "CUDA (NVIDIA H100)", "MPS (Apple GPU)"."""
    if device.startswith("cuda"):
        try:
            return f"{device.upper()} ({torch.cuda.get_device_name(torch.device(device))})"
        except Exception:  # a driver that cannot name it
            return device.upper()
    return {"cpu": "CPU", "mps": "MPS (Apple GPU)"}.get(device, device.upper())


def choose(preference: str, parameters: int, devices: tuple[str, ...]) -> str:
    """The device for `preference` ("auto" or a device name) on a machine with `devices`."""
    if preference != AUTO:
        return preference if preference in devices else "cpu"
    gpus = [d for d in devices if d != "cpu"]
    return gpus[0] if gpus and parameters > AUTO_GPU_PARAMETERS else "cpu"


def place(lm, preference: str = AUTO, devices: tuple[str, ...] | None = None) -> Placement:
    """Move the loaded model `lm` (in place) to the device `preference` asks for, in float16 where that keeps
    the results, else float32. Falls back to the CPU, with a note, if the device cannot run the model."""
    devices = available_devices() if devices is None else devices
    parameters = sum(p.numel() for p in lm.model.parameters())
    device = choose(preference, parameters, devices)
    note = "" if preference in (AUTO, device) else f"{preference} is not available here"
    if device == "cpu":
        _move(lm.model, "cpu", torch.float32)
        return Placement("cpu", "float32", note)
    try:
        _move(lm.model, device, torch.float32)
        reference = _probe(lm)
        _move(lm.model, device, torch.float16)
        if _close(reference, _probe(lm)):
            return Placement(device, "float16", note)
        _move(lm.model, device, torch.float32)
        return Placement(device, "float32", note or "float16 changed the results too much, so float32")
    except Exception as exc:  # out of memory, an operation the device lacks, a driver problem
        _move(lm.model, "cpu", torch.float32)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Placement("cpu", "float32", f"{device} could not run this model ({reason}), so the CPU")


def _move(model: torch.nn.Module, device: str, dtype: torch.dtype) -> None:
    model.to(device=torch.device(device), dtype=dtype)
    model.tie_weights()
    for name in BOUNDARY_METHODS:
        if name in vars(model):
            delattr(model, name)  # back to the class's own method
    if device != "cpu" or dtype != torch.float32:
        for name in BOUNDARY_METHODS:
            method = getattr(model, name, None)
            if method is not None:
                setattr(model, name, _boundary(method, torch.device(device), dtype))


_inside = threading.local()


def _boundary(method, device: torch.device, dtype: torch.dtype):
    def call(*args, **kwargs):
        if getattr(_inside, "depth", 0):  # a call from inside the model: already on the device
            return method(*args, **kwargs)
        _inside.depth = 1
        try:
            args = tuple(_there(a, device, dtype) for a in args)
            kwargs = {k: _there(v, device, dtype) for k, v in kwargs.items()}
            return _back(method(*args, **kwargs))
        finally:
            _inside.depth = 0

    call.__wrapped__ = method
    return call


def _there(value, device: torch.device, dtype: torch.dtype):
    if isinstance(value, torch.Tensor):
        return value.to(device, dtype) if value.is_floating_point() else value.to(device)
    return value


def _back(value):
    if isinstance(value, torch.Tensor):
        return value.to("cpu", torch.float32) if value.is_floating_point() else value.to("cpu")
    if isinstance(value, tuple):
        return tuple(_back(v) for v in value)
    if isinstance(value, list):
        return [_back(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            setattr(value, f.name, _back(getattr(value, f.name)))
    return value


def _probe(lm) -> tuple[torch.Tensor | None, torch.Tensor]:
    """(probabilities at the probe's masks or None without a masked-word head, last hidden state) on CPU."""
    tok = lm.tokenizer
    encoding = tok.encode(PROBE)  # "[MASK]" typed is the model's own mask token, whatever the family
    ids = torch.tensor(encoding.input_ids, dtype=torch.long)
    masked = [i for i, t in enumerate(encoding.input_ids) if t == tok.mask_id]
    predict = lm.model.cls is not None and bool(masked)
    with torch.inference_mode():
        out = lm.model(ids, predict_at=torch.tensor(masked, dtype=torch.long) if predict else None)
    probs = out.logits.float().softmax(dim=-1).cpu() if predict and out.logits is not None else None
    return probs, out.last_hidden_state.float().cpu()


def _close(a, b) -> bool:
    (pa, ha), (pb, hb) = a, b
    if not (torch.isfinite(hb).all() and (pb is None or torch.isfinite(pb).all())):
        return False
    if pa is not None and (pb is None or (pa - pb).abs().max().item() > PROBS_TOLERANCE):
        return False
    return ((ha - hb).norm() / ha.norm().clamp_min(1e-12)).item() <= HIDDEN_TOLERANCE
