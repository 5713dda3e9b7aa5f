"""`framing report`: the statistics against cases worked by hand, the tables of a scored corpus,
the report folder, and refusals of what it cannot read."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from framing.cli import main
from framing.corpus_articles import FORMAT, article_table
from framing.errors import FramingError
from framing.report import report_tables
from framing.report_data import parse_dates
from framing.report_stats import log_odds, share_interval

LABELS = ["neutral", "editorializing"]


def analysis(flags: list[bool], quoted: list[bool], words: list[list[str]]) -> dict:
    sentences = [
        {
            "start": 0,
            "end": 1,
            "text": f"Sentence {i} about {' '.join(w) or 'nothing'}.",
            "label": LABELS[f],
            "score": 0.9 if f else 0.8,
            "scores": {"editorializing": 0.9 if f else 0.2, "neutral": 0.1 if f else 0.8},
            "flagged": f,
            "quoted": q,
            "truncated": False,
            "words": w,
        }
        for i, (f, q, w) in enumerate(zip(flags, quoted, words))
    ]
    return {
        "title": None,
        "error": None,
        "sentences": sentences,
        "mean_probability": float(np.mean([s["scores"]["editorializing"] for s in sentences])),
    }


def scored_corpus(path, groups: dict[str, tuple[int, float]], model: str = "m1", dates=None, words=None):
    """A scored file as framing predict --articles writes it: per group (articles, share), each
    article of 10 writer's-voice sentences (round(share * 10) flagged) and 2 quoted ones."""
    inputs, analyses = [], []
    for group, (count, share) in groups.items():
        for i in range(count):
            flagged = round(share * 10)
            marks = [[(words or {}).get(group, "loaded")] if j < flagged else [] for j in range(10)] + [["quoted"], []]
            analyses.append(
                analysis([j < flagged for j in range(10)] + [True, False], [False] * 10 + [True] * 2, marks)
            )
            inputs.append(
                {
                    "outlet": group,
                    "date": (dates or {}).get(group, f"2019-0{1 + i % 3}-15"),
                    "url": f"https://example.org/{group}/{i}",
                    "title": f"{group} story {i}",
                }
            )
    frame = pd.DataFrame(inputs)
    table = article_table(frame, analyses, frame, LABELS, model)
    {
        ".parquet": table.to_parquet,
        ".csv": lambda p, **o: table.assign(
            words=table["words"].map(lambda w: "|".join(w) if isinstance(w, list) else w)
        ).to_csv(p, index=False),
        ".jsonl": lambda p, **o: table.to_json(p, orient="records", lines=True),
    }[path.suffix](path, index=False)
    return path


def test_share_is_a_ratio_of_sums_and_its_interval_comes_from_resampling_articles():
    assert share_interval([1, 3], [2, 6])[0] == pytest.approx(0.5)
    same = share_interval([2] * 30, [10] * 30)  # every article alike: no uncertainty left
    assert same == pytest.approx((0.2, 0.2, 0.2))
    # one sentence per article, p = 0.3 over 2,000 articles: the binomial interval
    rng = np.random.default_rng(1)
    flags = (rng.random(2000) < 0.3).astype(float)
    share, low, high = share_interval(flags, np.ones(2000))
    half = 1.96 * math.sqrt(share * (1 - share) / 2000)
    assert low == pytest.approx(share - half, abs=0.004) and high == pytest.approx(share + half, abs=0.004)


def test_the_interval_widens_when_sentences_cluster_in_articles():
    # 40 articles of 50 sentences: all flagged or none (clustered) against mixed alike
    clustered = share_interval([50] * 20 + [0] * 20, [50] * 40)
    mixed = share_interval([25] * 40, [50] * 40)
    assert clustered[0] == mixed[0] == 0.5
    assert clustered[2] - clustered[1] > 0.25 and mixed[2] - mixed[1] == 0


def test_log_odds_match_a_hand_computed_example():
    here, there = Counter({"radical": 8, "said": 2}), Counter({"radical": 2, "said": 8})
    table = log_odds(here, there, prior_strength=10).set_index("word")
    # alpha = 10 * 10/20 = 5 for each word, alpha0 = 10; n_here = n_there = 10
    delta = math.log(13 / 7) - math.log(7 / 13)
    assert table.loc["radical", "delta"] == pytest.approx(delta)
    assert table.loc["radical", "z"] == pytest.approx(delta / math.sqrt(1 / 13 + 1 / 7))
    assert table.loc["said", "z"] == pytest.approx(-table.loc["radical", "z"])
    assert table.loc["radical", "count"] == 8 and table.loc["radical", "count_elsewhere"] == 2


def test_dates_parse_in_whole_or_are_left_out_never_guessed():
    values = pd.Series(
        ["2019-03-07", "3/7/19", "03/07/2019", "2019-03-07T10:00:00Z", "", None, "yesterday", "2019-13-45"]
    )
    parsed = parse_dates(values)
    assert [str(d.date()) if not pd.isna(d) else None for d in parsed] == [
        "2019-03-07",
        "2019-03-07",
        "2019-03-07",
        "2019-03-07",
        None,
        None,
        None,
        None,
    ]
    assert str(parse_dates(pd.Series(["07.03.2019"]), "%d.%m.%Y")[0].date()) == "2019-03-07"


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_groups_are_ranked_with_intervals_and_small_groups_are_not(tmp_path, suffix):
    path = scored_corpus(tmp_path / f"s{suffix}", {"Loud": (25, 0.6), "Calm": (30, 0.1), "Tiny": (3, 0.9)})
    tables = report_tables(path, by="outlet", min_articles=20)
    groups = tables["groups"].set_index("outlet")
    assert list(tables["groups"]["outlet"]) == ["Loud", "Calm", "Tiny"]
    assert groups.loc["Loud", "rank"] == 1 and groups.loc["Calm", "rank"] == 2 and pd.isna(groups.loc["Tiny", "rank"])
    assert groups.loc["Loud", "author_voice_share"] == pytest.approx(0.6)
    assert groups.loc["Calm", "quoted_share"] == pytest.approx(0.5)  # quotes counted apart
    assert groups.loc["Loud", "articles"] == 25 and groups.loc["Loud", "sentences"] == 25 * 12
    assert "fewer than 20 articles" in " ".join(tables["notes"]["note"])
    extremes = tables["articles"]
    assert set(extremes["which"]) == {"most", "least"} and extremes["url"].str.startswith("https://").all()


def test_words_that_set_groups_apart(tmp_path):
    path = scored_corpus(tmp_path / "s.parquet", {"A": (20, 0.5), "B": (20, 0.5)}, words={"A": "radical", "B": "hero"})
    words = report_tables(path, by="outlet")["words"]
    assert words[words["outlet"] == "A"]["word"].iloc[0] == "radical"
    assert words[words["outlet"] == "B"]["word"].iloc[0] == "hero"
    assert "quoted" not in set(words["word"])  # words of quoted speech are the speaker's


def test_over_time_filters_and_bad_dates_are_named(tmp_path):
    path = scored_corpus(tmp_path / "s.parquet", {"A": (20, 0.5), "B": (20, 0.2)}, dates={"B": "someday"})
    tables = report_tables(path, by="outlet", time="date", freq="month", min_articles=5)
    over_time = tables["over_time"]
    assert set(over_time["outlet"]) == {"A"} and set(over_time["period"]) == {"2019-01", "2019-02", "2019-03"}
    assert any("20 article(s) whose date is not a date" in n and "'someday'" in n for n in tables["notes"]["note"])
    only_b = report_tables(path, by="outlet", filters=["outlet=B"])
    assert list(only_b["groups"]["outlet"]) == ["B"]


def test_the_report_folder_opens_offline(tmp_path):
    path = scored_corpus(tmp_path / "s.parquet", {"A<b>": (20, 0.5), "B": (20, 0.2)})
    assert main(["report", str(path), "--by", "outlet", "--time", "date", "--output", str(tmp_path / "r")]) == 0
    folder = tmp_path / "r"
    for name in (
        "index.html",
        "groups.csv",
        "over_time.csv",
        "words.csv",
        "shares.png",
        "shares.svg",
        "over_time.png",
        "over_time.svg",
    ):
        assert (folder / name).is_file(), name
    page = (folder / "index.html").read_text()
    assert "<script" not in page and "<link" not in page and 'src="http' not in page  # nothing fetched
    assert "A&lt;b&gt;" in page and "A<b>" not in page  # group names escaped
    assert "<svg" in page and "What these figures cannot tell" in page
    assert "scored without a technique head" in page  # its file has no technique columns
    assert "https://example.org/A<b>/0" not in page
    # a second run without --overwrite keeps the first; a folder framing did not write is never replaced
    assert main(["report", str(path), "--by", "outlet", "--output", str(folder)]) == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert main(["report", str(path), "--by", "outlet", "--output", str(tmp_path / "mine"), "--overwrite"]) == 2
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_a_head_that_found_nothing_is_told_apart_from_no_head(tmp_path):
    # JSON lines name only the techniques found: a head that found none is still a head
    path = scored_corpus(tmp_path / "s.jsonl", {"A": (3, 0.5)})
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row["techniques"] = {"author_voice": {}, "quoted": {}} if row["level"] == "article" else []
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["report", str(path), "--by", "outlet", "--output", str(tmp_path / "r"), "--min-articles", "1"]) == 0
    page = (tmp_path / "r" / "index.html").read_text()
    assert "uses a persuasion technique the model finds" in page and "without a technique head" not in page


def test_what_a_report_cannot_read_is_refused_in_one_line(tmp_path):
    good = scored_corpus(tmp_path / "s.parquet", {"A": (5, 0.5)})
    with pytest.raises(FramingError, match=r"no column publisher \(its columns beside the scores: .*outlet"):
        report_tables(good, by="publisher")
    mixed = pd.concat(
        [pd.read_parquet(good), pd.read_parquet(scored_corpus(tmp_path / "t.parquet", {"A": (5, 0.5)}, model="m2"))]
    )
    mixed.to_parquet(tmp_path / "mixed.parquet")
    with pytest.raises(FramingError, match="rows from 2 models"):
        report_tables(tmp_path / "mixed.parquet", by="outlet")
    old = pd.read_parquet(good).assign(layout="framing-articles/0")
    old.to_parquet(tmp_path / "old.parquet")
    with pytest.raises(FramingError, match=f"this version reads {FORMAT}"):
        report_tables(tmp_path / "old.parquet", by="outlet")
    passages = pd.DataFrame({"row": [1], "label": ["neutral"], "score": [0.9], "outlet": ["A"]})
    passages.to_parquet(tmp_path / "passages.parquet")
    with pytest.raises(FramingError, match="not the output of framing predict --articles"):
        report_tables(tmp_path / "passages.parquet", by="outlet")
    with pytest.raises(FramingError, match="--filter outlet: expected COLUMN=VALUE"):
        report_tables(good, by="outlet", filters=["outlet"])
    with pytest.raises(FramingError, match="no rows left after outlet=Z"):
        report_tables(good, by="outlet", filters=["outlet=Z"])
