"""The project's layout and configuration: what the README and CONTRIBUTING promise."""

import importlib.util
import os
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_every_requirement_is_pinned():
    unpinned = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line == "-e ./code":
            continue
        if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line):
            unpinned.append(line)
    assert not unpinned, f"not pinned with ==: {unpinned}"
    text = (ROOT / "requirements.txt").read_text()
    assert "-e ./code" in text.splitlines()
    assert re.search(r"^jupyter-book==1\.", text, re.M), "Jupyter Book must stay on 1.x"


def test_code_is_a_src_layout_package_not_a_module_named_code():
    assert not (ROOT / "code" / "__init__.py").exists()
    assert not (ROOT / "code" / "tests" / "__init__.py").exists()
    assert (ROOT / "code" / "pyproject.toml").exists()
    import groundml

    assert "groundml" not in sys.stdlib_module_names
    # The editable install points at this checkout, so pages test the code beside them.
    assert Path(groundml.__file__).resolve().is_relative_to(ROOT / "code" / "src")
    # And the standard library's `code` module is still the one Python imports.
    assert Path(importlib.util.find_spec("code").origin).parent != ROOT / "code"


def test_build_configuration():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    for pattern in ("_build", ".*", "**/.*", "code", "tests", "tools"):
        assert pattern in config["exclude_patterns"], pattern
    execute = config["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False
    assert 0 < execute["timeout"] <= 300
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert not config["launch_buttons"].get("colab_url"), "Colab cannot open .md notebooks"
    assert config["repository"]["branch"] == "main"
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert {"sphinx_proof", "sphinx_exercise"} <= set(config["sphinx"]["extra_extensions"])


def test_binder_configuration():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "postBuild must be executable"
    assert "jupytext-config set-default-viewer" in post_build.read_text()
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder would make Binder ignore the top-level requirements.txt"


def test_bibliography_has_the_books_resources_each_with_a_link():
    text = (ROOT / "references.bib").read_text()
    entries = dict(re.findall(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S))
    for key in ("deisenroth2020mml", "goodfellow2016deep", "nielsen2015neural", "3blue1brown",
                "krohn2020mlfoundations", "mathemaniac", "lazyprogrammer", "superdatascience"):
        assert key in entries, key
    for key, body in entries.items():
        assert re.search(r"\burl\s*=\s*\{https?://", body), f"{key} has no url"
    resources = (ROOT / "book" / "resources.md").read_text()
    assert "```{bibliography}" in resources and ":all:" in resources


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["python3 tools/dev.py serve", "python3 tools/dev.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tools/dev.py test" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_benchmark_rows_name_real_estimators():
    # The benchmark (tools/benchmark.py) is not run by the tests: timings depend on the
    # machine. Its table must still name estimators that exist on both sides, so that a
    # renamed class shows up here rather than as a "missing" row nobody notices.
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "tools" / "benchmark.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    rows = benchmark.rows()
    assert rows
    for row in rows:
        ours, theirs = benchmark.load(row.name, "groundml"), benchmark.load(row.sklearn, "sklearn")
        assert ours is not None, f"groundml has no {row.name}"
        assert theirs is not None, f"scikit-learn has no {row.sklearn}"
        params = row.sk_params if row.sk_params is not None else row.params
        ours(**row.params), theirs(**params)  # both accept the row's parameters
