"""The explorer from Python: `bertviz_app.show(model, text)` opens the window from a script, IPython or a Jupyter
kernel and returns an `Explorer` to drive it and read what it shows.

In IPython (a terminal or a kernel) the window runs on IPython's own Qt event-loop integration (`%gui qt`, switched
on here if it is not yet), so the kernel stays free between cells, the way napari does it. From a plain script
there is no such loop: `show()` runs Qt's until the window is closed (`block=False` returns at once; then call
`Explorer.run()`). Like app.py this module wires engine, controller and window together; it leaves the user's
settings alone (a throw-away settings file), so a notebook never changes what the desktop app opens with.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from bertviz_app.app import DEMO_TEXT, build_window, create_app


def _ipython():
    """The running IPython shell, or None (IPython is never imported here: only found if already running)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _integrate_event_loop(shell) -> bool:
    """Let IPython run Qt's event loop while it waits for input (`%gui qt`). True if it does."""
    if shell is None:
        return False
    if getattr(shell, "active_eventloop", None) not in ("qt", "qt6"):
        try:
            shell.enable_gui("qt")
        except Exception:  # an IPython without Qt support: the caller falls back to running the loop itself
            return False
    return True


def show(
    model_or_path=None,
    text: str | None = None,
    *,
    pair: str | None = None,
    view: str = "attention",
    view_arg: str | None = None,
    block: bool | None = None,
) -> Explorer:
    """Open the explorer window on `model_or_path` (a model's name, a folder, or None for the bundled model) with
    `text` (and `pair`; None: the app's example sentence) in the sentence field and `view` in front. Returns an
    `Explorer` at once in IPython/Jupyter; from a plain script (`block` None or True) after the window is closed,
    unless `block=False`."""
    shell = _ipython()
    app = create_app()
    integrated = _integrate_event_loop(shell)
    explorer = Explorer(app, model_or_path, text, pair, view, view_arg)
    if block is None:
        # No loop runs for us in a plain script, unless Python is interactive (-i: PySide6's input hook).
        block = not integrated and not sys.flags.interactive
    if block:
        explorer.run()
    return explorer


class Explorer:
    """A handle on one explorer window: set the text, masks and view, read the current result as plain data.

    Every method acts as the user would (the sentence field, the chips, the tabs); `result()` waits for the
    model to answer the latest input first, processing Qt's events meanwhile; once the window is closed it
    returns the last result the window showed."""

    def __init__(self, app, model_or_path, text, pair, view, view_arg):
        from PySide6.QtCore import QSettings

        from bertviz_app.ui.settings import Settings

        self._app = app
        self._scratch = tempfile.mkdtemp(prefix="bertviz-notebook-")
        store = QSettings(os.path.join(self._scratch, "settings.ini"), QSettings.IniFormat)
        spec = os.fspath(model_or_path) if model_or_path is not None else "default"
        self.window, self.controller = build_window(spec, None, None, Settings(store))
        self._closed = False
        self.window.destroyed.connect(self._forget)
        app.aboutToQuit.connect(self._forget)
        self.window.resize(1360, 860)
        self.window.show()
        self.set_text(text or DEMO_TEXT, pair)
        self.show_view(view, view_arg)

    # ---- what it shows -----------------------------------------------------------------------------------
    @property
    def views(self) -> list[str]:
        """The names `show_view` takes, in the order of the tabs."""
        return list(self.window.views)

    @property
    def closed(self) -> bool:
        return self._closed or not self.window.isVisible()

    def set_text(self, text: str, pair: str | None = None) -> Explorer:
        """Put `text` (and `pair` as sentence B, or none) into the sentence fields, as if typed there."""
        sentence = self._live().sentence
        sentence.text_a.setText(text)
        sentence.text_b.setText(pair or "")
        if sentence.pair_toggle.isChecked() != bool(pair):
            sentence.pair_toggle.setChecked(bool(pair))  # which re-reads both fields
        else:
            sentence._edited()
        return self

    def mask(self, *tokens: int | str) -> Explorer:
        """Mask tokens, as clicking their chips does: each a token position, or a word (its first token that
        reads so, in any case). Tokens already masked stay masked. Typing [MASK] in the text works too."""
        for token in tokens:
            result = self._current()
            position = self._position(result, token)
            if position not in result.masked_positions:
                self.window.sentence.chips.chip_clicked.emit(position)
        return self

    def unmask(self) -> Explorer:
        """Unmask every clicked mask (the Clear masks button; masks typed in the text stay)."""
        self._live().sentence.clear_masks.click()
        return self

    def show_view(self, name: str, arg: str | None = None) -> Explorer:
        """Bring a view to the front (one of `views`), with what it starts with (the command line's --view-arg)."""
        if name not in self._live().views:
            raise ValueError(f"no view named {name!r}; the views are: {', '.join(self.views)}")
        self.window.show_view(name, arg)
        return self

    @property
    def view(self) -> str:
        """The name of the view in front."""
        current = self._live().tabs.currentWidget()
        return next(name for name, panel in self.window.views.items() if panel is current)

    def wait(self, timeout: float = 120.0) -> bool:
        """Let the window work until the model has answered the latest input (and loaded). False on timeout."""
        self._live()
        return self.controller.wait_until_idle(int(timeout * 1000))  # a model still loading counts as busy

    def result(self, timeout: float = 120.0) -> dict:
        """What the window shows now, as plain data (lists, floats, numpy arrays), once the model has answered:
        model, text, pair, tokens (the tokenizer's strings) and display_tokens, masked positions, the top
        predictions at each mask, attention (L, H, T, T), hidden_states (L+1, T, D) and the knocked-out heads."""
        r = self._current(timeout)
        inp = self.controller.current_input
        return {
            "model": r.model_name,
            "text": inp.text,
            "pair": inp.text_b,
            "tokens": list(r.tokens),
            "display_tokens": list(r.display_tokens),
            "masked_positions": list(r.masked_positions),
            "predictions": [
                {
                    "position": m.position,
                    "original": m.original_token,
                    "guesses": [
                        {"token": p.token, "display": p.display, "probability": float(p.probability)}
                        for p in m.predictions
                    ],
                }
                for m in r.predictions
            ],
            "attention": r.attention,
            "hidden_states": r.hidden_states,
            "knocked_out": sorted(r.knocked_out),
            "seconds": r.seconds,
        }

    def screenshot(self, path: str) -> str:
        """Save the window as a PNG once it has drawn the latest result; returns the path."""
        self._current()
        self.window.wait_until_drawn(30_000)
        self._app.processEvents()
        if not self.window.grab().save(os.fspath(path), "PNG"):
            raise OSError(f"cannot write {path}")
        return os.fspath(path)

    # ---- lifetime ----------------------------------------------------------------------------------------
    def run(self) -> None:
        """Run Qt's event loop until the window is closed (for scripts; IPython runs it for you)."""
        if not self.closed:
            self._app.exec()

    def close(self) -> None:
        if not self._closed:
            self.window.close()
            self._app.processEvents()
        self._forget()

    def _forget(self, *_args) -> None:
        self._closed = True
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __repr__(self) -> str:
        if self.closed:
            return "<Explorer (window closed)>"
        summary = self.controller.model_summary
        model = summary.name if summary else f"loading {self.controller.loading}"
        return f"<Explorer {model}: {self.controller.current_input.text!r}>"

    # ---- helpers -----------------------------------------------------------------------------------------
    def _live(self):
        if self.closed:
            raise RuntimeError("the explorer window was closed; call bertviz_app.show() again")
        return self.window

    def _current(self, timeout: float = 120.0):
        if self.closed and self.controller.current_result is not None:
            return self.controller.current_result  # the last thing the window showed (a script after the loop)
        if not self.wait(timeout):
            raise TimeoutError(f"the model gave no answer within {timeout:g} s")
        result = self.controller.current_result
        if result is None:
            box = getattr(self.window, "last_error_box", None)
            raise RuntimeError(box.text() if box is not None else "no result: type a sentence first")
        return result

    @staticmethod
    def _position(result, token: int | str) -> int:
        special = result.encoding.special
        if isinstance(token, int):
            if not 0 <= token < len(result.tokens) or special[token]:
                raise ValueError(f"token {token} is not a word piece of the sentence (0..{len(result.tokens) - 1})")
            return token
        wanted = token.strip().lower()
        for i, shown in enumerate(result.display_tokens):
            if not special[i] and shown.strip().lower() == wanted:
                return i
        raise ValueError(f"no token reads {token!r}; the tokens are: {' '.join(result.display_tokens)}")
