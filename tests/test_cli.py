"""The `newsgist` command line as a user runs it: summarise, ingest, search."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsgist.cli import main
from newsgist.summarise_cmd import JSON_FIELDS
from storage.db import open_db
from storage.sources import failures

POSTS = Path(__file__).parent / "fixtures" / "sources" / "posts"
CNA_POST = POSTS / "2025-11-03-CNA-台北捷運環狀線北段通車.html"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summarise_json_prints_one_stable_record_per_post(capsys) -> None:
    code, out, _ = run(capsys, "summarise", "--json", str(POSTS))
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(records) == len(list(POSTS.iterdir()))
    for record in records:
        assert tuple(record) == JSON_FIELDS
        assert record["title"] and record["text"] and record["id"]
        assert 1 <= len(record["summary"]) <= 3
        assert record["source"] in record["tags"]
    langs = {Path(r["path"]).name: r["lang"] for r in records}
    assert langs[CNA_POST.name] == "zh-Hant"
    assert langs["2024-03-05-harbour-ferry-fares.markdown"] == "en"


def test_summarise_reports_a_bad_post_and_goes_on(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "2025-11-01-broken.md"
    bad.write_bytes(b"---\ntitle: no end of front matter\n")
    code, out, _ = run(capsys, "summarise", "--json", str(bad), str(CNA_POST))
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["path"] == str(bad) and "front matter" in first["error"]
    assert second["title"].startswith("台北捷運環狀線北段通車")
    assert code == 0  # JSON consumers read the error records


def test_summarise_human_output_names_the_failure(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    code, out, _ = run(capsys, "summarise", str(empty), str(CNA_POST))
    assert code == 1
    assert f"{empty}: cannot summarise" in out
    assert "台北捷運環狀線北段通車" in out and "  • " in out


def test_ingest_counts_new_unchanged_updated_and_failed(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "_posts"
    shutil.copytree(POSTS, folder)
    (folder / "2025-11-05-CNA-half-written.html").write_text("---\ntitle: 半\n")
    db_path = tmp_path / "news.db"
    posts = len(list(POSTS.iterdir()))

    code, out, _ = run(capsys, "ingest", "-q", "--db", str(db_path), "--source", str(folder))
    assert code == 0
    assert out.startswith(f"{posts} new, 0 updated, 0 unchanged, 1 failed")

    code, out, _ = run(capsys, "ingest", "-q", "--db", str(db_path), "--source", str(folder))
    assert out.startswith(f"0 new, 0 updated, {posts} unchanged, 1 failed")

    edited = folder / CNA_POST.name
    edited.write_text(
        edited.read_text().replace("通車", "正式通車", 1) + "<p>補充一段新的內容。</p>"
    )
    code, out, _ = run(capsys, "ingest", "-q", "--db", str(db_path), "--source", str(folder))
    assert out.startswith(f"0 new, 1 updated, {posts - 1} unchanged, 1 failed")

    [failure] = failures(open_db(db_path))
    assert failure.path.endswith("half-written.html") and "front matter" in failure.reason
    code, out, _ = run(capsys, "failures", "--db", str(db_path))
    assert "half-written.html" in out and "front matter" in out


def test_ingest_counts_posts_sharing_a_url_once_as_new_and_the_rest_as_repeated(
    capsys, tmp_path: Path
) -> None:
    folder = tmp_path / "_posts"
    shutil.copytree(POSTS, folder)
    shutil.copy(CNA_POST, folder / "2025-11-04-CNA-same-link-again.html")
    posts = len(list(POSTS.iterdir()))
    db_path = tmp_path / "news.db"

    code, out, _ = run(capsys, "ingest", "-q", "--db", str(db_path), "--source", str(folder))
    assert code == 0
    assert out.startswith(f"{posts} new, 0 updated, 0 unchanged, 0 failed, 1 repeated (")


def test_ingest_goes_on_when_one_source_fails(capsys, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    missing = tmp_path / "gone"
    code, out, err = run(
        capsys, "ingest", "-q", "--db", str(db_path),
        "--source", str(missing), "--source", str(POSTS),
    )  # fmt: skip
    assert code == 1
    assert "failed" in err and "gone" in err
    assert out.startswith(f"{len(list(POSTS.iterdir()))} new")


def test_ingest_without_sources_says_how_to_give_one(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "ingest", "--db", str(tmp_path / "x.db"))
    assert code == 2
    assert "--source" in err and "NEWSGIST_SOURCES" in err


def test_search_finds_traditional_posts_with_simplified_words(capsys, tmp_path: Path) -> None:
    db_path = str(tmp_path / "news.db")
    run(capsys, "ingest", "-q", "--db", db_path, "--source", str(POSTS))
    code, out, _ = run(capsys, "search", "--db", db_path, "台北捷运")
    assert code == 0
    assert out.startswith("1. 台北捷運環狀線北段通車")
    code, out, _ = run(capsys, "search", "--db", db_path, "qwertyuiop")
    assert code == 1 and "No article matches" in out


def test_the_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("newsgist")
    result = subprocess.run(
        [str(script), "summarise", "--json", str(CNA_POST)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout)["source"] == "cna"
