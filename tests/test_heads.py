"""Head importance on the tiny model, checked against one plain forward pass per head and a hand-written BERT."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import make_tiny_model

from bertviz_app.analysis.heads import HeadImportance, head_importance, head_importance_task
from bertviz_app.analysis.inference import InferenceInput, prepare, run_inference
from bertviz_app.engine.errors import InputError, NoMLMHeadError

TWO_MASKS = InferenceInput("the cat sat on the [MASK] in the [MASK] .")


def naive_log_probs(lm, inp, targets, extra=None):
    """log p(target) at each mask from one plain forward pass, with `extra` (layer, head) off on top."""
    prep = prepare(lm, inp)
    mask = torch.ones(lm.config.num_hidden_layers, lm.config.num_attention_heads)
    for layer, head in set(inp.knocked_out) | ({extra} if extra else set()):
        mask[layer, head] = 0.0
    with torch.inference_mode():
        out = lm.model(
            prep.input_ids,
            prep.token_type_ids,
            predict_at=torch.tensor(prep.masked),
            head_mask=mask,
        )
    log_probs = out.logits.log_softmax(-1)  # (N, V)
    return log_probs[torch.arange(len(targets)), torch.tensor(targets)].numpy()


def test_batched_drops_equal_one_forward_per_head(tiny_model):
    inp = InferenceInput(TWO_MASKS.text, knocked_out=frozenset({(0, 1), (1, 3)}))
    result = head_importance(tiny_model, inp, batch=3)  # batches straddle layers and skip the heads that are off
    L, H = tiny_model.config.num_hidden_layers, tiny_model.config.num_attention_heads
    assert isinstance(result, HeadImportance)
    assert result.drops.shape == (2, L, H) and result.drops.dtype == np.float32
    assert result.input == inp and result.knocked_out == inp.knocked_out
    baseline = naive_log_probs(tiny_model, inp, result.target_ids)
    np.testing.assert_allclose(result.baseline_log_probs, baseline, atol=1e-5)
    for layer in range(L):
        for head in range(H):
            expected = baseline - naive_log_probs(tiny_model, inp, result.target_ids, (layer, head))
            np.testing.assert_allclose(result.drops[:, layer, head], expected, atol=2e-5, err_msg=f"{layer}.{head}")
    assert np.abs(result.drops).max() > 1e-3  # random weights: heads do matter, so the comparison has teeth


def test_targets_are_the_top_predictions_the_user_sees(tiny_model):
    inp = InferenceInput(TWO_MASKS.text, knocked_out=frozenset({(1, 0)}))
    importance = head_importance(tiny_model, inp)
    shown = run_inference(tiny_model, inp)
    assert importance.masked_positions == shown.masked_positions
    assert importance.target_ids == tuple(m.predictions[0].token_id for m in shown.predictions)
    assert importance.target_tokens == tuple(m.predictions[0].token for m in shown.predictions)
    probs = [m.predictions[0].probability for m in shown.predictions]
    np.testing.assert_allclose(np.exp(importance.baseline_log_probs), probs, rtol=1e-4)
    assert importance.tokens == shown.tokens


def test_batch_size_does_not_change_the_numbers(tiny_model):
    one = head_importance(tiny_model, TWO_MASKS, batch=1)
    many = head_importance(tiny_model, TWO_MASKS, batch=100)
    np.testing.assert_allclose(one.drops, many.drops, atol=1e-5)


def test_heads_already_off_have_drop_zero(tiny_model):
    inp = InferenceInput(TWO_MASKS.text, knocked_out=frozenset({(0, 2), (1, 1)}))
    result = head_importance(tiny_model, inp)
    for layer, head in inp.knocked_out:
        assert (result.drops[:, layer, head] == 0).all()
        # Removing a head that is already off changes nothing, so 0 is the measured answer too.
        again = naive_log_probs(tiny_model, inp, result.target_ids, (layer, head))
        np.testing.assert_allclose(result.baseline_log_probs - again, 0.0, atol=1e-6)
    others = [(la, h) for la in range(2) for h in range(4) if (la, h) not in inp.knocked_out]
    assert all(np.abs(result.drops[:, la, h]).max() > 0 for la, h in others)


def test_progress_counts_heads_up_to_the_total(tiny_model):
    inp = InferenceInput(TWO_MASKS.text, knocked_out=frozenset({(0, 0)}))
    steps = head_importance_task(tiny_model, inp, batch=3)
    progress = []
    with pytest.raises(StopIteration) as stop:
        while True:
            progress.append(next(steps))
    total = 2 * 4 - 1
    assert progress == [(0, total), (3, total), (6, total), (7, total)]
    assert isinstance(stop.value.value, HeadImportance) and stop.value.value.seconds > 0


def test_long_inputs_take_fewer_heads_per_step(tiny_model):
    from bertviz_app.analysis import heads

    inp = InferenceInput(" ".join(["the cat sat on the mat ."] * 8) + " [MASK]")  # 59 tokens
    progress = list(_progress(head_importance_task(tiny_model, inp, batch=24)))
    per_step = heads.STEP_TOKENS // 59
    assert progress[1] == (per_step, 8) and len(progress) == 1 + math.ceil(8 / per_step)


def _progress(steps):
    try:
        while True:
            yield next(steps)
    except StopIteration:
        return


def test_no_mask_and_no_mlm_head_are_clear_errors(tiny_model, tmp_path):
    with pytest.raises(InputError, match="Mask a word"):
        head_importance(tiny_model, InferenceInput("the cat sat on the mat ."))
    from bertviz_app.engine import load_folder

    headless = load_folder(make_tiny_model(tmp_path / "headless", mlm_head=False))
    with pytest.raises(NoMLMHeadError, match="no masked-language-model head"):
        head_importance(headless, TWO_MASKS)


# ---- knocking a head out = zeroing its context vector, checked with BERT written out by hand ----------------


def hand_forward_log_probs(lm, inp, off: tuple[int, int]) -> np.ndarray:
    """log-softmax at the masks from a BERT written out op by op, with head `off`'s context set to zero."""
    sd = {k: v.detach() for k, v in lm.model.state_dict().items()}
    cfg = lm.config
    H, hd, eps = cfg.num_attention_heads, cfg.head_dim, cfg.layer_norm_eps
    prep = prepare(lm, inp)
    ids, types = prep.input_ids, prep.token_type_ids
    T = len(ids)

    def ln(x, name):
        return F.layer_norm(x, (x.shape[-1],), sd[f"{name}.weight"], sd[f"{name}.bias"], eps)

    def dense(x, name):
        return x @ sd[f"{name}.weight"].T + sd[f"{name}.bias"]

    x = sd["embeddings.word_embeddings.weight"][ids] + sd["embeddings.position_embeddings.weight"][:T]
    x = ln(x + sd["embeddings.token_type_embeddings.weight"][types], "embeddings.LayerNorm")  # (T, D)
    for i in range(cfg.num_hidden_layers):
        p = f"encoder.layer.{i}."
        heads = []
        for h in range(H):
            cols = slice(h * hd, (h + 1) * hd)
            q = dense(x, p + "attention.self.query")[:, cols]  # (T, hd)
            k = dense(x, p + "attention.self.key")[:, cols]
            v = dense(x, p + "attention.self.value")[:, cols]
            context = torch.softmax(q @ k.T / math.sqrt(hd), dim=-1) @ v  # (T, hd)
            heads.append(torch.zeros_like(context) if (i, h) == off else context)
        attn = ln(dense(torch.cat(heads, dim=-1), p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        ff = dense(F.gelu(dense(attn, p + "intermediate.dense")), p + "output.dense")
        x = ln(ff + attn, p + "output.LayerNorm")
    h = x[list(prep.masked)]  # (N, D)
    h = ln(F.gelu(dense(h, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm")
    logits = h @ sd["cls.predictions.decoder.weight"].T + sd["cls.predictions.bias"]  # (N, V)
    return logits.log_softmax(-1).numpy()


@pytest.mark.parametrize("off", [(0, 0), (0, 3), (1, 2)])
def test_knocking_out_a_head_equals_zeroing_its_context(tiny_model, off):
    result = head_importance(tiny_model, TWO_MASKS)
    with torch.no_grad():
        without = hand_forward_log_probs(tiny_model, TWO_MASKS, off)  # (N, V)
        everything = hand_forward_log_probs(tiny_model, TWO_MASKS, (-1, -1))
    rows = np.arange(result.num_masks)
    targets = np.array(result.target_ids)
    np.testing.assert_allclose(result.baseline_log_probs, everything[rows, targets], atol=1e-5)
    np.testing.assert_allclose(
        result.drops[:, off[0], off[1]], everything[rows, targets] - without[rows, targets], atol=2e-5
    )
