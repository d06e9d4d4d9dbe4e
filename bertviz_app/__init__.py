"""BERT Explorer: look inside BERT, live."""

import os

# numpy's BLAS threads compete with torch's for the same few cores: beside a running inference, the GUI
# thread's small matrix work (PCA of a few hundred points) took 120 ms instead of 6 ms. One BLAS thread is
# fastest for matrices this small. Set before numpy is first imported; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
APP_NAME = "BERT Explorer"
