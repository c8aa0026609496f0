"""The Binder experience, reproduced locally.

A reader who presses the book's Binder button gets a JupyterLab started from
requirements.txt, with the repository's Binder configuration (postBuild) applied, and
the page they came from opened at the button's `urlpath`. These tests rebuild that
situation on this machine, without internet and without touching ~/.jupyter:

1. run postBuild, as Binder does, into a fresh temporary Jupyter config dir, and check
   that it makes the Jupytext notebook the default viewer for Markdown/MyST files;
2. check that the launch path in the built page is the one _config.yml implies;
3. start JupyterLab (from this virtual environment, i.e. from requirements.txt) with
   that config dir and a fresh workspace, open the model chapter's launch path in
   headless Chromium, and check that it opens as a notebook (not in the text editor)
   and that its first code cell runs without an error;
4. negative control: without postBuild the same path opens in the text editor, which
   is what the readers would get if postBuild were broken or missing.
"""

import contextlib
import html
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The model chapter: its path from the book's root folder (path_to_book), as Sphinx
# names it, plus its source suffix.
MODEL_PAGE = "book/machine-learning/linear-regression.md"
MODEL_HTML = ROOT / "_build" / "html" / "book" / "machine-learning" / "linear-regression.html"
# How sphinx-book-theme prefixes the page path in the Binder link, per interface.
INTERFACE_PREFIXES = {"classic": "tree", "jupyterlab": "lab/tree"}

SERVER_START_TIMEOUT = 60  # seconds for JupyterLab to answer its REST API
UI_TIMEOUT_MS = 60_000     # milliseconds for the UI to show a document / a kernel to start


# --------------------------------------------------------------------------- helpers

def _free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _venv_env(**overrides):
    """os.environ with this interpreter's bin/ first on PATH (where Binder's tools are),
    without variables that would add the developer's own Jupyter paths, plus overrides."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update({name: str(value) for name, value in overrides.items()})
    return env


def _log_tail(log_path, lines=40):
    """The end of the server's log, for assertion messages."""
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "--- JupyterLab log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])


class Lab:
    """A running JupyterLab server: where it is, its token and its log."""

    def __init__(self, url, token, log_path):
        self.url, self.token, self.log_path = url, token, log_path

    def open_url(self, urlpath):
        """The browser URL of a Binder `urlpath` (e.g. lab/tree/x.md) on this server."""
        return f"{self.url}/{urlpath.lstrip('/')}?token={self.token}"

    def log_tail(self):
        return _log_tail(self.log_path)


@contextlib.contextmanager
def run_jupyterlab(config_dir, tmp_dir):
    """Start JupyterLab on the repository root with `config_dir` as the Jupyter config dir,
    wait until it answers, yield a Lab, and finally stop it and every kernel it started."""
    tmp_dir = Path(tmp_dir)
    for name in ("runtime", "data", "ipython", "workspaces", "checkpoints"):
        (tmp_dir / name).mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(24)
    log_path = tmp_dir / "jupyterlab.log"
    env = _venv_env(
        JUPYTER_CONFIG_DIR=config_dir,            # postBuild's output, nothing from ~/.jupyter
        JUPYTER_RUNTIME_DIR=tmp_dir / "runtime",  # connection files, server info
        # The user data dir holds no kernelspec or lab extension of the developer's: the
        # python3 kernel is the venv's (sys.prefix/share/jupyter/kernels, or ipykernel's
        # native one), whose "python" jupyter_client runs as this sys.executable.
        JUPYTER_DATA_DIR=tmp_dir / "data",
        IPYTHONDIR=tmp_dir / "ipython",
    )
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",  # Binder's working dir is the repository root
        f"--LabApp.workspaces_dir={tmp_dir / 'workspaces'}",  # a fresh workspace
        # Keep checkpoints out of the repository (an absolute checkpoint_dir is used as is).
        f"--FileCheckpoints.checkpoint_dir={tmp_dir / 'checkpoints'}",
    ]
    if os.geteuid() == 0:  # containers and CI often run as root; Binder does not
        command.append("--allow-root")
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    lab = Lab(f"http://127.0.0.1:{port}", token, log_path)
    try:
        # Wait until the REST API answers (or the server dies, or the timeout passes).
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {server.returncode}\n{lab.log_tail()}")
            try:
                with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in {SERVER_START_TIMEOUT} s\n"
                                f"{lab.log_tail()}")
                time.sleep(0.3)
        yield lab
    finally:
        # SIGTERM makes jupyter_server shut its kernels down and exit; kill whatever of
        # its process tree (kernels run in their own sessions) survives that.
        try:
            children = psutil.Process(server.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        _, alive = psutil.wait_procs(children, timeout=5)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def run_postbuild(config_dir):
    """Run the repository's postBuild as Binder does: executed once (its shebang picks
    bash) from the repository root, with the environment's tools first on PATH; here it
    writes into a temporary config dir instead of ~/.jupyter."""
    result = subprocess.run(
        [str(ROOT / "postBuild")], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=_venv_env(JUPYTER_CONFIG_DIR=config_dir),
    )
    assert result.returncode == 0, (
        f"postBuild failed with code {result.returncode}\n{result.stdout}\n{result.stderr}")


def expected_launch_urlpath():
    """The Binder `urlpath` of the model chapter that _config.yml implies (this is how
    sphinx-book-theme builds it: interface prefix / path_to_book / page path)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    interface = config["launch_buttons"]["notebook_interface"]
    assert interface == "jupyterlab", (
        f"_config.yml: launch_buttons.notebook_interface is {interface!r}; Binder pages open "
        "as notebooks only in JupyterLab (jupyterlab-jupytext)")
    book = (config.get("repository", {}).get("path_to_book") or "").strip("/")
    page = f"{book}/{MODEL_PAGE}" if book else MODEL_PAGE
    return f"{INTERFACE_PREFIXES[interface]}/{page}"


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def binder_config_dir(tmp_path_factory):
    """A fresh Jupyter config dir with postBuild applied, as on Binder."""
    config_dir = tmp_path_factory.mktemp("binder-jupyter-config")
    run_postbuild(config_dir)
    return config_dir


@pytest.fixture(scope="module")
def binder_lab(binder_config_dir, tmp_path_factory):
    """JupyterLab with the Binder configuration applied, stopped after this module."""
    with run_jupyterlab(binder_config_dir, tmp_path_factory.mktemp("binder-lab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def launch_urlpath():
    """The model chapter's launch path, checked against the built page when there is one."""
    expected = expected_launch_urlpath()
    if MODEL_HTML.exists():
        hrefs = re.findall(r'href="([^"]*mybinder\.org[^"]*)"', MODEL_HTML.read_text())
        assert hrefs, f"{MODEL_HTML.relative_to(ROOT)} has no Binder launch button"
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(hrefs[0])).query)
        built = query.get("urlpath", [None])[0]
        assert built == expected, (
            f"the built Binder link opens {built!r}, but _config.yml implies {expected!r}: "
            "rebuild the book, or fix repository.path_to_book / launch_buttons")
    return expected


@pytest.fixture
def page(browser):
    """A fresh browser context and tab (so nothing is shared between tests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module", autouse=True)
def model_page_unchanged():
    """The tests open the chapter in JupyterLab: make sure nothing saved it back."""
    source = ROOT / MODEL_PAGE
    before = source.read_bytes()
    yield
    after = source.read_bytes()
    if after != before:
        source.write_bytes(before)
        pytest.fail(f"JupyterLab changed {MODEL_PAGE} (restored it)")


# --------------------------------------------------------------------------- UI helpers

def open_launch_path(page, lab, urlpath):
    """Open the launch path and wait until JupyterLab shows the page in a document: the
    main area's current tab is the file, and a notebook or a text editor is on screen."""
    page.goto(lab.open_url(urlpath))
    name = Path(urlpath).name
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=name)
    document = page.locator(".jp-NotebookPanel:visible, .jp-FileEditor:visible").first
    try:
        tab.wait_for(state="visible")
        document.wait_for(state="visible")
    except Exception as error:  # Playwright's TimeoutError: add the server's side
        pytest.fail(f"JupyterLab did not show {name}: {error}\n{lab.log_tail()}")


# The notebook toolbar shows the kernel's name and status. Before a kernel is attached
# the status already reads "idle" (with the name "No Kernel"), so check both.
KERNEL_IDLE_JS = """panel => {
    const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const name = panel.querySelector('.jp-Toolbar-kernelName');
    return status !== null && status.dataset.status === 'idle'
        && name !== null && !['', 'No Kernel'].includes(name.textContent.trim());
}"""


def wait_for_kernel_idle(page, panel, lab):
    """Wait until the notebook's kernel is started, connected and idle; return its name."""
    try:
        page.wait_for_function(KERNEL_IDLE_JS, arg=panel.element_handle())
    except Exception as error:
        pytest.fail(f"the notebook's kernel did not become idle: {error}\n{lab.log_tail()}")
    return panel.locator(".jp-Toolbar-kernelName").inner_text().strip()


# --------------------------------------------------------------------------- tests

def test_postbuild_sets_jupytext_notebook_as_markdown_viewer(binder_config_dir):
    """postBuild makes the Jupytext notebook the default viewer of .md (and MyST) files."""
    overrides = binder_config_dir / "labconfig" / "default_setting_overrides.json"
    assert overrides.exists(), f"postBuild wrote no {overrides.relative_to(binder_config_dir)}"
    settings = yaml.safe_load(overrides.read_text())  # JSON is YAML
    viewers = settings.get("@jupyterlab/docmanager-extension:plugin", {}).get("defaultViewers", {})
    assert viewers.get("markdown") == "Jupytext Notebook", f"defaultViewers: {viewers}"


def test_launch_path_matches_config(launch_urlpath):
    """The launch path points at the model chapter from the repository root."""
    assert (ROOT / launch_urlpath.split("/", 2)[2]).is_file(), launch_urlpath


def test_model_chapter_opens_as_notebook_and_runs(binder_lab, page, launch_urlpath):
    """The launch path opens the chapter as a notebook whose first code cell runs."""
    open_launch_path(page, binder_lab, launch_urlpath)

    # (1) It is a notebook, not the text editor.
    panel = page.locator(".jp-NotebookPanel:visible")
    assert panel.count() == 1, (
        "the launch path did not open as a notebook\n" + binder_lab.log_tail())
    assert page.locator(".jp-FileEditor:visible").count() == 0, (
        "the launch path opened in the text editor")

    # (2) The kernel of the page's front matter (python3) starts by itself (no kernel
    # picker dialog) and becomes idle.
    kernel = wait_for_kernel_idle(page, panel, binder_lab)
    assert kernel.startswith("Python 3"), f"the notebook runs the kernel {kernel!r}"

    # (3) Run the first code cell (the page's setup cell): select it by its prompt, then
    # Shift+Enter in command mode runs it. Its prompt turns from [ ] via [*] to [1].
    cell = panel.locator(".jp-CodeCell").first
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    prompt = cell.locator(".jp-InputPrompt")
    try:
        page.wait_for_function(
            "el => el.textContent.trim() === '[1]:'", arg=prompt.element_handle())
    except Exception as error:
        pytest.fail(f"the first code cell did not run (prompt {prompt.text_content()!r}): "
                    f"{error}\n{binder_lab.log_tail()}")
    wait_for_kernel_idle(page, panel, binder_lab)  # all its outputs have arrived

    # (4) It ran without an error. JupyterLab renders an error (like a warning) as a stderr
    # output: a traceback, or for a SyntaxError just "SyntaxError: ..." after the code.
    stderr = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    errors = [text for text in stderr.all_inner_texts()
              if "Traceback" in text or re.search(r"^\w*(Error|Exception)\b", text, re.MULTILINE)]
    assert not errors, "the first code cell failed:\n" + "\n".join(errors)


def test_without_postbuild_the_page_opens_as_text(tmp_path, page, launch_urlpath):
    """Negative control: JupyterLab alone opens .md in the text editor, so the test above
    really depends on postBuild."""
    config_dir = tmp_path / "jupyter-config"
    config_dir.mkdir()
    with run_jupyterlab(config_dir, tmp_path / "lab") as lab:
        open_launch_path(page, lab, launch_urlpath)
        assert page.locator(".jp-FileEditor:visible").count() == 1, lab.log_tail()
        assert page.locator(".jp-NotebookPanel:visible").count() == 0, lab.log_tail()
