"""A fine-tuned classifier's answer: label probabilities for the input (a sequence classifier: sentiment, topic,
...) or a tag for every token (a token classifier: named entities, ...), from the head the checkpoint carries
(engine/families.py declares each family's), and the same head read out at every layer's state.

The readout is a "logit lens" for labels: the final head applied to the [CLS] / token states of earlier layers
(through the pooler where the family's head reads it). The head was trained on the last layer only, so what it
says of early layers is how far their states already point the final head's way, not what a head trained there
would say.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bertviz_app.analysis.inference import InferenceInput, head_mask, is_result_of, prepare
from bertviz_app.analysis.numeric.labels import Classification
from bertviz_app.engine.errors import EngineError
from bertviz_app.engine.loader import LoadedModel


class NoClassifierError(EngineError):
    """The model carries no sequence- or token-classification head."""


def no_classifier_message(model_name: str) -> str:
    return (
        f"{model_name} has no classification head, so it assigns no labels.\n"
        "Open a fine-tuned classifier (Model ▸ Open folder…): a folder whose config.json names a "
        "…ForSequenceClassification (e.g. sentiment) or …ForTokenClassification (e.g. named entities) architecture, "
        "with its id2label."
    )


def classify_task(lm: LoadedModel, inp: InferenceInput, result=None) -> Classification:
    """The classifier's probabilities for `inp` (masks and knocked-out heads as in the window), and per layer.

    `result`: the window's InferenceResult for this input, whose hidden states are reused when it is one
    (no second forward pass). Raises NoClassifierError for a model without a classification head.
    """
    start = time.perf_counter()
    if not lm.task:
        raise NoClassifierError(no_classifier_message(lm.name))
    prep = prepare(lm, inp)
    model = lm.model
    with torch.inference_mode():
        if is_result_of(result, lm, prep, inp) and result.hidden_states is not None:
            param = next(model.parameters())
            hidden = torch.from_numpy(result.hidden_states).to(param.device, param.dtype)  # (L+1, T, D)
        else:
            out = model(
                prep.input_ids,
                prep.token_type_ids,
                output_hidden_states=True,
                head_mask=head_mask(lm, inp.knocked_out),
            )
            hidden = out.hidden_states[0]  # (L+1, T, D)
        # (L+1, C) or (L+1, T, C): the last row is the classifier's own answer
        layer_probs = model.task_logits(model.readout_states(hidden)).float().softmax(dim=-1).cpu().numpy()
    encoding = prep.encoding
    return Classification(
        input=inp,
        model_name=lm.name,
        task=lm.task,
        labels=lm.labels,
        tokens=encoding.tokens,
        display_tokens=encoding.display_tokens,
        special=encoding.special,
        word_ids=encoding.word_ids,
        probs=np.ascontiguousarray(layer_probs[-1]),
        layer_probs=layer_probs.astype(np.float32),
        seconds=time.perf_counter() - start,
    )
