"""The render engine: note events in, a mixed 44.1 kHz stereo render out.

:mod:`core.render.events` defines the note/part/mix data model,
:mod:`core.render.instruments` and :mod:`core.render.drums` synthesise single notes,
:mod:`core.render.mixer` places them (through a per-render note cache) and mixes the
parts into a reverberated, compressed, loudness-normalised and limited stereo signal.
"""
