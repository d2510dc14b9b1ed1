"""librosa as source files, so numba's kernel cache goes where Twintrack points it.

numba keys its on-disk cache by the source file of each ``cache=True`` function
(librosa's kernels).  Collected the usual way (byte-code in the archive), those
files do not exist in the bundle and the code objects carry relative names, so numba
skips ``NUMBA_CACHE_DIR`` and writes to its own user-wide folder, where the
build-once-under-a-lock scheme of ``core/jitcache.py`` cannot guard it.  Collected as
``.py`` files, librosa is imported from ``_internal/librosa`` like any installed
package, and ``NUMBA_CACHE_DIR`` (a writable user cache folder) applies.

Replaces the contrib hook of the same name (same data files and submodules).
"""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("librosa", excludes=["**/__pycache__"])  # the lazy-loader .pyi stubs
hiddenimports = collect_submodules("librosa")
module_collection_mode = "py"
