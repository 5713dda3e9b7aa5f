"""Two reports of one event, side by side: FramingClassifier.contrast, `framing contrast` and
POST /v1/contrast give the same comparison; figures come from each article's analysis."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from fastapi.testclient import TestClient
from test_cli import cli
from test_news_page import PAGES, page

from framing import FramingClassifier
from framing.contrast import fold, verdict
from framing.errors import FramingError
from framing.server import Limits, create_app

from helpers import ACCURATE, EDITORIAL, NEUTRAL

REPORT = " ".join(NEUTRAL[:3])
OPINION = " ".join(EDITORIAL[:3])


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


def test_each_article_carries_its_analysis_figures_and_the_words_only_it_uses(classifier):
    comparison = classifier.contrast([REPORT, OPINION])
    analyses = [classifier.analyze(REPORT), classifier.analyze(OPINION)]
    words = [{fold(w["text"]) for s in a["sentences"] for w in s["highlights"]} for a in analyses]
    texts = [set(re.findall(r"\w+", a["text"].casefold())) for a in analyses]
    for entry, analysis, mine, theirs in zip(comparison["articles"], analyses, words, reversed(texts)):
        summary = analysis["summary"]
        assert entry["analysis"] == analysis
        assert (
            entry["sentences"],
            entry["editorializing_share"],
            entry["editorializing_share_by_length"],
            entry["author_voice_editorializing"],
            entry["quoted_editorializing"],
        ) == (
            summary["sentences"],
            summary["editorializing_share"],
            summary["editorializing_share_by_length"],
            summary["author_voice_editorializing"],
            summary["quoted_editorializing"],
        )
        assert {fold(w["word"]) for w in entry["loaded_words"]} == mine
        assert {fold(w["word"]) for w in entry["loaded_words_only_here"]} == {
            w for w in mine if not set(re.findall(r"\w+", w)) <= theirs
        }
        assert [t["text"] for t in entry["top_sentences"]] == [t["text"] for t in summary["top_sentences"]]
        assert all("highlights" in t for t in entry["top_sentences"])
    assert "not a fact-check" in comparison["note"]


def test_a_word_the_other_article_uses_unloaded_is_not_only_here():
    from framing.contrast import _article_entry, _loaded_words, _vocabulary

    sentence = {
        "index": 0,
        "start": 0,
        "end": 30,
        "text": "A reckless and shameful retreat.",
        "label": "editorializing",
        "score": 0.9,
        "scores": {"editorializing": 0.9},
        "quoted": False,
        "highlights": [
            {"text": "reckless", "weight": 0.8, "quoted": False},
            {"text": "Shameful", "weight": 0.7, "quoted": False},
        ],
    }
    summary = {
        "sentences": 1,
        "editorializing_sentences": 1,
        "editorializing_share": 1.0,
        "editorializing_share_by_length": 1.0,
        "author_voice_editorializing": 1,
        "quoted_editorializing": 0,
        "mean_probability": 0.9,
        "top_sentences": [],
    }
    analysis = {
        "title": "T",
        "source_format": "text",
        "text": sentence["text"],
        "sentences": [sentence],
        "summary": summary,
    }
    other = _vocabulary("Critics called the move shameful, officials said.")  # used, not loaded
    entry = _article_entry(0, analysis, _loaded_words(analysis), other)
    assert [w["word"] for w in entry["loaded_words"]] == ["reckless", "Shameful"]
    assert [w["word"] for w in entry["loaded_words_only_here"]] == ["reckless"]


def test_two_identical_articles_are_compared_without_error(classifier):
    comparison = classifier.contrast([OPINION, OPINION])
    assert (
        comparison["articles"][0]["loaded_words_only_here"] == comparison["articles"][1]["loaded_words_only_here"] == []
    )
    assert comparison["verdict"].startswith("The articles editorialize about as much")


def _entry(index, flagged, sentences, quoted=0, only=()):
    words = [{"word": w, "count": 1, "weight": 0.9, "quoted": False} for w in only]
    return {
        "index": index,
        "title": f"T{index}",
        "sentences": sentences,
        "author_voice_editorializing": flagged,
        "author_voice_share": flagged / sentences,
        "quoted_editorializing": quoted,
        "loaded_words_only_here": words,
    }


def test_the_verdict_says_which_editorializes_more_by_the_writers_own_voice():
    text = verdict([_entry(0, 0, 6), _entry(1, 7, 10, only=["apologist", "bashed"])])
    assert text.startswith(
        "Article 2 (“T1”) editorializes more in the writer's own voice: 7 of 10 sentences (70%), "
        "against 0 of 6 sentences (0%) in article 1 (“T0”)."
    )
    assert "“apologist”, “bashed”" in text
    # quoted opinion is the speaker's: it does not make an article editorialize more
    text = verdict([_entry(0, 1, 10, quoted=6), _entry(1, 1, 10)])
    assert text.startswith("The articles editorialize about as much") and "6 in article 1" in text


@pytest.mark.parametrize(
    "a, b, more",
    [
        ((2, 10), (1, 10), True),
        ((5, 10), (4, 10), True),  # the same 10-point gap, the same verdict
        ((1, 3), (7, 30), True),
        ((1, 8), (3, 100), True),  # 33% vs 23%, 13% vs 3%: 10 points as printed
        ((19, 100), (10, 100), False),
        ((3, 10), (2, 10), True),
        ((29, 100), (20, 100), False),
    ],
)
def test_the_verdict_rule_is_ten_whole_points_of_the_printed_shares(a, b, more):
    text = verdict([_entry(0, *a), _entry(1, *b)])
    expected = "Article 1 (“T0”) editorializes more" if more else "The articles editorialize about as much"
    assert text.startswith(expected)


def test_no_verdict_contradicts_its_printed_figures():
    for n, m in itertools.product(range(1, 13), repeat=2):
        for a, b in itertools.product(range(n + 1), range(m + 1)):
            text = verdict([_entry(0, a, n), _entry(1, b, m)])
            shown = [int(p) for p in re.findall(r"\((\d+)%\)", text)]
            assert text.startswith("The articles") == (abs(shown[0] - shown[1]) < 10), text


@pytest.mark.parametrize(
    "counts, more, less, between",
    [
        ((70, 65, 0), [1, 2], [3], []),  # two articles well above the third: both named
        ((70, 60, 0), [1], [2, 3], []),  # 60% is clearly below 70% too
        ((0, 70, 10), [2], [1, 3], []),
        ((25, 16, 10), [1], [3], [2]),  # 16% is within 10 points of both 25% and 10%
        ((50, 50, 41), [], [], []),
    ],
)
def test_with_three_articles_every_article_the_figures_single_out_is_named(counts, more, less, between):
    articles = [_entry(i, c, 100, only=[f"word{i + 1}"]) for i, c in enumerate(counts)]
    text = verdict(articles)
    if not more:
        assert text.startswith("The articles editorialize about as much")
        return
    head, _, rest = text.partition(" more in the writer's own voice: ")
    assert re.findall(r"article (\d)", head, re.I) == [str(i) for i in more]
    against = rest.split(" in ", 1)[1].split(".")[0]
    assert re.findall(r"article (\d)", against) == [str(i) for i in less]
    for i in between:
        assert f"Article {i} (“T{i - 1}”), " in text and "in between" in text
    for i in range(1, 4):
        assert (f"“word{i}”" in text) == (i in more)


@pytest.mark.parametrize(
    "articles, message",
    [
        ([REPORT], "contrast needs two articles or more, got 1"),
        (REPORT, "expected a list of articles, got str"),
        ([REPORT, "   "], "article 2: empty text"),
        ([REPORT, 7], "article 2: expected an article as a string, got int"),
        ([REPORT, "<html><body><nav>Home</nav></body></html>"], "article 2: no article text found in this page"),
    ],
)
def test_bad_articles_are_named_by_position(classifier, articles, message):
    with pytest.raises(FramingError, match=f"^{message}"):
        classifier.contrast(articles)


def test_the_http_answer_is_the_python_one_and_limits_name_the_article(classifier):
    client = TestClient(create_app(classifier, Limits(max_article_chars=2_000, max_contrast_articles=3)))
    body = client.post("/v1/contrast", json={"articles": [REPORT, page("opinion.html")]}).json()
    assert body == json.loads(json.dumps(classifier.contrast([REPORT, page("opinion.html")])))
    too_many = client.post("/v1/contrast", json={"articles": [REPORT] * 4})
    assert too_many.status_code == 422 and too_many.json()["error"]["message"] == "4 articles: at most 3 per request"
    too_long = client.post("/v1/contrast", json={"articles": [REPORT, "x " * 1_500]})
    assert too_long.json()["error"]["message"] == "article 2: 3000 characters, at most 2000"
    one = client.post("/v1/contrast", json={"articles": [REPORT]})
    assert one.status_code == 422


def test_the_cli_prints_one_json_object_naming_each_file(tiny_checkpoint, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT)
    done = cli("contrast", report, PAGES / "opinion.html", "-", "--checkpoint", tiny_checkpoint, stdin=OPINION.encode())
    assert done.returncode == 0, done.stderr
    comparison = json.loads(done.stdout)
    assert [a["file"] for a in comparison["articles"]] == [str(report), str(PAGES / "opinion.html"), "-"]
    assert [a["source_format"] for a in comparison["articles"]] == ["text", "html", "text"]
    assert comparison["verdict"]
    done = cli("contrast", report, "--checkpoint", tiny_checkpoint)
    assert (
        done.returncode == 2
        and done.stderr.decode().strip() == "framing: error: contrast needs two articles or more, got 1"
    )
    done = cli("contrast", report, tmp_path / "missing.html", "--checkpoint", tiny_checkpoint)
    assert (
        done.returncode == 2
        and done.stderr.decode().strip() == f"framing: error: {tmp_path / 'missing.html'}: file not found"
    )


@pytest.mark.integration
def test_the_shipped_model_tells_the_opinion_page_from_the_wire_report():
    comparison = FramingClassifier.from_pretrained(ACCURATE).contrast([page("wire_report.html"), page("opinion.html")])
    report, opinion = comparison["articles"]
    assert opinion["author_voice_share"] > report["author_voice_share"] + 0.3
    assert comparison["verdict"].startswith("Article 2 (“Another humiliating retreat”) editorializes more")
    only_opinion = {fold(w["word"]) for w in opinion["loaded_words_only_here"]}
    assert {"apologist", "humiliating"} <= only_opinion
