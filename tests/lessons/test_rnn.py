"""The recurrent-network lab: the data generators and texts, the textbook gradient claims on the
data behind the "Gradients through time" chart, what a probe measures, one step's equations, the
gradient check, sampling with a temperature, truncated BPTT over contiguous streams."""

from __future__ import annotations

import numpy as np
import pytest

from playground.data import sequences as sq
from playground.lessons import rnn as lab


# -- data -------------------------------------------------------------------------------------------
def test_memory_task_puts_the_label_first_and_the_question_last():
    X, y = sq.memory_task(200, 7, seed=3)
    assert X.shape == (200, 9)
    np.testing.assert_array_equal(X[:, 0], y)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert ((X[:, 1:-1] >= 4) & (X[:, 1:-1] < 8)).all() and (X[:, -1] == 8).all()
    assert sq.memory_vocab() == 9


def test_adding_problem_sums_the_two_marked_values():
    X, y = sq.adding_problem(300, 10, seed=1)
    assert (X[..., 1].sum(axis=1) == 2).all()
    np.testing.assert_allclose(y, (X[..., 0] * X[..., 1]).sum(axis=1))
    first = X[:, :5, 1].sum(axis=1)
    assert (first == 1).all()  # one marker in each half


def test_bracket_matching_labels_and_unbalanced_strings_with_equal_counts():
    X, y = sq.bracket_matching(2000, 12, seed=2)
    assert all(sq.is_balanced(x) == bool(t) for x, t in zip(X, y, strict=True))
    assert 0.4 < y.mean() < 0.6
    equal_counts = (X == 0).sum(axis=1) == 6
    assert 0.3 < equal_counts[y == 0].mean() < 0.7  # counting alone cannot solve it


def test_shipped_texts_are_small_and_the_vocabularies_round_trip():
    for lang in ("en", "zh"):
        path = sq.FILES / sq.TEXTS[lang]
        assert path.stat().st_size < 500 * 1024
        vocab, ids = lab.text_data(lang)
        text = sq.load_text(lang)
        assert len(ids) == len(text)
        assert vocab.size == (63 if lang == "en" else lab.ZH_VOCAB)
    vocab, _ids = lab.text_data("en")
    assert vocab.decode(vocab.encode("To be, or not")) == "To be, or not"
    zh, _ids = lab.text_data("zh")
    assert sq.UNKNOWN in zh.chars and zh.decode(zh.encode("春眠")) == "春眠"
    assert (sq.FILES / "rnn_SOURCES.md").is_file()


def test_streams_continue_from_one_batch_to_the_next():
    ids = np.arange(1000)
    X, Y = sq.stream_batches(ids, batch=4, steps=10)
    assert X.shape == Y.shape and X.shape[1] == 10
    np.testing.assert_array_equal(Y, X + 1)
    for k in range(1, len(X) // 4):
        np.testing.assert_array_equal(X[k * 4 : k * 4 + 4, 0], X[(k - 1) * 4 : k * 4, -1] + 1)


# -- the textbook gradient claims ("Gradients through time" tab) -----------------------------------
def test_recurrent_scale_explodes_or_vanishes_the_gradient_in_the_linear_regime():
    up, one, down = (lab.gradient_through_time(s, 1e-3) for s in (2.0, 1.0, 0.5))
    assert up[-1] == down[-1] == 1.0
    assert up[0] > 1e3  # ×2: ‖∂L_T/∂h_1‖ more than 1,000 × ‖∂L_T/∂h_T‖
    assert down[0] < 1e-4  # ×0.5: less than 1/10,000
    assert 0.5 < one[0] < 2.0  # ×1: keeps its size
    assert np.all(np.diff(up) < 0) and np.all(np.diff(down) > 0)


def test_saturating_tanh_cuts_the_gradient_instead_of_exploding():
    sat2, sat1 = lab.gradient_through_time(2.0, 3.0), lab.gradient_through_time(1.0, 3.0)
    assert sat2[0] < 1.0 and sat2.max() < 2.0  # ×2 does not explode
    assert sat1[0] < 1e-3  # ×1 vanishes


# -- probes, equations, gradient check, sampling ----------------------------------------------------
@pytest.mark.parametrize("cell", list(lab.CELLS))
def test_a_probe_measures_every_step_and_the_equations_compose(cell):
    run = lab.Run(lab.Setup(task="memory", cell=cell, layers=2, hidden=8, seq_len=9))
    run.train(5)
    probe = run.probe()
    assert len(probe.tokens) == 9 and probe.tokens[-1] == "?"
    assert [g.shape for g in probe.grad_norms] == [(9,), (9,)]
    assert probe.connectivity.shape == (9,) and probe.connectivity[-1] > 0
    for t in (0, 4, 8):
        for row in lab.step_equations(cell, probe, t):
            if "recomputed" in row:
                np.testing.assert_allclose(row["recomputed"], row["values"], atol=1e-12)


@pytest.mark.parametrize("cell", list(lab.CELLS))
def test_the_gradient_check_agrees_for_every_parameter_group(cell):
    rows = lab.gradient_check(cell, layers=2)
    names = {r["param"] for r in rows}
    assert {"r1.Wx", "r1.Wh", "r1.b", "r2.Wh", "emb.W", "out.W"} <= names
    assert max(r["rel_error"] for r in rows) < 1e-6
    assert min(r["rel_error"] for r in rows) > 0  # real numbers, not a floor


def test_temperature_sharpens_or_flattens_the_softmax():
    z = np.array([2.0, 1.0, 0.0, -1.0])
    cold, warm, hot = (lab.softmax_temperature(z, t) for t in (0.1, 1.0, 3.0))
    for p in (cold, warm, hot):
        assert p.sum() == pytest.approx(1.0)
    entropy = [-(p * np.log(p)).sum() for p in (cold, warm, hot)]
    assert entropy[0] < entropy[1] < entropy[2]
    assert cold[0] > 0.99


def test_a_character_model_samples_text_and_carries_its_state_across_chunks():
    run = lab.Run(lab.Setup(task="text_en", cell="gru_full", hidden=16, bptt=16))
    first = run.net.named_layers()[1][1]
    run.train(3)
    assert first._carry is not None  # the state carried to the next chunk
    text = run.sample(40, 0.8, seed=1)
    assert len(text) == 40 and set(text) <= set(run.vocab.chars)
    chars, p = run.next_char("the ", 0.5)
    assert len(chars) == run.vocab.size and p.sum() == pytest.approx(1.0)
    run.updates = run.n_batches  # the start of the next pass forgets the state
    run._batch()
    assert first._carry is None and run.passes == 1


def test_changing_the_optimizer_keeps_the_weights():
    run = lab.Run(lab.Setup(task="adding", cell="rnn", seq_len=10))
    run.train(3)
    before = run.net.params.values.copy()
    run.retune("sgd", 0.1, 0.0)
    np.testing.assert_array_equal(run.net.params.values, before)
    assert run.trainer.optimizer.name == "sgd"
    run.train(1)
    assert not np.array_equal(run.net.params.values, before)


def test_bad_settings_are_refused_with_a_message():
    from playground.errors import ConfigError

    with pytest.raises(ConfigError):
        lab.Setup(layers=4).validate()
    with pytest.raises(ConfigError):
        lab.Setup(task="brackets", seq_len=9).validate()


def test_the_length_sweep_trains_every_cell_at_every_length_in_turn():
    sweep = lab.LengthSweep(lengths=(2, 4), updates=30, hidden=8)
    assert sweep.progress == 0.0 and not sweep.done
    while not sweep.done:
        sweep.advance(0.5)
    assert sweep.progress == 1.0
    assert [(r["cell"], r["distractors"]) for r in sweep.results] == sweep.jobs
    assert len(sweep.jobs) == 6 and all(0.0 <= r["accuracy"] <= 1.0 for r in sweep.results)


# -- a learner's own text ---------------------------------------------------------------------------
def own_text(n_chars: int = 25_000) -> str:
    line = "the quick brown fox jumps over the lazy dog; 春眠不觉晓，处处闻啼鸟。\n"
    return (line * (n_chars // len(line) + 1))[:n_chars]


def test_an_uploaded_text_trains_with_its_own_vocabulary_and_held_out_part():
    data = ("\ufeff" + own_text().replace("\n", "\r\n")).encode("utf-8")
    corpus = lab.upload_corpus(data, "mine.txt")
    text = own_text()
    assert corpus.name == "mine.txt" and len(corpus.ids) == len(text)  # BOM dropped, \r\n made \n
    assert corpus.vocab.decode(corpus.ids) == text and corpus.vocab.size == len(set(text))
    run = lab.Run(lab.default_setup("text_upload"), corpus)
    assert run.spec.n_classes == corpus.vocab.size
    assert len(run.val_ids) == len(text) - int(len(text) * 0.95)  # the last 5 %, as for the shipped
    run.train(3)
    assert run.updates == 3 and np.isfinite(run.evaluate()["bits_per_char"])
    assert set(run.sample(30, seed=2)) <= set(text)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfeh\x00i\x00" * 20_000, "not UTF-8"),  # UTF-16
        (own_text().encode()[:-3] + b"\xe6\x98", "not UTF-8"),  # a cut character
        (b"short text", "at least 20000"),
        (own_text(1_100_000).encode(), "at most 1024 KB"),
        (b"\x00" * 30_000, "binary"),
    ],
)
def test_a_bad_upload_says_what_is_wrong(data, words):
    from playground.errors import DataError

    with pytest.raises(DataError) as err:
        lab.upload_corpus(data, "bad.txt")
    assert words in str(err.value)


def test_the_upload_cap_of_a_deployment_lowers_the_limit():
    from playground.errors import DataError

    with pytest.raises(DataError, match="at most 24 KB"):
        lab.upload_corpus(own_text(30_000).encode(), max_bytes=24 * 1024)


def test_the_upload_task_needs_a_text():
    from playground.errors import ConfigError

    with pytest.raises(ConfigError, match="Upload a text first"):
        lab.Run(lab.default_setup("text_upload"))


def test_the_held_out_bits_cover_all_of_the_held_out_text_each_part_after_its_context():
    run = lab.Run(lab.Setup(task="text_en", cell="rnn", hidden=8, bptt=32))
    X, Y = run.val
    S, T = run.val_streams, run.setup.bptt
    assert S == lab.VAL_STREAMS and run.eval_every == lab.TEXT_EVAL_EVERY
    scored = X[S:]  # the first chunk of every stream is context only
    assert scored.size > 0.97 * len(run.val_ids)  # all but the streams' last few characters
    cut = len(run.train_ids)
    np.testing.assert_array_equal(X[S], run.val_ids[:T])  # stream 0 is scored from the cut on …
    np.testing.assert_array_equal(X[0], run.train_ids[-T:])  # … after reading the text before it
    parts = scored.reshape(-1, S, T).transpose(1, 0, 2).reshape(S, -1)  # stream by stream
    np.testing.assert_array_equal(np.concatenate(parts), run.corpus.ids[cut : cut + parts.size])
    np.testing.assert_array_equal(Y[S:, :-1], X[S:, 1:])
    assert run.probe_batch(4)[0][0].tolist() == run.val_ids[:T].tolist()
