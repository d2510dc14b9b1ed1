"""Files Twintrack ships: the descriptor dictionary, schemas, the PCA basis, models, the
demo track.  Installed as the package data of ``core._resources`` (see core/resources.py)."""
