"""Writing a file so that it is either the new content, whole, or the previous file, untouched (no Qt, no torch).

Every export and the `inspect` command write through `atomic_write`: the writer fills a temporary file beside the
target (same folder, so the rename is atomic; same suffix, so writers that pick a format by extension still do),
which is flushed to disk and renamed over the target only when the writer succeeded. A full disk, a crash or a
writer that reports failure leaves the previous file as it was and raises OSError, so no message can claim a
file was written when it was not.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator


def _default_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[str]:
    """Yields a temporary path to write; on leaving the block, it replaces `path` (see the module's docstring).

    A writer that leaves the temporary file empty counts as failed (OSError): nothing we export is empty.
    """
    target = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(target)
    stem, suffix = os.path.splitext(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{suffix}", dir=folder)
    os.close(fd)
    try:
        yield tmp
        if os.path.getsize(tmp) == 0:
            raise OSError(f"nothing was written to {target}")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            mode = os.stat(target).st_mode & 0o7777  # replacing a file keeps its permissions
        except FileNotFoundError:
            mode = _default_mode()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """`text` (UTF-8) into `path`, atomically."""
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
