"""Article ids: the same article gets the same id however its link is written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summariser.ids import article_id, canonical_url

DW = "https://www.dw.com/zh/中国拟部分允许安世半导体出口/a-74583623"


@pytest.mark.parametrize(
    "spelling",
    [
        DW,
        "HTTPS://WWW.DW.COM/zh/中国拟部分允许安世半导体出口/a-74583623",
        "https://www.dw.com:443/zh/中国拟部分允许安世半导体出口/a-74583623#main",
        "https://www.dw.com/zh/中国拟部分允许安世半导体出口/a-74583623?utm_source=tg&UTM_Medium=x",
        "https://www.dw.com/zh/%e4%b8%ad%e5%9b%bd%e6%8b%9f%e9%83%a8%e5%88%86%e5%85%81%e8%ae%b8"
        "%e5%ae%89%e4%b8%96%e5%8d%8a%e5%af%bc%e4%bd%93%e5%87%ba%e5%8f%a3/a-74583623",
        f"  {DW}\n",
    ],
)
def test_spellings_of_one_link_have_one_canonical_form_and_id(spelling):
    assert canonical_url(spelling) == DW  # readable, as Jekyll's `link:` has it
    assert article_id(spelling, "dw", "a.html") == article_id(DW, "other", "b.html")


def test_what_may_matter_to_the_server_is_kept():
    url = "http://Example.com:8080/Path/Page?id=7&lang=zh&utm_campaign=x"
    assert canonical_url(url) == "http://example.com:8080/Path/Page?id=7&lang=zh"
    assert canonical_url("https://example.com") == "https://example.com/"
    assert canonical_url("https://example.com/a%2Fb?q=a%20b") == "https://example.com/a%2Fb?q=a%20b"
    assert canonical_url("https://example.com/a b") == "https://example.com/a%20b"


def test_id_without_url_comes_from_source_and_path():
    assert article_id(None, "cna", "2025-11-01-a.html") == article_id(
        "", "cna", "2025-11-01-a.html"
    )
    assert article_id(None, "cna", "a.html") != article_id(None, "cna", "b.html")
    assert article_id(None, "cna", "a.html") != article_id(None, "rthk", "a.html")
    assert article_id(None, "ab", "c") != article_id(None, "a", "bc")
    ident = article_id("https://example.com/x", "cna", "a.html")
    assert len(ident) == 16 and int(ident, 16) >= 0


@given(st.text(max_size=60))
def test_canonical_url_is_idempotent(text):
    once = canonical_url("https://example.com/" + text)
    assert canonical_url(once) == once
