"""Bad input gets a clear error: a small book with a failing cell, a runaway cell and a
broken reference fails the strict build, and the messages name each page and problem."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dev import summarise_build_log

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "book" / "templates" / "chapter-template.md"
FRONT = TEMPLATE.read_text().split("\n---\n", 1)[0] + "\n---\n"   # the jupytext front matter
PAGES = {
    "intro": FRONT + "# Intro\n",
    "failing": FRONT + "# Failing\n\n```{code-cell} python\nx = 1\n```\n\n"
                       "```{code-cell} python\nraise ValueError('boom-marker')\n```\n",
    "runaway": FRONT + "# Runaway\n\n```{code-cell} python\nimport time\ntime.sleep(120)\n```\n",
    "broken-ref": FRONT + "# Broken reference\n\nSee {prf:ref}`no-such-label` and {cite}`no-such-key`.\n",
}


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory):
    book = tmp_path_factory.mktemp("broken-book")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["timeout"] = 5                      # the runaway cell is stopped
    config["sphinx"]["local_extensions"] = {"book_fixes": "_ext"}
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   + "".join(f"  - file: {name}\n" for name in PAGES if name != "intro"))
    for name, text in PAGES.items():
        (book / f"{name}.md").write_text(text)
    shutil.copy(ROOT / "references.bib", book / "references.bib")
    shutil.copytree(ROOT / "book" / "_ext", book / "_ext")
    shutil.copytree(ROOT / "book" / "_static", book / "book" / "_static")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(book), "--warningiserror", "--nitpick",
                             "--keep-going"], capture_output=True, text=True, timeout=600)
    return result, summarise_build_log(result.stdout + result.stderr)


def test_the_build_fails(failed_build):
    result, _ = failed_build
    assert result.returncode != 0


def test_a_failing_cell_names_its_page_and_shows_the_cell(failed_build):
    result, problems = failed_build
    assert any("failing.md" in p and "Executing notebook failed" in p for p in problems), problems
    assert "raise ValueError('boom-marker')" in result.stdout + result.stderr


def test_a_runaway_cell_is_stopped_by_the_timeout(failed_build):
    result, problems = failed_build
    assert any("runaway.md" in p and "Executing notebook failed" in p for p in problems), problems
    assert re.search(r"CellTimeoutError|timed out", result.stdout + result.stderr)


def test_a_broken_reference_and_citation_name_the_file_and_line(failed_build):
    _, problems = failed_build
    assert any(re.search(r"broken-ref\.md:\d+: WARNING: .*no-such-label", p) for p in problems), problems
    assert any("broken-ref.md" in p and "no-such-key" in p for p in problems), problems
