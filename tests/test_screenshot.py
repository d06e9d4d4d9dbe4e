"""`bertviz-app --screenshot` renders the real window after one inference."""

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage


@pytest.mark.slow
def test_screenshot_command_renders_a_filled_heatmap(tmp_path, tiny_model_dir, qapp):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bertviz_app",
            "--screenshot",
            str(out),
            "--model",
            str(tiny_model_dir),
            "--text",
            "the cat sat on the [MASK] .",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert image.width() >= 1000 and image.height() >= 600
    # The heatmap sits in the middle of the right-hand tab; a blank plot would show one or two colours.
    x0, x1 = int(image.width() * 0.33), int(image.width() * 0.62)
    y0, y1 = int(image.height() * 0.35), int(image.height() * 0.75)
    colours = {image.pixel(x, y) for x in range(x0, x1, 4) for y in range(y0, y1, 4)}
    assert len(colours) > 30
    assert not (tmp_path / ".config" / "BERT Explorer").exists()  # a screenshot leaves no settings behind
