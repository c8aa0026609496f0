#!/usr/bin/env python3
"""Set up, build, serve and test the book. Standard library only.

    python3 tools/dev.py serve    # set up .venv, build the book, serve it on localhost
    python3 tools/dev.py test     # set up everything, then run every check of the project

Other commands: ``setup`` (only the virtual environment, browser and packages),
``build [--clean]`` (only the strict build), ``screenshot`` (the README's picture) and
``benchmark`` (groundml's estimators timed against scikit-learn's; not a test).
Run ``python3 tools/dev.py -h`` for options.

Everything is installed into ``.venv`` at the repository's root from the pinned
``requirements.txt``; the browser tests use the system's Chromium, which ``test``
installs with apt-get when it is missing (set CHROMIUM_PATH to use another one).
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

from browser import find_chromium

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
BUILD_LOG = BUILD / "build.log"
PACKAGE_STAMP = EXECUTION_CACHE / "package-stamp"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements-stamp"


def say(message):
    print(f"[dev] {message}", flush=True)


def fail(message):
    print(f"[dev] error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def venv_bin(name):
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def run(cmd, **kwargs):
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, **kwargs)


# ---- setup ------------------------------------------------------------------------

def requirements_digest():
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, ROOT / "code" / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def setup_venv():
    """Create .venv and install requirements.txt into it, unless it is up to date."""
    if sys.version_info < (3, 10):
        fail("Python 3.10 or newer is needed (CI and Binder use 3.11); "
             f"this is {sys.version.split()[0]}.")
    if not venv_bin("python").exists():
        say(f"creating the virtual environment {VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = requirements_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        say("packages are up to date with requirements.txt")
        return
    say("installing the pinned packages of requirements.txt (a few minutes the first time)")
    result = run([venv_bin("python"), "-m", "pip", "install", "--disable-pip-version-check",
                  "-q", "-r", REQUIREMENTS])
    if result.returncode != 0:
        fail("pip could not install requirements.txt; its message is above.")
    STAMP.write_text(wanted)


def setup_chromium():
    """Return the path of a Chromium-based browser, installing Debian's chromium if needed."""
    found = find_chromium()
    if found and not Path(found).exists():
        fail(f"CHROMIUM_PATH is set to {found}, which does not exist.")
    if found:
        say(f"browser for the site tests: {found}")
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        fail("no Chromium found and no apt-get to install it: install Chromium or Google Chrome, "
             "or set CHROMIUM_PATH to its executable.")
    prefix = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else None)
    if prefix is None:
        fail("Chromium is missing and installing it needs root: run "
             "'apt-get install chromium' as root, or set CHROMIUM_PATH.")
    say("installing Debian's chromium for the browser tests")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (prefix + [apt, "update", "-q"],
                prefix + [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]):
        if run(cmd, env=env).returncode != 0:
            fail("apt-get could not install chromium; see its message above.")
    found = find_chromium()
    if not found:
        fail("apt-get finished but no chromium executable is on PATH.")
    return found


# ---- build ------------------------------------------------------------------------

def summarise_build_log(text):
    """The build's problems, one line each, naming the file (and line) of each."""
    problems = []
    for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines():
        if "WARNING:" in line or "ERROR:" in line or "CRITICAL:" in line:
            if "Notebook exception traceback saved in" in line:
                continue
            problems.append(line.strip())
    return problems


def package_digest():
    """Hash of what every page's output depends on besides its own text."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    for path in sorted((ROOT / "code" / "src").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def single_thread_env():
    """The environment with one BLAS/OpenMP thread per process (a caller's setting wins).

    The pages' and tests' arrays are small: one thread is as fast as several and keeps a
    2-core CI machine from oversubscribing when a library's thread pool waits for cores.
    """
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


def build(clean=False):
    """Run the strict build: warnings are errors, every cell executed (or cached)."""
    if clean and BUILD.exists():
        say("removing _build (pages, doctrees and the execution cache)")
        shutil.rmtree(BUILD)
    BUILD.mkdir(exist_ok=True)
    # The execution cache knows a page only by its own text. Pages import the package,
    # so a change to it (or to a pinned version) must execute every page again.
    digest = package_digest()
    if EXECUTION_CACHE.exists() and (not PACKAGE_STAMP.exists() or PACKAGE_STAMP.read_text() != digest):
        say("the package or requirements.txt changed: clearing the execution cache")
        shutil.rmtree(EXECUTION_CACHE)
    cmd = [venv_bin("jupyter-book"), "build", ROOT, "--warningiserror", "--nitpick", "--keep-going"]
    say("$ " + " ".join(str(c) for c in cmd) + f"  (log: {BUILD_LOG.relative_to(ROOT)})")
    env = single_thread_env()
    start = time.perf_counter()
    with open(BUILD_LOG, "w") as log:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        for line in proc.stdout:
            log.write(line)
            if "[mystnb]" in line or "WARNING" in line or "ERROR" in line or "build " in line:
                print("    " + line.rstrip(), flush=True)
        proc.wait()
    elapsed = time.perf_counter() - start
    if EXECUTION_CACHE.exists():
        PACKAGE_STAMP.write_text(digest)
    if proc.returncode != 0:
        problems = summarise_build_log(BUILD_LOG.read_text())
        print("\n[dev] the build failed. Problems, each naming its page:", file=sys.stderr)
        for problem in problems or ["(no warning line found; read the end of the log)"]:
            print("    " + problem, file=sys.stderr)
        reports = sorted((HTML / "reports").rglob("*.err.log")) if (HTML / "reports").exists() else []
        for report in reports:
            print(f"    traceback of a failing cell: {report.relative_to(ROOT)}", file=sys.stderr)
        print(f"[dev] full log: {BUILD_LOG.relative_to(ROOT)}", file=sys.stderr)
        return False, elapsed
    return True, elapsed


# ---- commands ---------------------------------------------------------------------

def cmd_setup(args):
    setup_venv()
    if not args.no_browser:
        setup_chromium()


def cmd_build(args):
    setup_venv()
    ok, elapsed = build(clean=args.clean)
    say(f"{'clean ' if args.clean else ''}build {'succeeded' if ok else 'FAILED'} in {elapsed:.1f} s")
    sys.exit(0 if ok else 1)


def cmd_serve(args):
    setup_venv()
    ok, elapsed = build(clean=args.clean)
    if not ok:
        sys.exit(1)
    say(f"build succeeded in {elapsed:.1f} s")
    address = f"http://{args.host}:{args.port}/"
    print(f"\n  Serving the book at {address}  (Ctrl+C to stop)\n", flush=True)
    try:
        subprocess.run([str(venv_bin("python")), "-m", "http.server", str(args.port),
                        "--bind", args.host, "--directory", str(HTML)], cwd=ROOT)
    except KeyboardInterrupt:
        pass


def cmd_screenshot(args):
    setup_venv()
    env = dict(os.environ, CHROMIUM_PATH=setup_chromium())
    if not (HTML / "index.html").exists():
        ok, _ = build()
        if not ok:
            sys.exit(1)
    sys.exit(run([venv_bin("python"), ROOT / "tools" / "screenshot.py"], env=env).returncode)


def cmd_benchmark(args):
    setup_venv()
    sys.exit(run([venv_bin("python"), ROOT / "tools" / "benchmark.py", *args.benchmark_args]).returncode)


def cmd_test(args):
    total_start = time.perf_counter()
    setup_venv()
    env = single_thread_env()
    env["CHROMIUM_PATH"] = setup_chromium()

    say("step 1/2: clean strict build of the whole book (every cell executed)")
    ok, clean_time = build(clean=True)
    timings = [f"clean build: {clean_time:.1f} s"]
    if ok:
        say(f"clean build succeeded in {clean_time:.1f} s")
        say("rebuilding from the execution cache (no page is executed again)")
        for part in ("html", "jupyter_execute", ".doctrees"):
            shutil.rmtree(BUILD / part, ignore_errors=True)
        ok, cached_time = build(clean=False)
        timings.append(f"cached rebuild: {cached_time:.1f} s")
        say(f"cached rebuild {'succeeded' if ok else 'FAILED'} in {cached_time:.1f} s")

    say("step 2/2: pytest (package reference tests, content check, site checks, "
        "workflow lint, Binder)")
    # The package's pytest settings, with paths shown from the repository's root.
    pytest = [venv_bin("python"), "-m", "pytest", "-c", "code/pyproject.toml", "--rootdir", ".",
              "code/tests", "tests"]
    if not ok:
        # The site checks need a built site; still run everything else for the report.
        pytest += ["-m", "not needs_site"]
    pytest += args.pytest_args
    env["BOOK_BUILD_OK"] = "1" if ok else "0"
    result = run(pytest, env=env)

    say("timings: " + ", ".join(timings) + f", whole test command: {time.perf_counter() - total_start:.1f} s")
    if not ok:
        fail("the build failed (problems listed above), so the site checks did not run.")
    sys.exit(result.returncode)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="create .venv, install requirements.txt and a browser")
    p.add_argument("--no-browser", action="store_true", help="skip the browser for the site tests")
    p.set_defaults(func=cmd_setup)
    p = sub.add_parser("build", help="strict build of the book into _build/html")
    p.add_argument("--clean", action="store_true", help="remove _build first, execution cache included")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("serve", help="build the book, then serve _build/html on localhost")
    p.add_argument("--clean", action="store_true", help="remove _build first, execution cache included")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("screenshot", help="take the README's screenshot of the model chapter")
    p.set_defaults(func=cmd_screenshot)
    p = sub.add_parser("benchmark", help="time groundml's estimators against scikit-learn's (not a test)")
    p.add_argument("benchmark_args", nargs="*",
                   help="arguments for tools/benchmark.py (after --), e.g. --only Ridge")
    p.set_defaults(func=cmd_benchmark)
    p = sub.add_parser("test", help="clean build, then every test: package, content, site, workflows, Binder")
    p.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    p.set_defaults(func=cmd_test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
