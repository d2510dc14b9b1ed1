"""Form segmentation: structure-feature boundaries, Laplacian labels.

Boundaries and labels come from two methods, each used for what it does well:
boundaries in :mod:`core.analysis.structure.boundaries`, labels in
:mod:`core.analysis.structure.clusters`; :mod:`core.analysis.structure.segmentation`
joins them (:func:`segment`).  This package's docstring is the method's write-up.

Boundaries: structure features (Serrà, Müller, Grosche & Arcos, "Unsupervised detection
of music boundaries by time series structure features", AAAI 2012; "Unsupervised music
structure annotation by time series structure features and segment similarity", IEEE
Trans. Multimedia 2014), among the strongest unsupervised boundary detectors on pop
(Beatles, RWC-Pop, SALAMI), and the boundary method of MSAF.

1. Beat-synchronous features: CQT in dB (median per beat), MFCC (mean per beat) and a
   log-compressed unit-norm chroma folded from the beat CQT.  Beats come from the tempo
   stage; missing, sparse or implausible beats are repaired or replaced by a fixed 0.5 s
   grid.  For very long tracks several beats are aggregated per analysis frame so that at
   most ``max_frames`` (1024) frames enter the n x n matrices; the beat-based constants
   below are then scaled to frames.
2. Chroma and MFCC 1-19 (each z-scored, the two blocks weighted equally), delay-embedded
   over 3 beats (centred), mutual k-NN recurrence with k = 4 % of the frames, time-lag
   representation, Gaussian smoothing along time (sigma 8 beats = 2 bars), novelty =
   squared distance between successive rows.  Serrà's circular lag splits any section
   made of two repeats of a loop in its middle (its first half recurs ahead, its second
   behind); the absolute lag ``|j - i|`` does not, but places boundaries less precisely;
   the novelty is the geometric mean of the two views.  Near the ends the smoothing is a
   renormalised weighted mean (padding inflates the novelty there and hid boundaries of
   first and last sections).  Within ``SF_EDGE_S`` (20 s) of either end the novelty is
   weighted down linearly to ``SF_EDGE_FLOOR`` (0.25) at the end: there it rests on
   truncated windows and on a section with a neighbour on one side only, and its peaks
   were mostly false (the first and last 10-15 s of renders and pop songs).
2b. Texture evidence (Foote-style, on feature means rather than a self-similarity
   matrix): the squared distance between the mean standardised log-CQT and MFCC of the
   ``h`` seconds before and after every point, for ``h`` in ``TEXTURE_HALVES_S`` (8, 12,
   16 s; each curve max-normalised, summed; inside ``h`` of an end a curve holds its
   edge value), read as the maximum within 1 s of every frame start, is added to the
   novelty with weight ``TEXTURE_WEIGHT`` (1).  Structure features find where the
   *pattern of repetitions* changes; they miss or misplace changes of instrumentation,
   tempo and key between sections that do not repeat (a medley, a DJ mix, the
   multi-region renders of :mod:`core.render`), where their 2-bar smoothing spans several
   seconds at slow tempi.  Measured (trimmed F@0.5 / F@1 / F@3, before -> after): render
   round trip, 28 multi-region timelines 0.55/0.60/0.67 -> 0.74/0.80/0.84 and 20 held-out
   ones 0.50/0.58/0.58 -> 0.92/0.95/0.95; dev real 0.33/0.36/0.55 -> 0.29/0.35/0.63;
   synthetic pop 0.66/0.76/0.92 -> 0.68/0.77/0.95; forms unchanged (1.00).  One scale of
   12 s gave 0.72/0.83 on the round trips but missed an 11 s section of the test forms;
   the edge weighting without the texture evidence changed little.
3. Peaks: local maxima above a moving median (32 beats) + 0.1 of the maximum, accepted
   strongest first at least ``min_segment`` seconds apart and from the ends.
4. Placement on the beat where the new section starts: each peak moves to whichever of
   the beat before, the beat itself and the beat after has the largest short-range
   checkerboard novelty (Foote 2000; half-width 4 beats on the chroma and MFCC cosine
   self-similarities), plus 0.5 where the Laplacian cluster label changes.  A boundary at
   frame i is the time of its first beat (frame i spans ``[beat[i-1], beat[i])``).
4b. Texture-change refinement, for sections that change tempo (where one beat grid at
   the track's tempo cannot hold the new section's beats, and the beat-level placement
   lands seconds off): a beat-independent change curve (squared distance between the
   mean standardised log-CQT and MFCC of the 3 s before and after, every 4 frames, by
   cumulative sums) is searched within ``REFINE_S`` (3 s) of the boundary; the boundary
   moves to its maximum, snapped to a beat within 0.3 s, only when that change is at
   least ``REFINE_MARGIN`` (2) times the change at the boundary as placed.  Measured:
   render round trip (16 multi-region timelines) F@1 0.53 -> 0.68; dev real 0.33/0.57
   -> 0.33/0.55, forms unchanged, synthetic pop 0.70/0.95 -> 0.66/0.92 (F@0.5/F@3).
   Without the margin (always move) precision collapsed (forms F@0.5 1.0 -> 0.26).
5. A leading or trailing silence of at least 0.5 s (CQT frame energy 60 dB below the
   loudest frame) is its own segment: references of pop corpora mark it (Isophonics
   "silence", SALAMI "Silence").

Labels: Laplacian structural segmentation (McFee & Ellis, "Analyzing song structure with
spectral clustering", ISMIR 2014, as in librosa's "Laplacian segmentation" gallery
example): mutual k-NN recurrence on the CQT frames (k = 2 ceil(sqrt(n)), Gaussian kernel,
diagonal median filter in time-lag space), MFCC path affinity between successive frames,
balanced by ``mu``; the first eigenvectors of the normalised Laplacian (median-smoothed,
rows normalised) clustered by KMeans for each candidate k; k chosen as below.  Each
segment takes the cluster that covers most of its duration; letters by first appearance.
Neighbouring segments may share a letter (two choruses in a row).  With ``k`` given, every
cluster gets a segment when there are at least k segments (a missing cluster takes the
segment where it has the largest share, among segments whose cluster occurs elsewhere),
and boundaries are added (the strongest remaining novelty peaks, then label changes)
when there are fewer.  ``boundary_method="laplacian"`` gives the previous method:
boundaries where the labels change, segments shorter than ``min_segment`` merged.

Evidence (``bench/dev_structure.py``; inputs as in the pipeline, beats from
:mod:`core.analysis.tempo`; trimmed hit-rate F, means over items; new / previous / gallery k=5):

=====================================  ==================  ==================  =========
group                                  new F@0.5 / F@3     previous            gallery
=====================================  ==================  ==================  =========
dev, 7 real (5 classical, 2 pop/rock)  0.29 / 0.63         0.22 / 0.47         0.25/0.47
synthetic forms (3)                    1.00 / 1.00         1.00 / 1.00         0.42/0.48
synthetic pop songs (8)                0.68 / 0.95         0.77 / 0.95         0.52/0.63
=====================================  ==================  ==================  =========

On the one real pop song with a reference ("In the Year 2525") the new boundaries give
0.62 / 0.92 (previous 0.24 / 0.47: it merged the modulating verses into 5 segments).  The
synthetic pop songs repeat their sections almost exactly, which suits clustering: there
the previous method places boundaries better (F@0.5 0.77 vs 0.68) and is an optimistic
reference for real pop.  Tried and dropped (measured on the same data): summing Foote
novelty (kernels of 2 and 4 bars) or the Laplacian label changes into the detection
novelty (worse on every group); vetoing structure-feature boundaries without a label
change, or adding label changes (better on synthetic, worse on real); snapping to
downbeats estimated from the 4-beat phase of chord changes (+0.13 F@0.5 on synthetic pop,
but 0.67 -> 0.37 on "In the Year 2525", whose chords change every two beats); again
with :mod:`core.analysis.downbeats` (bass, loudness and harmonic cues; ``snapped`` in the
bench): F@0.5 dev 0.29 -> 0.29 (Brahms 0.27 -> 0.36, "In the Year 2525" 0.62 -> 0.46),
forms 1.00 -> 0.93, pop 0.68 -> 0.71, so boundaries stay on beats; moving peaks up to 2
beats (worse on real).  The constants are the published ones where there
are any (embedding, k-NN fraction), else musical units (beats, bars), not fitted.

Choice of k ("silhouette gap" with a section-length prior)
----------------------------------------------------------
The plain mean silhouette of the KMeans labels on the k-dimensional eigenvector
embedding is biased towards small k: with k = 2 the normalised rows lie on a circle and
any split looks well separated.  The bias is visible on a structure-less graph: for a
chain graph (only successive frames connected) the embedding silhouette is 0.73 / 0.65 /
0.58 / 0.53 for k = 2 / 3 / 5 / 10 whatever its length (n = 60 ... 1000).  Measured on
the dev set (7 real recordings with references, 5 synthetic forms with 3 section types):
plain silhouette picked k = 2 or 3 for 10 of 12 items, collapsed two real tracks to one
or two segments and gave mean trimmed F@0.5 / F@3 = 0.19 / 0.31 on the real recordings.

We score each candidate k (inside :func:`duration_bounds`) by

    silhouette(k) - silhouette_chain(k) - PRIOR_WEIGHT * log2(L(k) / 16 s) ** 2

i.e. the silhouette gained over the null model (a gap-statistic style correction) minus
a weak log-normal prior on the mean segment length L(k) after merging (16 s = 8 bars at
120 BPM; a factor-2 deviation costs 0.1 silhouette).  If k = 1 is allowed and no k beats
the null model by ``NULL_MARGIN``, one section is returned.  With boundaries at label
changes (the previous method) this gave real F@0.5 / F@3 = 0.28 / 0.44 with librosa's
beats, mean k 4.7.  The prior weight and length were set from the music (bar lengths),
not fitted: on the dev set they changed F@3 by less than 0.05 either way.
"""

from __future__ import annotations

from core.analysis.structure.clusters import K_RULES
from core.analysis.structure.segmentation import (BOUNDARY_METHODS, Segmentation,
                                                  duration_bounds, segment)

__all__ = ["Segmentation", "segment", "duration_bounds", "K_RULES", "BOUNDARY_METHODS"]
