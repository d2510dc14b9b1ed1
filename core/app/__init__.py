"""The application layer: the use cases the command line and the GUI both call.

No Qt and no printing here: functions take ``progress``/``cancelled`` hooks and return data."""
