"""A sample project with a C extension (setuptools Extension), built for real by the tests.

Its wheels are platform wheels (cp311-cp311-linux_x86_64 and the like), so a dist/ gathered
from "many machines" is made here by retagging one real wheel per pretended platform.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from releasekit.demo import sample

SETUP_PY = """\
from setuptools import Extension, setup

setup(ext_modules=[Extension("{module}._speedups", ["src/{module}/_speedups.c"])])
"""

SPEEDUPS_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a + b);
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers in C."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
"""


def write_compiled_project(root: Path, *, name: str = "sample-ext", version: str = "1.3.0") -> Path:
    """A setuptools project whose package has a C extension module; returns `root`."""
    sample.write_project(root, name=name, version=version, backend="setuptools")
    module = sample.module_name(name)
    (root / "setup.py").write_text(SETUP_PY.format(module=module))
    (root / "src" / module / "_speedups.c").write_text(SPEEDUPS_C)
    with (root / ".gitignore").open("a") as ignore:
        ignore.write("build/\n*.so\n*.egg-info/\nwheelhouse/\n")
    return root


def retag(wheel: Path, outdir: Path, tag: str, *, name: str | None = None) -> Path:
    """A copy of `wheel` for another platform tag ("cp311-cp311-macosx_14_0_arm64"): the file
    name and the WHEEL file's Tag line say `tag`, RECORD keeps matching the contents, and the
    same call gives the same bytes.
    `name` replaces the distribution part of the file name (a wheel of another project)."""
    dist_name, version = wheel.name.split("-")[:2]
    target = outdir / f"{name or dist_name}-{version}-{tag}.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(buffer, "w") as copy:
        record_info = next(i for i in source.infolist() if i.filename.endswith(".dist-info/RECORD"))
        record_name = record_info.filename
        record: list[str] = []
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".dist-info/WHEEL"):
                lines = [line for line in data.decode().splitlines() if not line.startswith("Tag:")]
                data = ("\n".join([*lines, f"Tag: {tag}"]) + "\n").encode()
            if info.filename == record_name:
                continue
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{info.filename},sha256={digest.decode()},{len(data)}")
            copy.writestr(info, data)
        record.append(f"{record_name},,")
        copy.writestr(record_info, "\n".join(record) + "\n")  # its time too: same bytes each time
    target.write_bytes(buffer.getvalue())
    return target
