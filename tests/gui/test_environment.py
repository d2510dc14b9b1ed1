"""Guards against Qt-binding bugs that would crash the application at run time."""

from __future__ import annotations

import sys


def test_signal_emit_keeps_reference_counts():
    """PySide6 6.12.0's ``SignalInstance.emit`` returns a borrowed ``True``: every emit
    from Python drops one reference to ``True`` until the interpreter aborts with
    "bool_dealloc" (pyqtgraph emits on every mouse move).  6.11.3 is correct."""
    import PySide6
    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        changed = Signal(int)

    src = Source()
    src.changed.connect(lambda value: None)
    before = sys.getrefcount(True)
    for i in range(100):
        src.changed.emit(i)
    lost = before - sys.getrefcount(True)
    assert lost <= 0, (f"PySide6 {PySide6.__version__} loses a reference to True on every "
                       "Signal.emit (the app would abort after a few thousand signals); "
                       "install PySide6-Essentials<6.12 (6.11.3 is fine)")
