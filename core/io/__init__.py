"""Files in and out: exports (JAMS, Audacity, Sonic Visualiser, CSV, JSON), atomic writes."""
