"""The timeline's lanes, one module per lane kind, and what they are made of.

* :mod:`~gui.lanes.base`: what every lane is (a plot and its items);
* :mod:`~gui.lanes.waveform`: A and B, peak traces of the original and the render;
* :mod:`~gui.lanes.segments`: the form over A, the render's form and regions over B;
* :mod:`~gui.lanes.spectrogram`: A's and B's spectrograms with their colour scale (which
  image, made when, is :mod:`gui.spectrograms`'s business);
* :mod:`~gui.lanes.descriptors` (a lane per classifier target, or the hint lane),
  :mod:`~gui.lanes.tempo`, :mod:`~gui.lanes.key`, :mod:`~gui.lanes.chords`;
* :mod:`~gui.lanes.instruments` and :mod:`~gui.lanes.voice`: what the real-music tagger
  hears (a row per instrument; the voice activity);
* :mod:`~gui.lanes.items`: the graphics items, one per lane, painting only what is in
  view; :mod:`~gui.lanes.colours`: letters', labels' and keys' colours.

A lane draws the model it is shown and keeps no business state (Sonic Visualiser's
layers); :class:`gui.timeline_view.TimelineView` lays the lanes out and keeps their
time axes, playhead and selection in step.
"""
