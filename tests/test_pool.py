"""The distillation pool (`framing pool`, training/pool.py): unlabelled news sentences without
boilerplate or labelled sentences, balanced by outlet over one or several sources."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framing.errors import FramingError
from framing.training.pool import build_pool, is_sentence

from helpers import EDITORIAL, NEUTRAL


def _articles() -> pd.DataFrame:
    rows = []
    for outlet, count in [("Big Outlet", 12), ("Small Outlet", 2), ("Third", 6)]:
        for i in range(count):
            body = (
                f"{NEUTRAL[i % len(NEUTRAL)]}\n\nPhoto credit: Staff photographer.\n\n"
                f"{EDITORIAL[i % len(EDITORIAL)]} Read more at www.example.com today.\n\nSubscribe\n\n"
                f"The council met in session {outlet} number {i} on Tuesday."
            )
            rows.append(
                {
                    "id": f"{outlet}-{i}",
                    "outlet": outlet,
                    "topic": ["economy", "health"][i % 2],
                    "date": f"20{15 + i % 3}-01-01",
                    "text": body,
                }
            )
    return pd.DataFrame(rows)


def test_pool_drops_boilerplate_and_labelled_sentences_and_balances_outlets(tmp_path):
    _articles().to_parquet(tmp_path / "articles.parquet")
    labelled = pd.DataFrame({"text": [NEUTRAL[0].upper()]})  # matched whatever the case
    labelled.to_csv(tmp_path / "dev.csv", index=False)
    out = tmp_path / "pool.parquet"
    counts = build_pool(str(tmp_path / "articles.parquet"), out, 12, [str(tmp_path / "dev.csv")], seed=1)
    pool = pd.read_parquet(out)
    assert len(pool) == counts["pool"] == 12 and counts["labelled_sentences_removed"] >= 1
    assert NEUTRAL[0] not in set(pool["text"]) and not pool["text"].str.contains("Photo|Read more|Subscribe").any()
    per_outlet = pool["outlet"].value_counts()
    # the small outlet gives the 2 sentences it has (its others repeat other outlets'); the rest share the rest
    assert per_outlet.to_dict() == {"Big Outlet": 5, "Third": 5, "Small Outlet": 2}
    again = tmp_path / "again.parquet"
    build_pool(str(tmp_path / "articles.parquet"), again, 12, [str(tmp_path / "dev.csv")], seed=1)
    assert pd.read_parquet(again).equals(pool)  # a seed gives the same pool
    with pytest.raises(FramingError, match="already exists"):
        build_pool(str(tmp_path / "articles.parquet"), out, 12)
    with pytest.raises(FramingError, match="only .* usable sentences"):
        build_pool(str(tmp_path / "articles.parquet"), tmp_path / "big.parquet", 10_000)
    assert not (tmp_path / "big.parquet").exists()


def test_a_pool_of_several_sources_balances_all_their_outlets_and_names_each_source(tmp_path):
    # A sentence-per-row table (as anno-lexical's) joins the articles, and the outlets of both
    # share the pool (water-filling: Small Outlet and Third give all they have, 2 and 4).
    _articles().to_parquet(tmp_path / "articles.parquet")
    sentences = pd.DataFrame(
        {
            "text": [f"The agency listed {n} new permits in its weekly report." for n in range(9)],
            "outlet": ["Later Outlet"] * 9,
        }
    )  # no topic or date: one stratum
    sentences.to_parquet(tmp_path / "sentences.parquet")
    out = tmp_path / "pool.parquet"
    counts = build_pool([str(tmp_path / "articles.parquet"), str(tmp_path / "sentences.parquet")], out, 16)
    pool = pd.read_parquet(out)
    assert counts["by_source"] == {"articles.parquet": 11, "sentences.parquet": 5}
    assert pool["outlet"].value_counts().to_dict() == {
        "Later Outlet": 5,
        "Big Outlet": 5,
        "Third": 4,
        "Small Outlet": 2,
    }
    assert set(pool.loc[pool["source"] == "sentences.parquet", "text"]) <= set(sentences["text"])


def test_two_sources_with_one_file_name_are_told_apart_by_name_and_by_sentence_cap(tmp_path):
    # One article of 12 sentences in each of two `articles.parquet`: each file's article keeps
    # all 12 (the cap is per article of a file), and the source names are the paths.
    paths = []
    for folder in ("2019", "2023"):
        (tmp_path / folder).mkdir()
        text = " ".join(f"The {folder} council approved permit number {n} on Tuesday." for n in range(12))
        pd.DataFrame({"text": [text], "outlet": [f"Outlet {folder}"]}).to_parquet(
            tmp_path / folder / "articles.parquet"
        )
        paths.append(str(tmp_path / folder / "articles.parquet"))
    counts = build_pool(paths, tmp_path / "pool.parquet", 24)
    assert counts["by_source"] == {paths[0]: 12, paths[1]: 12}


@pytest.mark.parametrize(
    "text, kept",
    [
        ("He resigned.", False),  # under four words
        ("The mayor resigned on Friday.", True),
        ("“We will not back down,” she said.", True),  # quotes stay
        ("From the Left", False),  # a heading, not a sentence
        ("Click here to sign up for our newsletter.", False),
        ("(AP Photo/Evan Vucci) The president spoke on Monday.", False),
    ],
)
def test_pool_keeps_prose_and_quotes(text, kept):
    assert is_sentence(text) is kept


def test_pool_command_writes_parquet_and_says_so_in_one_line(tmp_path, capsys):
    from framing.cli import main

    _articles().to_parquet(tmp_path / "articles.parquet")
    assert (
        main(
            [
                "pool",
                "--articles",
                str(tmp_path / "articles.parquet"),
                "--size",
                "5",
                "--output",
                str(tmp_path / "pool.csv"),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err.strip() == (
        f"framing: error: {tmp_path / 'pool.csv'}: the pool is written as Parquet; name it .parquet"
    )
    assert (
        main(
            [
                "pool",
                "--articles",
                str(tmp_path / "articles.parquet"),
                "--size",
                "5",
                "--output",
                str(tmp_path / "pool.parquet"),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out.splitlines()[0])["pool"] == 5
    assert len(pd.read_parquet(tmp_path / "pool.parquet")) == 5
