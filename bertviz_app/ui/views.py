"""The names of the main window's views (tabs), for the command line's --view: Qt-free on purpose."""

VIEWS: tuple[str, ...] = ("attention", "embeddings", "layers", "heads", "neurons", "scoring", "compare")
