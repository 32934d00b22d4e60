"""Execute the guide's notebooks before any page renders: in parallel, cached, and saying what it does.

Each notebook (`docs/<area>/notebooks/<name>.py`, jupytext percent format) is executed only when its cache entry
in `.cache/notebooks/` is missing. The entry's key covers exactly what an execution can depend on: the notebook's
source, the `mlguide` modules it imports (followed transitively through their own imports, package `__init__`
files included), the pinned environment (`constraints.txt`) and the Python version. Editing one `mlguide` module
re-runs only the notebooks that import it.

Notebooks that need running run at once, as many at a time as the machine has cores, each in its own kernel on
IPC sockets (no TCP ports to race for) with one math-library thread. The build logs one line per notebook as it finishes (executed or from
cache, its time, n of N) and a summary of the slowest. A cell that raises fails the build naming the notebook, the
cell and the traceback; a kernel that dies fails it naming the notebook. Each notebook's File is then pointed at its
executed copy (`abs_src_path`), which `notebooks.py` publishes and mkdocs-jupyter renders.
"""

from __future__ import annotations

import ast
import asyncio
import fnmatch
import hashlib
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from jupyter_client.manager import AsyncKernelManager
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

NOTEBOOK_GLOB = "*/notebooks/*.py"
CACHE_VERSION = "2"
CELL_TIMEOUT_S = 300
PACKAGE = "mlguide"
log = logging.getLogger("mkdocs.hooks.notebook_execution")


# Import statements, found without parsing the whole file (parsing every notebook and module was 1.5 s of each build).
# A match that is not Python (a docstring line starting "import the data") fails to parse and is not an import.
IMPORT_STATEMENT = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)|import[ \t]+[^\n]*)", re.M)


def import_statements(source: str) -> list[ast.Module]:
    statements = []
    for match in IMPORT_STATEMENT.finditer(source):
        try:
            statements.append(ast.parse(match[0].strip()))
        except SyntaxError:
            continue
    return statements


def imported_modules(source: str, package: str = "") -> set[str]:
    """Dotted names of the `mlguide` modules that `source` imports; `package` resolves its relative imports."""
    names = set()
    for node in (node for statement in import_statements(source) for node in ast.walk(statement)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from . import x` or `from .x import y` inside the package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}  # `from mlguide import ranking`
    return {name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")}


def module_files(name: str, src: Path) -> list[Path]:
    """The files executed on `import name`: each package `__init__.py` on the way, then the module itself."""
    parts, files = name.split("."), []
    for depth in range(1, len(parts) + 1):
        base = src.joinpath(*parts[:depth])
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                files.append(candidate)
                break
    return files


def dependencies(source: str, src: Path) -> list[Path]:
    """Every `mlguide` file that running `source` can execute, found by following imports; sorted."""
    seen: set[Path] = set()
    queue = sorted(imported_modules(source))
    while queue:
        for path in module_files(queue.pop(), src):
            if path not in seen:
                seen.add(path)
                package = ".".join(path.relative_to(src).parent.parts)
                queue += sorted(imported_modules(path.read_text(encoding="utf-8"), package))
    return sorted(seen)


def cache_key(source: bytes, root: Path) -> str:
    """Hash of what an execution depends on: the notebook, the mlguide files it imports, the pins, Python."""
    digest = hashlib.sha256(f"v{CACHE_VERSION} python {sys.version}".encode())
    digest.update(source)
    src = root / "src"
    for path in dependencies(source.decode("utf-8"), src) + [root / "constraints.txt"]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def kernel_environment() -> dict[str, str]:
    """The build's environment with one BLAS/OpenMP thread per kernel: kernels already run one per core, and
    oversubscribed math threads made small solves ten times slower (results also stop depending on the core count)."""
    return {**os.environ, **{name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}


async def execute(src_uri: str, source: str, cwd: Path, socket_prefix: str,
                  env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Run every cell of a jupytext notebook in a fresh kernel (`env` adds variables to its environment);
    PluginError names the failing cell."""
    try:
        notebook = jupytext.reads(source, fmt="py:percent")
    except Exception as error:  # jupytext raises several types for malformed input
        raise PluginError(f"{src_uri}: not a readable jupytext percent-format notebook: {error}") from error
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=socket_prefix)
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S, allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        await client.async_execute(cleanup_kc=True, env={**kernel_environment(), **(env or {})})
    except CellExecutionError as error:
        failed = next((i for i, c in enumerate(notebook.cells, 1) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        raise PluginError(f"{src_uri}: cell {failed} raised {error.ename}: {error.evalue}\n{error}") from error
    except (DeadKernelError, RuntimeError) as error:  # nbclient raises RuntimeError for a kernel that never started
        raise PluginError(f"{src_uri}: the kernel died while running the notebook ({error})") from error
    finally:
        if await manager.is_alive():
            await manager.shutdown_kernel(now=True)
    return notebook


async def run_all(jobs: list[tuple[str, Path, Path]], workers: int, total: int,
                  env: dict[str, str] | None = None) -> dict[str, float]:
    """Execute (src_uri, source path, output path) jobs, `workers` at a time (`env` as for `execute`); seconds per
    notebook, or raise one PluginError naming every failure."""
    limit, seconds, failures, done = asyncio.Semaphore(workers), {}, {}, total - len(jobs)

    async def one(src_uri: str, path: Path, target: Path, socket_prefix: str):
        nonlocal done
        async with limit:
            start = time.perf_counter()
            try:
                notebook = await execute(src_uri, path.read_text(encoding="utf-8"), path.parent, socket_prefix, env)
            except PluginError as error:
                failures[src_uri] = error
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
            seconds[src_uri] = time.perf_counter() - start
            done += 1
            log.info(f"notebook {done}/{total} executed in {seconds[src_uri]:.1f} s: {src_uri}")

    with tempfile.TemporaryDirectory(prefix="mlguide-kernels-") as sockets:
        await asyncio.gather(*(one(*job, os.path.join(sockets, f"nb{i}")) for i, job in enumerate(jobs)))
    if failures:
        raise PluginError("\n\n".join(str(failures[src_uri]) for src_uri, _, _ in jobs if src_uri in failures))
    return seconds


@event_priority(60)  # before notebooks.py publishes the results and mkdocs-jupyter wraps the files
def on_files(files, config):
    root = Path(config["config_file_path"]).parent
    cache_dir = root / ".cache" / "notebooks"
    executed: dict[str, Path] = {}  # notebook src_uri -> its executed copy in the cache
    jobs, cached = [], []
    for file in sorted((f for f in files if fnmatch.fnmatch(f.src_uri, NOTEBOOK_GLOB)), key=lambda f: f.src_uri):
        path = Path(file.abs_src_path)
        source = path.read_bytes()
        try:
            key = cache_key(source, root)
        except SyntaxError as error:
            raise PluginError(f"{file.src_uri}: not valid Python ({error})") from error
        executed[file.src_uri] = cache_dir / f"{path.stem}-{key[:16]}.ipynb"
        if executed[file.src_uri].exists():
            cached.append(file.src_uri)
        else:
            jobs.append((file.src_uri, path, executed[file.src_uri]))
        file.abs_src_path = str(executed[file.src_uri])  # from here on the build sees the executed notebook
    for n, src_uri in enumerate(cached, 1):
        log.info(f"notebook {n}/{len(executed)} from cache: {src_uri}")
    if not jobs:
        return files
    workers = min(len(jobs), os.cpu_count() or 1)
    log.info(f"notebooks: executing {len(jobs)} of {len(executed)}, {workers} at a time")
    start = time.perf_counter()
    seconds = asyncio.run(run_all(jobs, workers, len(executed)))
    slowest = ", ".join(f"{Path(s).stem} {t:.1f} s" for s, t in sorted(seconds.items(), key=lambda kv: -kv[1])[:3])
    log.info(f"notebooks: {len(jobs)} executed in {time.perf_counter() - start:.1f} s "
             f"(notebook time {sum(seconds.values()):.1f} s on {workers} workers); slowest: {slowest}")
    return files
