"""The render engine: note events in, a mixed 44.1 kHz stereo render out.

:mod:`core.render.events` defines the note/part/mix data model,
:mod:`core.render.instruments` and :mod:`core.render.drums` synthesise single notes
(from the building blocks in :mod:`core.render.dsp`), :mod:`core.render.mixer` places
them (through the per-render note cache of :mod:`core.render.sampler`) and mixes the
parts, and :mod:`core.render.master` turns the sum into a reverberated, compressed,
loudness-normalised and limited stereo signal.
"""
