"""Ruff and codespell over the repository: the same checks as the pre-commit hooks."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)


def run(tool, *args):
    exe = shutil.which(tool, path=BIN) or shutil.which(tool)
    assert exe, f"{tool} is not installed: run the README's test command"
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff():
    result = run("ruff", "check", "code", "tests", "tools", "book/_ext")
    assert result.returncode == 0, result.stdout + result.stderr


def test_codespell():
    result = run("codespell", "book", "code", "tests", "tools", "README.md", "CONTRIBUTING.md",
                 "_config.yml", "_toc.yml", ".github")
    assert result.returncode == 0, result.stdout + result.stderr
