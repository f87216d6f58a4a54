"""WeasyPrint's C bindings, declared once per machine instead of once per process.

WeasyPrint 70 binds Pango, HarfBuzz and fontconfig with cffi in ABI mode: every process
that imports it parses ~450 lines of C declarations with pycparser (0.18 s here), and
parses each C type string again the first time it is used (0.15–0.3 s more while the
first PDF is written). cffi can emit the same declarations as a small Python module of
pre-parsed type tables ("out-of-line" ABI mode; no compiler). Here that module is emitted
once per build of WeasyPrint's `text/ffi.py` into the user's cache, and handed to that file
in place of the FFI object it would build and parse: the same libraries, the same calls,
the same PDF bytes, and an editor's one-off `printpost build` starts ~0.4 s sooner.

Anything unexpected (no cache directory, another layout of WeasyPrint's source, cffi
failing) and WeasyPrint builds its own bindings, as it always did. PRINTPOST_FFI=weasyprint
does that on purpose (tests compare the two).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

FFI_MODULE = "weasyprint.text.ffi"
# The generated module builds its FFI from this subclass: WeasyPrint's file calls cdef()
# on it with the declarations it was generated from, which are already in its tables.
DECLARED_CLASS = '''
class _DeclaredFFI(_cffi_backend.FFI):
    def cdef(self, source, override=False, packed=False, pack=None):
        """Declared already: this module was generated from the same source."""
'''


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "printpost"


def import_weasyprint():
    """`import weasyprint`, with prebuilt bindings when the first import happens here."""
    if FFI_MODULE in sys.modules or os.environ.get("PRINTPOST_FFI") == "weasyprint":
        import weasyprint

        return weasyprint
    with _prebuilt_bindings():
        import weasyprint
    return weasyprint


@contextmanager
def _prebuilt_bindings():
    try:
        declared = _declared_ffi()
    except Exception as error:  # any failure: WeasyPrint declares its own, as before
        log.debug("prebuilt WeasyPrint bindings unavailable: %s", error)
        declared = None
    if declared is None:
        yield
        return
    import cffi

    stock_ffi = cffi.FFI

    def ffi_for_caller(*args, **kwargs):
        if not args and not kwargs and sys._getframe(1).f_globals.get("__name__") == FFI_MODULE:
            return declared
        return stock_ffi(*args, **kwargs)

    cffi.FFI = ffi_for_caller
    try:
        yield
    finally:
        cffi.FFI = stock_ffi


def _declared_ffi():
    """The FFI object of the generated module for the installed WeasyPrint, generating the
    module first if this machine has not yet."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return None
    source_path = Path(spec.origin).parent / "text" / "ffi.py"
    source = source_path.read_bytes()
    import cffi

    key = hashlib.sha256(source + cffi.__version__.encode() + sys.version.encode()).hexdigest()
    name = f"_weasyprint_ffi_{key[:16]}"
    path = cache_dir() / f"{name}.py"
    if not path.exists():
        _generate(source.decode("utf-8"), name, path)
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.ffi


def _generate(source: str, name: str, path: Path) -> None:
    """Emit the out-of-line module for the one cdef() call in WeasyPrint's ffi.py."""
    import cffi
    from cffi.recompiler import make_py_source

    calls = [node for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr == "cdef"]
    if len(calls) != 1 or not isinstance(calls[0].args[0], ast.Constant) or calls[0].keywords:
        raise ValueError(f"expected one cdef() of a string in {FFI_MODULE}, found {len(calls)}")
    builder = cffi.FFI()
    builder.cdef(calls[0].args[0].value)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    make_py_source(builder, name, str(partial))  # what emit_python_code does, quietly
    code = partial.read_text(encoding="utf-8")
    stock = "ffi = _cffi_backend.FFI("
    if code.count(stock) != 1:
        partial.unlink()
        raise ValueError("unexpected output from cffi's emit_python_code")
    partial.write_text(code.replace(stock, DECLARED_CLASS + "\nffi = _DeclaredFFI("),
                       encoding="utf-8")
    os.replace(partial, path)  # other processes see the whole module or none
