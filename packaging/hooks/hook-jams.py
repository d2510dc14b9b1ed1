"""jams validates annotations against JSON schemas it reads from its package folder."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("jams")
