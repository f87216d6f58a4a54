"""What every fresh process would redo before its first page, done once per machine.

An editor's `printpost build` is a fresh process: most of its first second goes on
importing WeasyPrint and loading what it needs, not on the edition. Four things here:

C bindings. WeasyPrint 70 binds Pango, HarfBuzz and fontconfig with cffi in ABI mode:
every process that imports it parses ~450 lines of C declarations with pycparser (0.18 s here), and
parses each C type string again the first time it is used (0.15–0.3 s more while the
first PDF is written). cffi can emit the same declarations as a small Python module of
pre-parsed type tables ("out-of-line" ABI mode; no compiler). Here that module is emitted
once per build of WeasyPrint's `text/ffi.py` into the user's cache, and handed to that file
in place of the FFI object it would build and parse: the same libraries, the same calls,
the same PDF bytes, and a one-off `printpost build` ~0.3 s sooner.

Hyphenation patterns. pyphen parses its ~14,000 patterns from the dictionary file for each
process (0.08 s); kept in the same cache (marshal, like Python's bytecode) they load in 0.01 s.

The font subsetter. WeasyPrint imports fontTools' subsetter (0.07 s) for machines without
libharfbuzz-subset; where HarfBuzz subsets, the module is loaded only if something uses it.
Its variable-font instancer (0.09 s) likewise: printpost bundles no variable font.

Anything unexpected (no cache directory, another layout of WeasyPrint's source, cffi
failing, a cache file that does not read back) and that step is done as WeasyPrint and
pyphen do it themselves. PRINTPOST_NO_CACHE=1 does that on purpose (tests compare).
These steps are guarded by what they check, not by WeasyPrint's version (engine/patches.py).
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


def import_weasyprint(cache: bool = True):
    """`import weasyprint`, quicker when the first import happens here (`cache=False`: as
    WeasyPrint imports itself, PRINTPOST_NO_CACHE=1)."""
    if FFI_MODULE in sys.modules or not cache:
        import weasyprint

        return weasyprint
    _lazy_font_subsetter()
    _cached_hyphenation_patterns()
    with _prebuilt_bindings(), _deferred_instancer():
        import weasyprint
    return weasyprint


INSTANCER = "fontTools.varLib.instancer"


@contextmanager
def _deferred_instancer():
    """While WeasyPrint is imported, fontTools' variable-font instancer is a stand-in whose
    one function imports the real module when first called: WeasyPrint imports it by name
    (`from fontTools.varLib.instancer import instantiateVariableFont`, 0.09 s with what it
    pulls in) for variable fonts, and printpost bundles none."""
    if INSTANCER in sys.modules:
        yield
        return
    import types

    def instantiateVariableFont(*args, **kwargs):  # noqa: N802 (fontTools' name)
        return importlib.import_module(INSTANCER).instantiateVariableFont(*args, **kwargs)

    stand_in = types.ModuleType(INSTANCER)
    stand_in.instantiateVariableFont = instantiateVariableFont
    sys.modules[INSTANCER] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(INSTANCER) is stand_in:
            del sys.modules[INSTANCER]  # the next import of it is the real module


def _lazy_font_subsetter() -> None:
    """fontTools.subset, executed on first use (importlib's LazyLoader): where HarfBuzz
    cannot subset, when WeasyPrint writes the first PDF."""
    if "fontTools.subset" in sys.modules:
        return
    import fontTools

    spec = importlib.util.find_spec("fontTools.subset")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fontTools.subset"] = fontTools.subset = module
    spec.loader.exec_module(module)


def _cached_hyphenation_patterns() -> None:
    """pyphen's dictionaries read from the cache once they have been parsed (in marshal's
    format, as Python keeps its own bytecode: read back as they were written, tuples and all)."""
    import marshal

    import pyphen

    if getattr(pyphen.HyphDict, "cached", False):
        return
    parse = pyphen.HyphDict

    class CachedHyphDict(parse):
        cached = True

        def __init__(self, path):
            stat = path.stat()
            key = hashlib.sha256(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{pyphen.VERSION}"
                                 f"\0{marshal.version}\0{sys.version}".encode()).hexdigest()[:16]
            cached = cache_dir() / f"hyphenation_{path.stem}_{key}.marshal"
            try:
                self.patterns, self.maxlen = marshal.loads(cached.read_bytes())
                self.cache = {}
                return
            except (OSError, ValueError, EOFError, TypeError):
                pass
            super().__init__(path)
            # Only what this class restores (another pyphen may keep more), and only plain
            # patterns: nonstandard hyphenation (DataInt) is not kept.
            if set(vars(self)) == {"patterns", "cache", "maxlen"} and all(
                    type(value) is int for _, values in self.patterns.values() for value in values):
                _write_atomic(cached, marshal.dumps((self.patterns, self.maxlen)))

    pyphen.HyphDict = CachedHyphDict


def _write_atomic(path: Path, data: bytes) -> None:
    """Other processes see the whole file or none (publish.write_atomic); a cache that
    cannot be written is only slower next time."""
    from ..publish import write_atomic

    try:
        write_atomic(path, data)
    except OSError as error:
        log.debug("cannot write %s: %s", path, error)


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
    emitted = path.with_name(f".{path.name}.{os.getpid()}.emitted")
    make_py_source(builder, name, str(emitted))  # what emit_python_code does, quietly
    code = emitted.read_text(encoding="utf-8")
    emitted.unlink()
    stock = "ffi = _cffi_backend.FFI("
    if code.count(stock) != 1:
        raise ValueError("unexpected output from cffi's emit_python_code")
    _write_atomic(path, code.replace(stock, DECLARED_CLASS + "\nffi = _DeclaredFFI(")
                  .encode("utf-8"))
