"""Writes the word-embedding lab's corpus: ``playground/text/corpora/wordvec_{en,zh}.txt`` and the
planted analogies ``wordvec_analogies_{en,zh}.txt``.

The sentences are our own (the project's licence): a few hand-written sentence frames per theme,
filled with parallel English / Chinese word lists and shuffled with a fixed seed, so the two files
say the same thing line by line. Each theme plants a structure word2vec and GloVe can find:

* royalty × gender — a word's contexts are those of its role (crown, throne …) plus those of its
  gender (he/his, she/her), so king − man + woman lands near queen;
* countries × capitals — a capital shares its language with its country and "city" words with the
  other capitals, so paris − france + italy lands near rome;
* numbers × ordinals — "three" and "third" share the digit 3;
* verbs × tenses — "ran" and "run" share their objects, "ran" and "walked" the word yesterday;
* food and drink — two clusters (eat … bread, drink … tea).

The Chinese file is segmented by hand into words separated by spaces (国王 爱 女王); a past form is
written verb+了 as one token (走了) so that the tense structure matches the English one.

Run ``python3 playground/text/corpora/make_wordvec.py`` to rewrite the files (the output is
deterministic; a test checks the shipped files equal it).
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent

# (male, female, role contexts) in English and Chinese
GENDER = [
    (("king", "queen", ("crown", "throne", "kingdom")), ("国王", "女王", ("王冠", "王座", "王国"))),
    (("prince", "princess", ("castle", "horse", "tower")), ("王子", "公主", ("城堡", "骏马", "高塔"))),
    (("man", "woman", ("job", "office", "car")), ("男人", "女人", ("工作", "办公室", "汽车"))),
    (("father", "mother", ("family", "house", "garden")), ("父亲", "母亲", ("家庭", "房子", "花园"))),
    (("son", "daughter", ("parents", "toys", "birthday")), ("儿子", "女儿", ("父母", "玩具", "生日"))),
    (("brother", "sister", ("sibling", "bicycle", "room")), ("兄弟", "姐妹", ("同胞", "自行车", "房间"))),
    (("husband", "wife", ("wedding", "ring", "marriage")), ("丈夫", "妻子", ("婚礼", "戒指", "婚姻"))),
    (("uncle", "aunt", ("nephew", "niece", "farm")), ("叔叔", "阿姨", ("侄子", "侄女", "农场"))),
    (("boy", "girl", ("school", "ball", "teacher")), ("男孩", "女孩", ("学校", "皮球", "老师"))),
    (("actor", "actress", ("stage", "film", "theatre")), ("男演员", "女演员", ("舞台", "电影", "剧院"))),
]
PRONOUNS = {
    "en": {"m": ("he", "his"), "f": ("she", "her")},
    "zh": {"m": ("他", "他 的"), "f": ("她", "她 的")},
}

CAPITALS = [
    (("paris", "france", "french"), ("巴黎", "法国", "法语")),
    (("rome", "italy", "italian"), ("罗马", "意大利", "意大利语")),
    (("madrid", "spain", "spanish"), ("马德里", "西班牙", "西班牙语")),
    (("berlin", "germany", "german"), ("柏林", "德国", "德语")),
    (("tokyo", "japan", "japanese"), ("东京", "日本", "日语")),
    (("beijing", "china", "chinese"), ("北京", "中国", "汉语")),
    (("moscow", "russia", "russian"), ("莫斯科", "俄罗斯", "俄语")),
    (("athens", "greece", "greek"), ("雅典", "希腊", "希腊语")),
    (("lisbon", "portugal", "portuguese"), ("里斯本", "葡萄牙", "葡萄牙语")),
    (("cairo", "egypt", "arabic"), ("开罗", "埃及", "阿拉伯语")),
    (("warsaw", "poland", "polish"), ("华沙", "波兰", "波兰语")),
    (("stockholm", "sweden", "swedish"), ("斯德哥尔摩", "瑞典", "瑞典语")),
]

NUMBERS = [
    (("one", "first"), ("一", "第一")),
    (("two", "second"), ("二", "第二")),
    (("three", "third"), ("三", "第三")),
    (("four", "fourth"), ("四", "第四")),
    (("five", "fifth"), ("五", "第五")),
    (("six", "sixth"), ("六", "第六")),
    (("seven", "seventh"), ("七", "第七")),
    (("eight", "eighth"), ("八", "第八")),
    (("nine", "ninth"), ("九", "第九")),
    (("ten", "tenth"), ("十", "第十")),
]

# a thing that comes in each number, shared by the number and its ordinal
THINGS = [
    ("moon", "月亮"), ("eyes", "眼睛"), ("wheels", "轮子"), ("seasons", "季节"), ("fingers", "手指"),
    ("strings", "琴弦"), ("days", "日子"), ("legs", "腿"), ("planets", "行星"), ("toes", "脚趾"),
]  # fmt: skip

FOODS = [
    ("bread", "面包"),
    ("rice", "米饭"),
    ("cheese", "奶酪"),
    ("apples", "苹果"),
    ("soup", "汤"),
    ("cake", "蛋糕"),
]
DRINKS = [
    ("water", "水"),
    ("tea", "茶"),
    ("coffee", "咖啡"),
    ("milk", "牛奶"),
    ("juice", "果汁"),
    ("wine", "葡萄酒"),
]

# (present, past, objects) — objects "FOOD"/"DRINK" draw from the lists above
VERBS = [
    (("walk", "walked", ("to the park", "along the river")), ("走", "走了", ("到 公园", "沿着 河边"))),
    (("run", "ran", ("in the race", "up the hill")), ("跑", "跑了", ("在 赛跑 中", "上 山坡"))),
    (("eat", "ate", ("FOOD",)), ("吃", "吃了", ("FOOD",))),
    (("drink", "drank", ("DRINK",)), ("喝", "喝了", ("DRINK",))),
    (("go", "went", ("to the market", "to the library")), ("去", "去了", ("市场", "图书馆"))),
    (("see", "saw", ("the stars", "the birds")), ("看", "看了", ("星星", "鸟儿"))),
    (("write", "wrote", ("a letter", "a poem")), ("写", "写了", ("一封 信", "一首 诗"))),
    (("sing", "sang", ("a song", "in the choir")), ("唱", "唱了", ("一首 歌", "在 合唱团 里"))),
    (("swim", "swam", ("in the lake", "in the sea")), ("游", "游了", ("在 湖 里", "在 海 里"))),
    (("sleep", "slept", ("in the tent", "all night")), ("睡", "睡了", ("在 帐篷 里", "一整夜"))),
]
PRESENT = {"en": ("every day", "usually", "today"), "zh": ("每天", "通常", "今天")}
PAST = {"en": ("yesterday", "last week", "long ago"), "zh": ("昨天", "上周", "很久以前")}
SCALE = 3
"""Each frame is written SCALE × its base count of times."""
SUBJECTS = {"en": ("we", "they", "i", "you"), "zh": ("我们", "他们", "我", "你们")}


def _pick(r: random.Random, seq):
    return seq[r.randrange(len(seq))]


def gender_lines(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for (m_en, f_en, ctx_en), (m_zh, f_zh, ctx_zh) in GENDER:
        for g, w_en, w_zh in (("m", m_en, m_zh), ("f", f_en, f_zh)):
            he, his = PRONOUNS["en"][g]
            ta, tade = PRONOUNS["zh"][g]
            for _rep in range(4 * SCALE):
                i, j = r.randrange(3), r.randrange(3)
                frames = [
                    (
                        f"the {w_en} has a {ctx_en[i]} and {he} likes {his} {ctx_en[j]}",
                        f"{w_zh} 有 一个 {ctx_zh[i]} {ta} 喜欢 {tade} {ctx_zh[j]}",
                    ),
                    (f"{he} is the {w_en} of the {ctx_en[i]}", f"{ta} 是 {ctx_zh[i]} 的 {w_zh}"),
                    (
                        f"the {w_en} told us that {he} lost {his} {ctx_en[j]}",
                        f"{w_zh} 告诉 我们 {ta} 丢 了 {tade} {ctx_zh[j]}",
                    ),
                    (
                        f"everyone knows the {w_en} and {his} {ctx_en[i]}",
                        f"大家 都 认识 {w_zh} 和 {tade} {ctx_zh[i]}",
                    ),
                ]
                out += frames
        for _rep in range(3 * SCALE):
            i = r.randrange(3)
            out.append(
                (f"the {m_en} and the {f_en} share the {ctx_en[i]}", f"{m_zh} 和 {f_zh} 共用 {ctx_zh[i]}")
            )
    return out


def capital_lines(r: random.Random) -> list[tuple[str, str]]:
    out = []
    n = len(CAPITALS)
    for k, ((city, country, lang), (city_z, country_z, lang_z)) in enumerate(CAPITALS):
        for _rep in range(4 * SCALE):
            (city2, country2, _l2), (city2_z, country2_z, _l2z) = CAPITALS[(k + 1 + r.randrange(n - 1)) % n]
            out += [
                (f"{city} is the capital of {country}", f"{city_z} 是 {country_z} 的 首都"),
                (f"people in {city} speak {lang}", f"{city_z} 的 人 说 {lang_z}"),
                (f"people in {country} speak {lang}", f"{country_z} 的 人 说 {lang_z}"),
                (f"{city} is a big city with old streets", f"{city_z} 是 一座 大 城市 有 古老 的 街道"),
                (
                    f"{country} is a large country with a long border",
                    f"{country_z} 是 一个 大 国家 有 很 长 的 边境",
                ),
                (f"the mayor of {city} loves {lang} songs", f"{city_z} 的 市长 喜欢 {lang_z} 歌曲"),
                (f"the president of {country} reads {lang} books", f"{country_z} 的 总统 读 {lang_z} 书籍"),
                (f"we travel by train from {city} to {city2}", f"我们 坐 火车 从 {city_z} 旅行 到 {city2_z}"),
                (
                    f"the border between {country} and {country2} is open",
                    f"{country_z} 和 {country2_z} 之间 的 边境 是 开放 的",
                ),
            ]
    return out


def number_lines(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for k, ((num, ordi), (num_z, ordi_z)) in enumerate(NUMBERS):
        d = str(k + 1)
        thing, thing_z = THINGS[k]
        for _rep in range(4 * SCALE):
            out += [
                (f"{num} is written as {d}", f"{num_z} 写 作 {d}"),
                (f"the {ordi} place is number {d}", f"{ordi_z} 名 是 {d} 号"),
                (f"we counted {num} stones on the path", f"我们 在 路 上 数 出 {num_z} 块 石头"),
                (f"the runner finished {ordi} in the race", f"那位 选手 在 比赛 中 得 了 {ordi_z}"),
                (f"the number {num} has the digit {d}", f"数字 {num_z} 的 写法 是 {d}"),
                (f"the {ordi} prize shows the digit {d}", f"{ordi_z} 名 的 奖牌 上 有 {d}"),
                (f"there are {num} {thing} in the picture", f"图 里 有 {num_z} 个 {thing_z}"),
                (f"look at the {ordi} of the {thing}", f"看 {thing_z} 里 的 {ordi_z} 个"),
            ]
    return out


def verb_lines(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for (v, vp, objs), (v_z, vp_z, objs_z) in VERBS:
        for _rep in range(6 * SCALE):
            i = r.randrange(len(objs))
            obj, obj_z = objs[i], objs_z[i]
            if obj in ("FOOD", "DRINK"):
                obj, obj_z = _pick(r, FOODS if obj == "FOOD" else DRINKS)
            s = r.randrange(4)
            subj, subj_z = SUBJECTS["en"][s], SUBJECTS["zh"][s]
            t = r.randrange(3)
            out += [
                (f"{PRESENT['en'][t]} {subj} {v} {obj}", f"{subj_z} {PRESENT['zh'][t]} {v_z} {obj_z}"),
                (f"{PAST['en'][t]} {subj} {vp} {obj}", f"{subj_z} {PAST['zh'][t]} {vp_z} {obj_z}"),
            ]
    return out


def food_lines(r: random.Random) -> list[tuple[str, str]]:
    out = []
    for _rep in range(10 * SCALE):
        (f1, f1z), (f2, f2z) = r.sample(FOODS, 2)
        (d1, d1z), (d2, d2z) = r.sample(DRINKS, 2)
        out += [
            (f"{f1} and {f2} are good food", f"{f1z} 和 {f2z} 是 好 食物"),
            (f"a cup of {d1} or a glass of {d2}", f"一杯 {d1z} 或者 一杯 {d2z}"),
            (f"for lunch we had {f1} with a hot {d1}", f"午饭 我们 吃 {f1z} 配 热 {d1z}"),
            (f"the shop sells fresh {f2} and cold {d2}", f"商店 卖 新鲜 的 {f2z} 和 冰 {d2z}"),
        ]
    return out


def analogies() -> dict[str, list[tuple[str, str, str, str, str]]]:
    """(category, a, b, c, d): d ≈ b − a + c, for every ordered couple of distinct pairs."""
    sets = {
        "gender": ([(m, f) for (m, f, _c), _z in GENDER], [(m, f) for _e, (m, f, _c) in GENDER]),
        "capital": ([(c, ci) for (ci, c, _l), _z in CAPITALS], [(c, ci) for _e, (ci, c, _l) in CAPITALS]),
        "ordinal": ([e for e, _z in NUMBERS], [z for _e, z in NUMBERS]),
        "tense": ([(v, p) for (v, p, _o), _z in VERBS], [(v, p) for _e, (v, p, _o) in VERBS]),
    }
    out: dict[str, list] = {"en": [], "zh": []}
    for cat, (pairs_en, pairs_zh) in sets.items():
        for lang, pairs in (("en", pairs_en), ("zh", pairs_zh)):
            for i, (a, b) in enumerate(pairs):
                for j, (c, d) in enumerate(pairs):
                    if i != j:
                        out[lang].append((cat, a, b, c, d))
    return out


def build() -> dict[str, str]:
    """The files' contents by name."""
    r = random.Random(16)
    lines = gender_lines(r) + capital_lines(r) + number_lines(r) + verb_lines(r) + food_lines(r)
    r.shuffle(lines)
    # paragraphs of 3 to 5 sentences: words of neighbouring sentences co-occur a little, as in real
    # text (GloVe learns from small counts as much as from large ones; a count of 0 teaches it nothing)
    paras, k = [], 0
    while k < len(lines):
        n = 3 + r.randrange(3)
        paras.append(
            (
                ". ".join(x[0] for x in lines[k : k + n]) + ".",
                " 。 ".join(x[1] for x in lines[k : k + n]) + " 。",
            )
        )
        k += n
    files = {}
    for k, lang in enumerate(("en", "zh")):
        files[f"wordvec_{lang}.txt"] = "\n".join(pair[k] for pair in paras) + "\n"
    for lang, rows in analogies().items():
        text = "# category a b c d: d ≈ b − a + c (written by make_wordvec.py)\n"
        files[f"wordvec_analogies_{lang}.txt"] = text + "\n".join(" ".join(row) for row in rows) + "\n"
    return files


def main() -> None:
    for name, text in build().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(name, len(text.splitlines()), "lines")


if __name__ == "__main__":
    main()
