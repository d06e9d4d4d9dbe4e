"""The numpy-only part of analysis/: what ui/ may import to re-render from a cached result (attention measures
and the model view's thumbnails, projections, per-layer predictions, the neuron view). Nothing here imports
torch, Qt or the rest of analysis/ (the import contracts in pyproject.toml hold it so)."""
