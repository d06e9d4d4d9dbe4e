"""BERT Explorer: look inside BERT, live."""

__version__ = "0.1.0"
APP_NAME = "BERT Explorer"
