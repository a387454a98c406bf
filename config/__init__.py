import os

# One BLAS thread per process: web workers and Celery already run in parallel, and OpenBLAS's
# own threads on a busy 2-core host made the CMA's regression 10x slower (docs/cma.md).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
