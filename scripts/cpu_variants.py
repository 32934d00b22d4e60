"""Run the notebooks with their math libraries held to narrower instruction sets (`make cpu-variants`), to catch
asserts that hold on one machine only.

A notebook's numbers depend on the floating-point code paths its libraries pick at run time: PyTorch, oneDNN, MKL,
OpenBLAS and NumPy each choose kernels by the CPU's vector instructions, and a different summation order shifts a
training run's last digits, sometimes its outcome. A build machine with AVX-512 and one with AVX2 only gave different
results for several notebooks (a test image flipped, another image chosen by an argmin). This script executes each
notebook with the libraries held to narrower instruction sets: as a machine without AVX-512 would run it, and with
PyTorch, MKL and NumPy on their pre-AVX paths (a harsher perturbation, and a change even where the first is none).
It reports every notebook whose asserts fail under a variant. Run it after writing or changing a notebook: what the
page claims should hold on any build machine, so its asserts should pass under every variant.

    python scripts/cpu_variants.py                      # every notebook, every variant
    python scripts/cpu_variants.py docs/vision/notebooks/cnn_vs_mlp_digits.py --variant avx2

It exits non-zero when a notebook fails under some variant; outputs are not kept.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

from mkdocs.exceptions import PluginError  # noqa: E402
from notebook_execution import NOTEBOOK_GLOB, run_all  # noqa: E402

# NumPy's dispatch groups beyond AVX2 (X86_V4 is AVX-512), and the baseline's next level (X86_V3 is AVX2 with FMA).
ABOVE_AVX2 = "X86_V4 AVX512_ICL AVX512_SPR"
VARIANTS = {
    "avx2": {  # a machine with AVX2 and no AVX-512 (such as the AMD EPYC one a build ran on)
        "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_CBWR": "AVX2",
        "OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": ABOVE_AVX2,
    },
    "no-avx": {  # PyTorch's scalar kernels, oneDNN at SSE4.1, MKL's portable path, NumPy without AVX; OpenBLAS stays
        # at Haswell's fused multiply-add, which every x86 build machine has and one page's claim needs (the
        # k-nearest-neighbours notebook's cancellation goes negative with FMA, and to exactly 0 without it)
        "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_CBWR": "COMPATIBLE",
        "OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": "X86_V3 " + ABOVE_AVX2,
    },
}

# Notebooks whose claims are about this CPU's speed (vector instructions are what batching and int8 buy): they run
# under the variants that a real CPU has, not under no-avx.
SPEED_NOTEBOOKS = {"career/notebooks/speeding_up_a_pipeline.py"}
REAL_INSTRUCTION_SETS = {"avx2"}


def available(variant: dict[str, str]) -> dict[str, str]:
    """The variant without NumPy features this CPU lacks (NumPy refuses to disable what it cannot enable)."""
    from numpy._core._multiarray_umath import __cpu_features__

    features = " ".join(f for f in variant["NPY_DISABLE_CPU_FEATURES"].split() if __cpu_features__.get(f))
    return {**variant, "NPY_DISABLE_CPU_FEATURES": features} if features else \
        {k: v for k, v in variant.items() if k != "NPY_DISABLE_CPU_FEATURES"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebook files (default: every notebook)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), action="append", help="default: every variant")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)  # one line per notebook, not nbclient's chatter
    docs = ROOT / "docs"
    paths = [p.resolve() for p in args.notebooks] or sorted(docs.glob(NOTEBOOK_GLOB))
    failed = []
    with tempfile.TemporaryDirectory(prefix="cpu-variants-") as scratch:
        for name in args.variant or sorted(VARIANTS):
            print(f"== variant {name}: {available(VARIANTS[name])}", flush=True)
            jobs = [(p.relative_to(docs).as_posix() if p.is_relative_to(docs) else p.name, p,
                     Path(scratch) / name / f"{p.stem}.ipynb") for p in paths]
            if name not in REAL_INSTRUCTION_SETS:
                print(f"   not run: {sorted(src for src, _, _ in jobs if src in SPEED_NOTEBOOKS)} (claims about speed)")
                jobs = [job for job in jobs if job[0] not in SPEED_NOTEBOOKS]
            try:
                asyncio.run(run_all(jobs, os.cpu_count() or 1, len(jobs), env=available(VARIANTS[name])))
            except PluginError as error:
                failed.append(name)
                print(f"== variant {name}: FAILED\n{error}", flush=True)
    print("every notebook passes under every variant" if not failed else f"failures under: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
