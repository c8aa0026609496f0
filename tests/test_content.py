"""The content check over every page in _toc.yml, one test per page, plus the rules
that hold the book together (parts, landing pages, the chapter template)."""

import re
from pathlib import Path

import pytest
from content_check import check_book, check_topic, load_toc, page_kind, parse, resolve

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "book" / "templates" / "chapter-template.md"
PARTS = ["Mathematics", "Machine Learning", "Neural Networks and Deep Learning",
         "Natural Language Processing", "Computer Vision", "Large Language Models",
         "Interview Practice"]
PAGES = [doc for _, docs in load_toc(ROOT) for doc in docs]


@pytest.mark.parametrize("docname", PAGES)
def test_page_follows_the_page_format(docname):
    path = resolve(ROOT, docname)
    assert path is not None, f"_toc.yml lists {docname}, which has no .md or .ipynb file"
    rel = path.relative_to(ROOT).as_posix()
    problems = [message for where, message in check_book(ROOT) if where == rel]
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


def test_the_book_as_a_whole_passes_the_check():
    problems = check_book(ROOT)
    assert not problems, "\n".join(f"{where}: {message}" for where, message in problems)


def test_parts_are_in_study_order_each_with_a_landing_page():
    parts = load_toc(ROOT)[1:]
    captions = [caption for caption, _ in parts]
    assert captions[: len(PARTS)] == PARTS
    for caption, docs in parts[: len(PARTS)]:
        first = parse(resolve(ROOT, docs[0]))
        assert page_kind(first.front_matter) == "landing", f"part '{caption}' starts with {docs[0]}"


def test_every_page_is_a_notebook_so_it_has_a_launch_button():
    for doc in PAGES:
        front = parse(resolve(ROOT, doc)).front_matter
        assert re.search(r"^kernelspec:", front, re.M), doc
        assert re.search(r"^\s+format_name:\s*myst\s*$", front, re.M), doc


def test_the_chapter_template_passes_the_check_as_it_is():
    assert check_topic(parse(TEMPLATE)) == []
    assert page_kind(parse(TEMPLATE).front_matter) == "topic"


def test_the_chapter_template_runs(tmp_path):
    """Its code cells execute: a copy of the template is a working page from the start."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(TEMPLATE)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]


BROKEN_PAGE = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
---
# A page
## Definition
## Explanation
## Intuition
## Properties
## Relevance
## Extra
## Interview questions
```{exercise} Question
:label: q1
```
```{solution} q1
```
```{exercise} Unanswered
:label: q2
```
## References
No citation here.
"""


def test_the_check_names_the_page_and_each_missing_piece(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text(BROKEN_PAGE)
    problems = "\n".join(check_topic(parse(page)))
    for expected in ["has no {code-cell}", "unexpected section '## Extra'", "out of order",
                     "'Definition' has no {prf:definition}", "has 2 exercises; at least 5",
                     "exercise 'q2' has no solution", "solution 'q1' is not hidden",
                     "'References' cites nothing"]:
        assert expected in problems, f"missing: {expected}\n{problems}"


def test_the_check_ignores_headings_and_directives_inside_code(tmp_path):
    text = TEMPLATE.read_text().replace(
        "## Properties", "```python\n## Properties\n```\n\n## Properties", 1)
    page = tmp_path / "page.md"
    page.write_text(text)
    assert check_topic(parse(page)) == []


def test_the_command_line_reports_problems_with_file_names(tmp_path, capsys):
    import content_check

    page = tmp_path / "broken.md"
    page.write_text(BROKEN_PAGE)
    assert content_check.main([str(page)]) == 1
    out = capsys.readouterr().out
    assert f"{page}: line" in out and "problem(s)" in out
    assert content_check.main([]) == 0, "the book itself should pass"


def test_a_toc_entry_without_a_file_is_reported(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n"
                                       "  - caption: Part\n    chapters:\n      - file: missing\n")
    (tmp_path / "intro.md").write_text("---\npage_kind: intro\n---\n# Intro\n")
    assert ("_toc.yml", "entry 'missing' has no file missing.md or .ipynb") in check_book(tmp_path)


def test_a_landing_page_must_link_every_page_of_its_part(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n  - caption: Part\n"
                                       "    chapters:\n      - file: part/index\n      - file: part/topic\n")
    (tmp_path / "intro.md").write_text("---\npage_kind: intro\n---\n# Intro\n")
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "index.md").write_text("---\npage_kind: landing\n---\n# Part\n")
    (tmp_path / "part" / "topic.md").write_text(TEMPLATE.read_text())
    assert ("part/index.md", "the landing page of part 'Part' does not link its page part/topic.md") \
        in check_book(tmp_path)
    (tmp_path / "part" / "index.md").write_text("---\npage_kind: landing\n---\n# Part\n{doc}`topic`\n")
    assert check_book(tmp_path) == []
