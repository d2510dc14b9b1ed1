"""Twintrack desktop GUI (PySide6 + pyqtgraph): thin views over ``core`` models."""
