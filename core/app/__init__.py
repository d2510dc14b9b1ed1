"""The application layer: the use cases the command line and the GUI both call.

One module per use case: :mod:`~core.app.tracks` (open a track for playback and
display), :mod:`~core.app.analyze` (analyse with the user's model; warm a process),
:mod:`~core.app.renders` (render and analyse the render again; read a render back),
:mod:`~core.app.listen` (audio as the player takes it), :mod:`~core.app.exports`,
:mod:`~core.app.demo` (``twintrack demo``), :mod:`~core.app.batch` (many files at
once), :mod:`~core.app.warmup` (fill numba's cache) and :mod:`~core.app.pool` (warm
worker processes that run any of these).

No Qt and no printing here: functions take ``progress``/``cancelled`` hooks and return data."""
