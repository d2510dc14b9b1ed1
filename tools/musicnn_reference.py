"""Reference outputs of the ORIGINAL musicnn code, for the parity test of the ONNX models.

Owns ``tests/data/musicnn_reference.npz``.  It builds musicnn's own forward graph
(``musicnn.models.define_model``, as its ``extractor.py`` does), restores the wheel's
checkpoints with TensorFlow and runs it on fixed inputs:

* ``synthetic``: 3 patches of deterministic mel input (smooth ripples plus a sawtooth in
  time, values on a 1/64 grid so float16 stores them exactly);
* ``recording``: the 3 s patch from 30 s of the bundled demo recording
  (``resources/demo/karissa_hobbs-lets_go_fishin.ogg``), decoded at 16 kHz by
  ``librosa.load`` as musicnn does, with musicnn's front end in float32 (its extractor casts
  the mel power to float16, which overflows on loud music);
* ``chirp``: the float32 front end's log-mel of a 1 s chirp at 16 kHz (the test regenerates
  the chirp and checks :func:`core.analysis.tags.log_mel` against it).

It then runs the converted ONNX models on the same inputs and prints the largest
difference.  Run it in the throwaway venv of ``tools/convert_musicnn.py`` (plus ``librosa``
and ``onnxruntime``), with the musicnn wheel installed (``pip install --no-deps``)::

    TF_USE_LEGACY_KERAS=1 /tmp/tfvenv/bin/python -m tools.musicnn_reference
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from tools.convert_musicnn import FRONT_END, N_FRAMES

__all__ = ["synthetic_patches", "chirp", "front_end", "reference_outputs"]

_ROOT = Path(__file__).resolve().parent.parent
_DEMO = _ROOT / "resources" / "demo" / "karissa_hobbs-lets_go_fishin.ogg"


def synthetic_patches() -> np.ndarray:
    """Three (187, 96) patches of plausible log-mel values (0..4) on a 1/64 grid."""
    t = np.arange(N_FRAMES)[:, None]
    f = np.arange(96)[None, :]
    out = []
    for k in range(3):
        x = (2.0 + np.sin(0.05 * (k + 1) * t + 0.2 * f) * np.cos(0.11 * f - k)
             + 0.8 * ((t * (k + 2)) % 23) / 23.0 - 0.01 * f)
        out.append(np.round(np.clip(x, 0.0, 4.0) * 64) / 64)
    return np.asarray(out, dtype=np.float32)


def chirp(sr: int = 16000) -> np.ndarray:
    """1 s linear chirp 100 Hz -> 6 kHz at amplitude 0.5, float32."""
    t = np.arange(sr) / sr
    return (0.5 * np.sin(2 * np.pi * (100 * t + 0.5 * 5900 * t * t))).astype(np.float32)


def front_end(y: np.ndarray) -> np.ndarray:
    """musicnn's ``batch_data`` front end, in float32: (frames, 96) log-mel."""
    import librosa

    fe = FRONT_END
    mel = librosa.feature.melspectrogram(
        y=y.astype(np.float32), sr=fe["sr"], n_fft=fe["n_fft"], hop_length=fe["hop_length"],
        n_mels=fe["n_mels"], htk=fe["htk"], norm=fe["norm"], center=fe["center"],
        pad_mode=fe["pad_mode"], power=fe["power"]).T
    return np.log10(10000 * mel.astype(np.float32) + 1).astype(np.float32)


def reference_outputs(model: str, patches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tag probabilities and penultimate embeddings of musicnn's own graph and weights."""
    import musicnn
    import tensorflow as tf
    from musicnn import models

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, N_FRAMES, 96])
        is_training = tf.compat.v1.placeholder(tf.bool)
        out = models.define_model(x, is_training, model, 50)
        probs, penultimate = tf.nn.sigmoid(out[0]), out[-1]
    with tf.compat.v1.Session() as sess:
        tf.compat.v1.train.Saver().restore(
            sess, os.path.join(os.path.dirname(musicnn.__file__), model) + "/")
        p, e = sess.run([probs, penultimate], feed_dict={x: patches, is_training: False})
    return p.astype(np.float32), e.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    import librosa

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=_ROOT / "tests" / "data"
                        / "musicnn_reference.npz")
    args = parser.parse_args(argv)
    y, _ = librosa.load(_DEMO, sr=FRONT_END["sr"], mono=True)
    rec = front_end(y[30 * 16000:36 * 16000])[:N_FRAMES]
    inputs = np.concatenate([synthetic_patches(), rec[None]]).astype(np.float32)
    data = {"synthetic": synthetic_patches().astype(np.float16), "recording": rec,
            "chirp_mel": front_end(chirp())}
    for key, name in (("msd", "MSD_musicnn"), ("mtt", "MTT_musicnn")):
        data[f"{key}_tags"], data[f"{key}_embedding"] = reference_outputs(name, inputs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **data)
    import onnxruntime as ort

    for key in ("msd", "mtt"):
        sess = ort.InferenceSession(str(_ROOT / "resources" / "models" / f"musicnn-{key}.onnx"))
        tags, emb = sess.run(["tags", "embedding"], {"mel": inputs})
        print(f"{key}: max |tags - reference| {np.abs(tags - data[f'{key}_tags']).max():.2e}, "
              f"max |embedding - reference| "
              f"{np.abs(emb - data[f'{key}_embedding']).max():.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
