"""The language-free layers' messages in Chinese: real errors of the engine, the data package and the
CSV parser carry a message id and parameters, ``error_text`` shows them in 简体中文 with the
parameters filled in, and ``str(err)`` stays the English text. The notices and stop reasons that the
experiment and the URL parser produce at run time follow the active language."""

from __future__ import annotations

import string

import pytest

from playground.data import make_dataset, parse_csv
from playground.engine import LAYERS, Network, NetworkConfig, build_layer
from playground.errors import ConfigError, DataError, PlaygroundError
from playground.experiment import Experiment, PlaygroundConfig
from playground.experiment.schema import setting
from playground.i18n import error_text, translations, using
from playground.urlconfig import from_query


def _raised(fn) -> PlaygroundError:
    with pytest.raises(PlaygroundError) as info:
        fn()
    return info.value


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_csv_error_in_chinese_with_its_place_and_english_str():
    rows = ["a,b,label"] + [f"{i},{i % 3},{'x' if i % 2 else 'y'}" for i in range(20)]
    rows[6] = "5,oops,x"  # line 7 of the file: a word in a feature column
    err = _raised(lambda: parse_csv(_csv(rows)))
    assert isinstance(err, DataError) and err.row == 7 and err.column == 2
    english = str(err)
    assert english == (
        "Line 7, column 2 (\"b\"): 'oops' is not a number. "
        "Features must be numbers (with a point for decimals)."
    )
    with using("zh"):
        zh = error_text(err)
    assert zh == "第 7 行，第 2 列 (\"b\")：'oops' 不是数字。特征必须是数字（小数用小数点表示）。"
    assert str(err) == english  # showing it translated does not change the exception


def test_csv_plural_and_delimiter_parameters_are_dropped_or_swapped_in_chinese():
    short = _raised(lambda: parse_csv(_csv(["a;b;label", "1;2;x", "3;4;y"])))
    assert str(short) == "The file has 2 data rows; at least 10 are needed to train and test a network."
    with using("zh"):
        assert error_text(short) == "文件只有 2 行数据；训练和测试一个网络至少需要 10 行。"
    rows = ["a;b;label"] + [f"{i};{i};{i % 2}" for i in range(12)]
    rows[4] = "1;2;3;4"  # an extra value on line 5
    extra = _raised(lambda: parse_csv(_csv(rows)))
    assert "Check for an extra semicolon" in str(extra)
    with using("zh"):
        text = error_text(extra)
    assert text.startswith("第 5 行有 4 个值，但表头有 3 个。") and "“;”" in text and "semicolon" not in text


def test_engine_errors_in_chinese():
    conv = _raised(lambda: build_layer({"type": "conv2d", "filters": 2, "kernel": 7}, (1, 5, 5)))
    assert isinstance(conv, ConfigError)
    assert str(conv) == "A 7×7 kernel does not fit a 5×5 input with padding 0."
    unknown = _raised(lambda: Network(NetworkConfig(n_inputs=2, hidden=[3], activation="swishy")))
    assert str(unknown).startswith("Unknown activation 'swishy'; choose one of: identity, sigmoid")
    layer = _raised(lambda: LAYERS["convolution"])
    with using("zh"):
        assert error_text(conv) == "7×7 的卷积核放不进 5×5、填充为 0 的输入。"
        assert error_text(unknown).startswith("未知的激活函数 'swishy'；请从以下选择：identity, sigmoid")
        assert error_text(layer).startswith("未知的层类型 'convolution'；")
    assert str(conv) == "A 7×7 kernel does not fit a 5×5 input with padding 0."


def test_data_errors_in_chinese():
    err = _raised(lambda: make_dataset("circles"))
    assert str(err).startswith("Unknown dataset 'circles'; choose one of: circle, xor")
    with using("zh"):
        assert error_text(err).startswith("未知的数据集 'circles'；请从以下选择：circle, xor")
        noisy = _raised(lambda: make_dataset("circle", noise=80))
    assert str(noisy) == "Noise must be from 0 to 50 percent, got 80."
    with using("zh"):
        assert error_text(noisy) == "噪声必须在 0 到 50 百分比之间，得到的是 80。"


def test_a_setting_checked_in_a_chinese_session_names_the_setting_in_chinese():
    cfg = PlaygroundConfig()
    cfg.training.batch_size = 0
    with using("zh"):
        err = _raised(cfg.validate)  # raised and shown in the session's language
        label = setting("training", "batch_size").widget_label
        text = error_text(err)
        patience = setting("training", "patience").widget_label
    assert _has_chinese(label) and text.startswith(f"{label}必须在 1 到 ") and text.endswith("，得到的是 0。")
    assert _has_chinese(patience) and patience.endswith(")") and "epochs" not in patience
    assert str(_raised(cfg.validate)).startswith("Batch size must be from 1 to ")  # English session
    cfg.training.batch_size = 10
    cfg.data.dataset = "no-such-data"
    assert str(_raised(cfg.validate)).startswith("Unknown dataset 'no-such-data'; choose one of circle")
    with using("zh"):
        text = error_text(_raised(cfg.validate))
    assert text.startswith("未知的") and "'no-such-data'" in text and "choose" not in text


def test_run_time_notices_and_stop_reasons_follow_the_language():
    with using("zh"):
        _cfg, notices = from_query({"bogus": "1", "points": "abc"})
    assert "已忽略未知的 URL 参数 “bogus”。" in notices
    assert any(n.startswith("“points=abc” 不是整数；使用默认值（") for n in notices)
    _cfg, english = from_query({"bogus": "1"})
    assert english == ["Unknown URL parameter “bogus” ignored."]

    cfg = PlaygroundConfig()
    cfg.data.dataset = "reg-plane"
    cfg.training.learning_rate = 10.0
    exp = Experiment(cfg)
    for _i in range(20):
        if exp.tick(budget_s=60.0).stopped:
            break
    assert exp.status == "diverged"
    with using("zh"):
        message = exp.divergence_message()
    assert message.startswith("损失在第 ") and "变成了" in message and "学习率 10 可能太高了" in message
    assert "The loss became NaN" in exp.divergence_message()


def test_every_engine_translation_keeps_the_fields_of_its_message():
    """A translation may reorder or drop the English-only {s} (plural ending) and use {symbol} for
    {delimiter}, but never asks for a parameter the code does not pass: error_text would fall back
    to English."""
    from babel.messages.pofile import read_po

    from playground.i18n import LOCALE_DIR

    with open(LOCALE_DIR / "zh" / "LC_MESSAGES" / "engine.po", "rb") as fh:
        catalog = read_po(fh)
    checked = 0
    for m in catalog:
        if not m.id or "{" not in m.id:
            continue
        wanted = {f for _l, f, _s, _c in string.Formatter().parse(m.id) if f}
        given = {f for _l, f, _s, _c in string.Formatter().parse(m.string) if f}
        allowed = wanted | ({"symbol"} if "delimiter" in wanted else set())
        assert given <= allowed, (m.id, m.string)
        assert wanted - given <= {"s", "delimiter"}, (m.id, m.string)
        assert _has_chinese(m.string), m.id
        checked += 1
    assert checked > 200
    assert translations("zh").gettext("Unknown URL parameter “{key}” ignored.") != (
        "Unknown URL parameter “{key}” ignored."
    )


def test_registry_labels_and_help_are_in_the_catalog():
    from playground.engine import ACTIVATIONS, OPTIMIZERS

    with using("zh"):
        zh = translations("zh")
        assert _has_chinese(zh.gettext(OPTIMIZERS["momentum"].description))
        assert _has_chinese(zh.gettext(OPTIMIZERS["adam"].params["beta1"].help))
        assert _has_chinese(zh.gettext(ACTIVATIONS["identity"].label))


def test_early_stopping_message_is_recomputed_in_the_active_language():
    cfg = PlaygroundConfig.from_dict(
        {
            "data": {"dataset": "spiral", "val_fraction": 0.3, "noise": 30},
            "model": {"hidden": [16, 16]},
            "training": {"optimizer": "adam", "learning_rate": 0.1, "early_stopping": True, "patience": 2},
        }
    )
    exp = Experiment(cfg)
    assert exp.early_stopping_message() is None
    with using("zh"):
        for _i in range(100):
            said = exp.tick(20, budget_s=60.0).stopped
            if said:
                break
    assert exp.status == "early_stopped"
    best = exp.trainer.best_epoch
    assert said == f"早停：验证损失不再下降；已恢复第 {best} 轮的权重。"
    assert exp.early_stopping_message() == (
        f"Early stopping: the validation loss stopped improving; the weights of epoch {best} were restored."
    )
