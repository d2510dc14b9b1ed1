"""Evaluation: scoring against reference annotations and the render feedback loop."""
