"""The fastText lab's two shipped data sets, written for the lesson (English and Chinese).

Short customer messages to a small restaurant-and-shop, in fastText's ``__label__`` format, one
message per line. Six labels with skewed frequencies (so the labels' Huffman tree is lopsided):
praise, complaint, question, delivery, refund, spam. About a third of the praise and complaint
lines are **negated** ("the soup was not good" is a complaint, "the room was not dirty" praise):
the word "not" (不) occurs equally in both, so a bag of single words cannot tell them apart and
word bigrams ("not good", "不 好") can.

The files ``playground/text/corpora/fasttext_en.txt`` / ``fasttext_zh.txt`` are this module's
output (``python3 playground/text/corpora/make_fasttext.py`` rewrites them; a test checks they are
equal): the templates and word lists below are the project's own writing. The Chinese file is
stored unsegmented; the lesson segments it by characters.
"""

from __future__ import annotations

import random
from pathlib import Path

CORPORA = Path(__file__).resolve().parent
#: Lines per label (skewed on purpose).
COUNTS = {"praise": 330, "complaint": 220, "question": 110, "delivery": 70, "refund": 45, "spam": 25}

EN = {
    "things": [
        "food",
        "soup",
        "coffee",
        "bread",
        "pasta",
        "salad",
        "cake",
        "tea",
        "room",
        "table",
        "service",
        "staff",
        "waiter",
        "music",
        "menu",
        "price",
        "pizza",
        "dessert",
        "shop",
        "bed",
    ],
    "good": ["good", "great", "tasty", "friendly", "clean", "fresh", "lovely", "excellent", "nice", "warm"],
    "bad": ["bad", "awful", "bland", "rude", "dirty", "stale", "terrible", "slow", "noisy", "greasy"],
    "openers": ["", "", "honestly", "today", "last night", "this time", "overall", "well"],
    "was": ["was", "is", "was really", "seemed", "was simply", "felt"],
    "praise_tail": ["", "", "we will come back", "thank you", "see you soon", "five stars"],
    "complaint_tail": ["", "", "never again", "what a pity", "very disappointing", "one star"],
}
EN_TEMPLATES = {
    "question": [
        "do you open on {day} ?",
        "is there parking near the {place} ?",
        "can i book a table for {n} people ?",
        "what time does the kitchen close on {day} ?",
        "do you have a vegan {thing} ?",
        "can i bring my dog to the {place} ?",
        "is the {thing} spicy ?",
        "do you sell {thing} to take away ?",
        "can i pay by card at the {place} ?",
        "is the {thing} made fresh every {day} ?",
        "how much is the {thing} ?",
        "are you open for lunch on {day} ?",
    ],
    "delivery": [
        "my order arrived {n} hours late",
        "the parcel never came to my {place}",
        "delivery took {n} days",
        "the courier left the box at the wrong {place}",
        "tracking says delivered but no parcel at my {place}",
        "the driver lost my order of {thing}",
        "still waiting for the delivery of my {thing}",
    ],
    "refund": [
        "i want my money back for the {thing}",
        "please refund the {n} euros",
        "how do i get a refund for the {thing}",
        "i was charged twice for the {thing} please refund",
        "refund my order of {thing} please",
        "cancel my order and send the money back",
    ],
    "spam": [
        "win a free {prize} click here now",
        "cheap {prize} visit our site today",
        "you have been selected for a {prize}",
        "earn {n} euros a day from home click now",
        "limited offer free {prize} for you",
    ],
}
EN_FILL = {
    "day": ["sunday", "monday", "friday", "saturday", "holidays"],
    "place": ["restaurant", "shop", "house", "office", "door", "station"],
    "n": ["2", "3", "4", "5", "6", "8", "10"],
    "prize": ["phone", "holiday", "watch", "laptop", "gift card", "cruise"],
}

ZH = {
    "things": [
        "菜",
        "汤",
        "咖啡",
        "面包",
        "面条",
        "沙拉",
        "蛋糕",
        "茶",
        "房间",
        "桌子",
        "服务",
        "服务员",
        "老板",
        "音乐",
        "菜单",
        "价格",
        "饺子",
        "甜点",
        "店",
        "床",
    ],
    "good": ["好吃", "好", "干净", "新鲜", "热情", "便宜", "舒服", "好看", "香", "安静"],
    "bad": ["难吃", "差", "脏", "贵", "冷淡", "慢", "吵", "油腻", "咸", "旧"],
    "openers": ["", "", "说实话", "今天", "昨晚", "这次", "总的来说", "感觉"],
    "was": ["", "很", "真", "非常", "特别", "实在"],
    "praise_tail": ["", "", "还会再来", "谢谢", "推荐", "五星"],
    "complaint_tail": ["", "", "再也不来了", "太可惜了", "很失望", "一星"],
}
ZH_TEMPLATES = {
    "question": [
        "请问{day}营业吗？",
        "{place}附近有停车位吗？",
        "可以订{n}个人的桌子吗？",
        "{day}厨房几点关门？",
        "有素食的{thing}吗？",
        "可以带狗去{place}吗？",
        "{thing}辣不辣？",
        "{thing}可以打包吗？",
        "{place}可以刷卡吗？",
        "{thing}是{day}现做的吗？",
        "{thing}多少钱？",
        "{day}中午开门吗？",
    ],
    "delivery": [
        "我的订单晚到了{n}个小时",
        "包裹一直没送到{place}",
        "快递送了{n}天",
        "快递员把箱子放错了{place}",
        "显示已送达但是{place}没有包裹",
        "司机把我的{thing}弄丢了",
        "还在等我的{thing}送过来",
    ],
    "refund": [
        "我要退{thing}的钱",
        "请退还{n}块钱",
        "{thing}怎么申请退款",
        "{thing}扣了两次钱请退款",
        "请给我的{thing}订单退款",
        "取消订单把钱退给我",
    ],
    "spam": [
        "免费领{prize}点击这里",
        "便宜{prize}快来我们网站",
        "恭喜你获得{prize}",
        "在家每天赚{n}百块马上点击",
        "限时优惠免费送{prize}",
    ],
}
ZH_FILL = {
    "day": ["周日", "周一", "周五", "周六", "节假日"],
    "place": ["餐厅", "店里", "家里", "公司", "门口", "车站"],
    "n": ["2", "3", "4", "5", "6", "8", "10"],
    "prize": ["手机", "旅游", "手表", "电脑", "购物卡", "游轮票"],
}
ZH_LABELS = {
    "praise": "好评",
    "complaint": "差评",
    "question": "提问",
    "delivery": "配送",
    "refund": "退款",
    "spam": "广告",
}


def _opinion(rng: random.Random, words: dict, label: str, zh: bool) -> str:
    """A praise or complaint line; about a third negated (not + the opposite adjective)."""
    negated = rng.random() < 0.36
    want_good = (label == "praise") != negated
    adj = rng.choice(words["good" if want_good else "bad"])
    thing = rng.choice(words["things"])
    opener = rng.choice(words["openers"])
    tail = rng.choice(words["praise_tail" if label == "praise" else "complaint_tail"])
    if zh:
        body = f"{thing}{'不' + adj if negated else rng.choice(words['was']) + adj}"
        parts = [opener + "，" if opener else "", body, "，" + tail if tail else ""]
        return "".join(parts)
    was = rng.choice(words["was"])
    body = f"the {thing} {was} {'not ' if negated else ''}{adj}"
    return " ".join(p for p in (opener, body, tail) if p)


def _templated(rng: random.Random, templates: list[str], fill: dict, things: list[str]) -> str:
    text = rng.choice(templates)
    for key, options in fill.items():
        text = text.replace("{" + key + "}", rng.choice(options))
    return text.replace("{thing}", rng.choice(things))


def make_lines(lang: str, seed: int = 17) -> list[str]:
    """The data set's lines (labels first), shuffled; messages unique within a label."""
    zh = lang == "zh"
    words, templates, fill = (ZH, ZH_TEMPLATES, ZH_FILL) if zh else (EN, EN_TEMPLATES, EN_FILL)
    rng = random.Random(seed)
    lines, seen = [], set()
    for label, count in COUNTS.items():
        name = ZH_LABELS[label] if zh else label
        made, attempts = 0, 0
        while made < count and attempts < 50 * count:
            attempts += 1
            if label in ("praise", "complaint"):
                text = _opinion(rng, words, label, zh)
            else:
                text = _templated(rng, templates[label], fill, words["things"])
            if text in seen:
                continue
            seen.add(text)
            lines.append(f"__label__{name} {text}")
            made += 1
    rng.shuffle(lines)
    return lines


def write(directory: Path = CORPORA) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        (directory / f"fasttext_{lang}.txt").write_text("\n".join(make_lines(lang)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
