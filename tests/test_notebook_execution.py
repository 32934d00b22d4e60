"""Notebook executions are keyed on what each notebook imports, run in parallel, and re-run only when needed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_build
from notebook_execution import cache_key, dependencies, imported_modules
from pages import notebooks

SRC = ROOT / "src"


# Python's own import system is the oracle: a subprocess imports each notebook's `mlguide` modules from a clean
# slate and reports which files of the package it loaded, transitive imports and package `__init__`s included.
LOADED_BY_PYTHON = """
import importlib, json, sys
result = {}
for name, modules in json.loads(sys.argv[1]).items():
    for key in [key for key in sys.modules if key == "mlguide" or key.startswith("mlguide.")]:
        del sys.modules[key]
    for module in modules:
        importlib.import_module("mlguide." + module)
    result[name] = sorted(m.__file__ for key, m in sys.modules.items() if key.split(".")[0] == "mlguide")
print(json.dumps(result))
"""


def direct_imports(notebook: Path) -> set[str]:
    return set(re.findall(r"^from mlguide\.([\w.]+) import", notebook.read_text(encoding="utf-8"), flags=re.M))


@pytest.fixture(scope="module")
def loaded_by_python() -> dict[str, set[Path]]:
    wanted = {path.stem: sorted(direct_imports(path)) for path in notebooks()}
    run = subprocess.run([sys.executable, "-c", LOADED_BY_PYTHON, json.dumps(wanted)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(SRC)}, check=True)
    return {name: {Path(file) for file in files} for name, files in json.loads(run.stdout).items()}


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_a_notebook_depends_on_the_modules_it_imports_and_no_others(path, loaded_by_python):
    assert set(dependencies(path.read_text(encoding="utf-8"), SRC)) == loaded_by_python[path.stem]


def test_imports_are_followed_through_modules_and_subpackages(tmp_path):
    package = tmp_path / "mlguide"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("from .trees import fit\n")
    (package / "models" / "trees.py").write_text("from ..metrics import gini\nimport numpy\n")
    (package / "metrics.py").write_text("from mlguide import losses\n")
    (package / "losses.py").write_text("x = 1\n")
    (package / "unused.py").write_text("x = 2\n")
    found = dependencies("import numpy as np\nfrom mlguide.models import fit\n", tmp_path)
    names = {p.relative_to(package).as_posix() for p in found}
    assert names == {"__init__.py", "models/__init__.py", "models/trees.py", "metrics.py", "losses.py"}


def test_only_mlguide_imports_count():
    source = ("import numpy\nfrom sklearn.metrics import roc_auc_score\nimport mlguide.evaluation.ranking as r\n"
              "from mlguide.generalization import splits\n")
    assert imported_modules(source) == {"mlguide.evaluation.ranking", "mlguide.generalization",
                                        "mlguide.generalization.splits"}


def test_imports_are_found_in_any_form_without_parsing_the_whole_file():
    source = ('"""Notes.\n\nimport the data first, then from there import it.\n"""\n'
              "from mlguide.models.trees import (\n    fit,\n    predict,\n)\n"
              "def f():\n    import mlguide.data.eda as eda; import numpy\n"
              "x = 1  # from mlguide.vision import nothing is imported by a comment\n"
              "if x:\n    from mlguide import sequences\n")
    assert imported_modules(source) == {"mlguide.models.trees", "mlguide.models.trees.fit",
                                        "mlguide.models.trees.predict", "mlguide.data.eda", "mlguide",
                                        "mlguide.sequences"}


def test_the_key_changes_with_an_imported_module_and_not_with_another(tmp_path):
    root = tmp_path
    (root / "src" / "mlguide").mkdir(parents=True)
    (root / "constraints.txt").write_text("numpy==2.4.6\n")
    for name in ("__init__", "used", "other"):
        (root / "src" / "mlguide" / f"{name}.py").write_text(f"# {name}\n")
    source = b"from mlguide.used import thing\n"
    before = cache_key(source, root)
    (root / "src" / "mlguide" / "other.py").write_text("# edited\n")
    assert cache_key(source, root) == before
    (root / "src" / "mlguide" / "used.py").write_text("# edited\n")
    edited = cache_key(source, root)
    assert edited != before
    (root / "constraints.txt").write_text("numpy==2.4.7\n")
    assert cache_key(source, root) != edited


def executions(log: str) -> tuple[set[str], set[str]]:
    executed = set(re.findall(r"notebook \d+/\d+ executed in [\d.]+ s: (\S+)", log))
    cached = set(re.findall(r"notebook \d+/\d+ from cache: (\S+)", log))
    return executed, cached


def test_editing_one_module_reruns_only_the_notebooks_that_import_it(project_copy, tmp_path):
    """A warm cache, one mlguide module edited: its importers run (in parallel), every other notebook is cached."""
    users: dict[str, set[str]] = {}
    for path in notebooks():
        for module in direct_imports(path):
            users.setdefault(module, set()).add(path.relative_to(ROOT / "docs").as_posix())
    module = max(sorted(users), key=lambda m: len(users[m]))  # the module most notebooks share
    with (project_copy / "src" / "mlguide" / f"{module.replace('.', '/')}.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit that changes no behaviour\n")
    result = run_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    executed, cached = executions(result.stderr)
    everything = {p.relative_to(ROOT / "docs").as_posix() for p in notebooks()}
    assert executed == users[module], f"editing mlguide/{module}.py re-ran {sorted(executed)}"
    assert cached == everything - users[module]
    workers = min(len(users[module]), os.cpu_count() or 1)
    assert f"executing {len(users[module])} of {len(everything)}, {workers} at a time" in result.stderr
    assert re.search(r"notebooks: \d+ executed in [\d.]+ s .*slowest: ", result.stderr), "a summary of the slowest"


# What each variant must do inside the kernel: PyTorch's kernels and NumPy's dispatched loops held below AVX-512.
REPORTS_ITS_CPU_PATHS = """# %%
import os, torch
from numpy._core._multiarray_umath import __cpu_features__
CAPABILITY, NUMPY_AVX512, BLAS = torch.backends.cpu.get_cpu_capability(), __cpu_features__["X86_V4"], os.environ["OPENBLAS_CORETYPE"]
assert (CAPABILITY, NUMPY_AVX512, BLAS) == EXPECTED, (CAPABILITY, NUMPY_AVX512, BLAS)
"""


@pytest.mark.parametrize("variant, expected", [("avx2", ("AVX2", False, "Haswell")),
                                               ("no-avx", ("DEFAULT", False, "Haswell"))])
def test_a_cpu_variant_reaches_the_notebook_kernel(tmp_path, variant, expected):
    """`make cpu-variants` runs notebooks with the libraries held to narrower instruction sets; the kernel sees it,
    and a notebook whose assert fails under the variant fails the command, named."""
    if os.uname().machine != "x86_64":
        pytest.skip("the variants are x86 instruction sets")
    outcomes = {}
    for name, claimed in (("right.py", expected), ("wrong.py", ("AVX512", True, "SkylakeX"))):
        (tmp_path / name).write_text(f"# %%\nEXPECTED = {claimed!r}\n" + REPORTS_ITS_CPU_PATHS, encoding="utf-8")
        outcomes[name] = subprocess.run([sys.executable, ROOT / "scripts" / "cpu_variants.py", tmp_path / name,
                                         "--variant", variant], capture_output=True, text=True, timeout=300)
    assert outcomes["right.py"].returncode == 0, outcomes["right.py"].stdout[-2000:]
    assert outcomes["wrong.py"].returncode == 1 and "wrong.py: cell 2 raised AssertionError" in outcomes["wrong.py"].stdout
