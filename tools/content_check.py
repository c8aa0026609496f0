#!/usr/bin/env python3
"""The content check: every page of the book follows the page format.

    python3 tools/content_check.py              # check every page in _toc.yml
    python3 tools/content_check.py PAGE.md ...  # check these pages as topic pages

A page's kind comes from its front matter (``page_kind``); a page without one is a
topic page, so a new chapter is checked unless it says otherwise.

topic (default)
    A MyST notebook (jupytext front matter with a kernelspec) with at least one code
    cell, one ``#`` title, and exactly these ``##`` sections in this order:
    Definition, Intuition, Explanation, Properties, Relevance, Interview questions,
    References. Definition holds at least one ``{prf:definition}``. Interview
    questions holds at least five labelled ``{exercise}`` (or ``{exercise-start}``)
    directives, each answered there by a ``{solution}`` (or ``{solution-start}``)
    with ``:class: dropdown``. References cites at least one source with ``{cite}``.
landing
    The first page of a part: it links every other page of its part.
intro, reference
    The book's front page, and back matter such as the bibliography: exempt.

Standard library only, so it runs before anything is installed. CONTRIBUTING.md
documents the same rules for authors.
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_SECTIONS = ["Definition", "Intuition", "Explanation", "Properties", "Relevance",
                     "Interview questions", "References"]
PAGE_KINDS = ("topic", "landing", "intro", "reference")
MIN_QUESTIONS = 5

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*)$")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`[^`]+`")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?(?P<target>[^`>]+)>?`")
MD_LINK = re.compile(r"\]\((?P<target>[^)\s#]+\.(?:md|ipynb))(?:#[^)]*)?\)")


@dataclass
class Directive:
    name: str
    arg: str
    line: int
    section: str  # the ## section it is in ("" before the first one)
    options: dict = field(default_factory=dict)


@dataclass
class Page:
    path: Path
    front_matter: str
    headings: list  # (level, title, line)
    directives: list
    text_by_section: dict


def read_front_matter(text):
    """Split off a leading YAML front matter block; return (front matter, body, body offset)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            front = text[4:end]
            return front, text[end + 5:], front.count("\n") + 3
    return "", text, 0


def page_kind(front_matter):
    match = re.search(r"^page_kind:\s*['\"]?([\w-]+)['\"]?\s*$", front_matter, re.M)
    return match.group(1) if match else "topic"


def parse(path):
    """Headings and directives of a MyST page, ignoring anything inside code fences."""
    text = Path(path).read_text(encoding="utf-8")
    front, body, offset = read_front_matter(text)
    headings, directives, sections_text = [], [], {"": []}
    stack = []  # open fences: (char, length, Directive or None)
    section = ""
    pending_options = None  # directive whose option lines we are reading
    for number, line in enumerate(body.splitlines(), start=offset + 1):
        if pending_options is not None:
            option = OPTION.match(line)
            if option:
                pending_options.options[option["key"]] = option["value"].strip()
                continue
            pending_options = None
        match = FENCE.match(line)
        if match:
            char, length, info = match["fence"][0], len(match["fence"]), match["info"].strip()
            if stack and char == stack[-1][0] and length >= stack[-1][1] and not info:
                stack.pop()
                sections_text[section].append(line)
                continue
            # a new fence opens only at top level or inside a directive (not inside code)
            if not stack or stack[-1][2] is not None:
                directive = DIRECTIVE.match(info)
                node = None
                if directive:
                    node = Directive(directive["name"], directive["arg"].strip(), number, section)
                    directives.append(node)
                    pending_options = node
                stack.append((char, length, node))
                sections_text[section].append(line)
                continue
        if not stack:
            heading = HEADING.match(line)
            if heading:
                level = len(heading["level"])
                headings.append((level, heading["title"].strip(), number))
                if level <= 2:
                    section = heading["title"].strip() if level == 2 else ""
                    sections_text.setdefault(section, [])
                continue
        sections_text[section].append(line)
    return Page(Path(path), front, headings, directives,
                {name: "\n".join(lines) for name, lines in sections_text.items()})


def check_topic(page):
    """Problems with a topic page, as strings without the file name."""
    problems = []
    if not (re.search(r"^kernelspec:", page.front_matter, re.M)
            and re.search(r"^\s+format_name:\s*myst\s*$", page.front_matter, re.M)):
        problems.append("not a MyST notebook: the front matter needs jupytext's "
                        "'format_name: myst' and a kernelspec, or its cells are not run "
                        "(copy the front matter of book/templates/chapter-template.md)")
    if not any(d.name == "code-cell" for d in page.directives):
        problems.append("has no {code-cell}: a topic page runs code")

    titles = [(title, line) for level, title, line in page.headings if level == 1]
    if len(titles) != 1:
        problems.append(f"must have exactly one '#' title, found {len(titles)}")
    elif page.headings[0][0] != 1:
        problems.append(f"the '#' title must come before any other heading (line {page.headings[0][2]})")

    sections = [(title, line) for level, title, line in page.headings if level == 2]
    names = [title for title, _ in sections]
    for title, line in sections:
        if title not in REQUIRED_SECTIONS:
            problems.append(f"line {line}: unexpected section '## {title}'; the only '##' sections are "
                            f"{', '.join(REQUIRED_SECTIONS)} (use '###' inside them)")
    for required in REQUIRED_SECTIONS:
        count = names.count(required)
        if count == 0:
            problems.append(f"missing section '## {required}'")
        elif count > 1:
            problems.append(f"section '## {required}' appears {count} times")
    present = [n for n in names if n in REQUIRED_SECTIONS]
    expected = [n for n in REQUIRED_SECTIONS if n in present]
    if present != expected and len(set(present)) == len(present):
        problems.append(f"sections are out of order: found {', '.join(present)}; "
                        f"the order is {', '.join(REQUIRED_SECTIONS)}")

    definitions = [d for d in page.directives if d.name == "prf:definition"]
    if not any(d.section == "Definition" for d in definitions):
        problems.append("section 'Definition' has no {prf:definition}")

    exercises = [d for d in page.directives if d.name in ("exercise", "exercise-start")]
    solutions = [d for d in page.directives if d.name in ("solution", "solution-start")]
    questions = [d for d in exercises if d.section == "Interview questions"]
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"section 'Interview questions' has {len(questions)} exercises; "
                        f"at least {MIN_QUESTIONS} are required")
    answered = {}
    for solution in solutions:
        answered.setdefault(solution.arg, []).append(solution)
    labels = set()
    for exercise in exercises:
        label = exercise.options.get("label")
        if not label:
            problems.append(f"line {exercise.line}: {{{exercise.name}}} has no :label:, "
                            "so no solution can refer to it")
            continue
        labels.add(label)
        if label not in answered:
            problems.append(f"line {exercise.line}: exercise '{label}' has no solution "
                            f"(add a {{solution}} {label} directive)")
    for label, sols in answered.items():
        for solution in sols:
            where = f"line {solution.line}: solution '{label}'"
            if label not in labels:
                problems.append(f"{where} refers to no exercise on this page")
            if "dropdown" not in solution.options.get("class", "").split():
                problems.append(f"{where} is not hidden: give it ':class: dropdown'")
            if solution.section != "Interview questions":
                problems.append(f"{where} is outside the 'Interview questions' section")

    if not CITE.search(page.text_by_section.get("References", "")):
        problems.append("section 'References' cites nothing: add at least one {cite}`key`")
    return problems


def load_toc(root=ROOT):
    """The toc as a list of parts: (caption, [page path, ...]) in order, root first."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    root_match = re.search(r"^root:\s*(\S+)\s*$", text, re.M)
    if not root_match:
        raise ValueError("_toc.yml has no 'root:' entry")
    parts, current = [("", [root_match.group(1)])], None
    for line in text.splitlines():
        caption = re.match(r"^\s*-\s*caption:\s*(.+?)\s*$", line)
        if caption:
            current = (caption.group(1), [])
            parts.append(current)
            continue
        entry = re.match(r"^\s*-?\s*file:\s*(\S+)\s*$", line)
        if entry:
            if current is None:
                raise ValueError(f"_toc.yml: '{entry.group(1)}' is not inside a part")
            current[1].append(entry.group(1))
    return parts


def resolve(root, docname):
    """The source file of a toc entry, or None."""
    for suffix in (".md", ".ipynb"):
        candidate = root / (docname + suffix)
        if candidate.exists():
            return candidate
    return None


def linked_docs(page, root):
    """Docnames (paths without suffix, from the root) that a page links to."""
    text = page.path.read_text(encoding="utf-8")
    base = page.path.parent
    targets = [m["target"] for m in DOC_ROLE.finditer(text)] + [m["target"] for m in MD_LINK.finditer(text)]
    docs = set()
    for target in targets:
        target = re.sub(r"\.(md|ipynb)$", "", target.strip())
        path = (root / target.lstrip("/")) if target.startswith("/") else (base / target)
        docs.add(path.resolve().relative_to(root.resolve()).as_posix())
    return docs


def check_book(root=ROOT):
    """Every problem in the book, as (source path or '_toc.yml', message) pairs."""
    problems = []
    try:
        parts = load_toc(root)
    except ValueError as exc:
        return [("_toc.yml", str(exc))]
    for caption, docnames in parts:
        landing_links = None
        for index, docname in enumerate(docnames):
            path = resolve(root, docname)
            if path is None:
                problems.append(("_toc.yml", f"entry '{docname}' has no file {docname}.md or .ipynb"))
                continue
            rel = path.relative_to(root).as_posix()
            page = parse(path)
            kind = page_kind(page.front_matter)
            if kind not in PAGE_KINDS:
                problems.append((rel, f"unknown page_kind '{kind}'; use one of {', '.join(PAGE_KINDS)}"))
                continue
            if caption and index == 0 and kind != "landing" and any(
                    page_kind(parse(p).front_matter) == "topic"
                    for p in filter(None, (resolve(root, d) for d in docnames))):
                problems.append((rel, f"the first page of part '{caption}' must be its landing page "
                                      "(front matter 'page_kind: landing')"))
            if kind == "landing":
                landing_links = (rel, linked_docs(page, root))
            elif kind == "topic":
                problems.extend((rel, message) for message in check_topic(page))
                if landing_links is not None and docname not in landing_links[1]:
                    problems.append((landing_links[0], f"the landing page of part '{caption}' "
                                                       f"does not link its page {rel}"))
    return problems


def main(argv):
    if argv:
        problems = [(p, m) for p in argv for m in check_topic(parse(p))]
    else:
        problems = check_book()
    for path, message in problems:
        print(f"{path}: {message}")
    if problems:
        print(f"content check: {len(problems)} problem(s)")
        return 1
    print("content check: every page follows the page format")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
