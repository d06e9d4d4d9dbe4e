#!/usr/bin/env bash
# Makes every screenshot in README.md with the app's own --screenshot command (offscreen, bundled model).
# Run from anywhere after the set-up: scripts/screenshots.sh [OUT_DIR]  (default docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
mkdir -p "$out"
shot() { QT_QPA_PLATFORM=offscreen .venv/bin/bertviz-app --screenshot "$out/$1" "${@:2}"; }

shot main-window.png --text "She [MASK] to the store and bought a cup of [MASK]."
shot main-window-zh.png --lang zh_CN --text "She [MASK] to the store and bought a cup of [MASK]."
shot embeddings.png --view embeddings \
  --text "The bank of the river was muddy, so she went to the bank to get [MASK]."
shot layers.png --view layers --text "Paris is the capital and largest city of [MASK]." --view-arg france
shot heads.png --view heads --text "Paris is the capital and largest city of [MASK]." --view-arg importance
shot value-weighted.png --view attention --view-arg value:2:11 \
  --text "The trophy did not fit in the suitcase because it was too [MASK]."
shot rollout.png --view attention --view-arg rollout:6 \
  --text "The trophy did not fit in the suitcase because it was too [MASK]."
shot neurons.png --view neurons --text "The cat sat on the mat because it was tired." --view-arg 6.5.it
shot scoring.png --view scoring --text "The keys to the cabinet are on the table." \
  --view-arg "The keys to the cabinet is on the table."
shot compare.png --view compare --text "I sat on the bank of the river." --view-arg "I paid the money into the bank."
shot joint-fill.png --text "She bought a [MASK] [MASK] for her son."
shot pretraining.png --view pretrain --view-arg 20 --text "At night the [MASK] digs for ants."  # trains 20 steps
# A random tiny test classifier (never trained: it shows how the view reads, not what a sentence means)
demo=$(mktemp -d)
.venv/bin/python -c "import sys; sys.path[:0] = ['tests']; from pathlib import Path; \
from classifier_models import classifier_folder; classifier_folder(Path('$demo'), 'bert', 'sequence', seed=2)"
shot applications.png --model "$demo/bert-sequence" --view applications --text "she went to paris and bought a book ."
rm -rf "$demo"
# Chinese text in the Chinese interface, on a random tiny Chinese BERT (tests/test_chinese.py's vocabulary: no
# Chinese model is bundled or reachable offline; its attention means nothing, the glyphs and labels are the point)
demo=$(mktemp -d)
.venv/bin/python -c "import sys; sys.path[:0] = ['tests']; from pathlib import Path; from conftest import make_tiny_model; \
from test_chinese import chinese_vocab; make_tiny_model(Path('$demo'), vocab=chinese_vocab(), seed=3, max_position_embeddings=96)"
shot chinese-text-zh.png --lang zh_CN --model "$demo" --view attention \
  --text "自然语言处理是人工智能的一个重要方向，研究人员希望计算机能够理解人类的语言，并且用它来回答问题、翻译文章和写作。老师在课堂上讲解。"
rm -rf "$demo"
shot corpus.png --view corpus --view-arg demo:14 \
  --text "The bank of the river was muddy, so she went to the bank to get money."  # indexes the demo corpus once
# Teaching mode: a lesson step, and the presenter view at a projector's size and at full HD
shot lesson-step.png --lesson encoder-not-lstm --step 4
shot presenter-1024x768.png --presenter --window-size 1024x768 --lesson masked-lm --step 2
shot presenter-1920x1080.png --presenter --window-size 1920x1080 --lesson self-attention --step 2
