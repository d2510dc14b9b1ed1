"""Convert the pretrained musicnn taggers (Pons and Serra 2019) to ONNX, reproducibly.

Owns ``resources/models/musicnn-msd.onnx``, ``musicnn-mtt.onnx``,
``musicnn.provenance.json`` and ``musicnn.LICENSE.md``.  The weights come from the TF1
checkpoints inside the ``musicnn`` 0.1.0 wheel (ISC licence); the forward graph of its
``models.py`` (``build_musicnn``: batch-normalised input, timbral and temporal convolutions
each max-pooled over frequency, three dense-connected 1-D convolutions, max and mean pooling
over time, a 200-unit dense layer, the tag layer) is rebuilt here with the ``onnx`` helpers in
NCHW order, with inference-mode batch normalisation (moving statistics, epsilon 1e-3, the
``tf.compat.v1.layers`` default).  TensorFlow only reads the checkpoints; it is never a
runtime dependency.  ``tools/musicnn_reference.py`` checks the result against the original
code (``tests/test_tags.py`` keeps that check).

Run it in a throwaway venv (not the project's)::

    python3 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu tf-keras onnx numpy
    /tmp/tfvenv/bin/pip download musicnn==0.1.0 --no-deps -d /tmp/musicnn-wheel
    /tmp/tfvenv/bin/python -m tools.convert_musicnn \\
        /tmp/musicnn-wheel/musicnn-0.1.0-py3-none-any.whl

Each ONNX model takes ``mel`` (float32, ``(batch, 187, 96)``: 3 s patches of
log10(10000 mel power + 1)) and gives ``tags`` (sigmoid probabilities, ``(batch, 50)``) and
``embedding`` (the penultimate layer after its batch normalisation, ``(batch, 200)``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["convert", "FRONT_END", "N_FRAMES", "MSD_LABELS", "MTT_LABELS"]

#: Patch length in frames: librosa.time_to_frames(3, sr=16000, n_fft=512, hop=256) + 1.
N_FRAMES = 187
#: Mel bands of the input.
N_MELS = 96
#: The front end the models were trained with (musicnn configuration.py and extractor.py,
#: librosa 0.6/0.7 defaults of its time: Slaney mel scale and area norm, reflect padding).
FRONT_END = {"sr": 16000, "n_fft": 512, "hop_length": 256, "n_mels": N_MELS, "fmin": 0.0,
             "fmax": 8000.0, "htk": False, "norm": "slaney", "center": True,
             "pad_mode": "reflect", "power": 2.0, "log": "log10(10000 * mel + 1)",
             "dtype": "float32", "patch_frames": N_FRAMES, "patch_hop": N_FRAMES}
MSD_LABELS = ['rock', 'pop', 'alternative', 'indie', 'electronic', 'female vocalists',
              'dance', '00s', 'alternative rock', 'jazz', 'beautiful', 'metal', 'chillout',
              'male vocalists', 'classic rock', 'soul', 'indie rock', 'Mellow', 'electronica',
              '80s', 'folk', '90s', 'chill', 'instrumental', 'punk', 'oldies', 'blues',
              'hard rock', 'ambient', 'acoustic', 'experimental', 'female vocalist', 'guitar',
              'Hip-Hop', '70s', 'party', 'country', 'easy listening', 'sexy', 'catchy', 'funk',
              'electro', 'heavy metal', 'Progressive rock', '60s', 'rnb', 'indie pop', 'sad',
              'House', 'happy']
MTT_LABELS = ['guitar', 'classical', 'slow', 'techno', 'strings', 'drums', 'electronic',
              'rock', 'fast', 'piano', 'ambient', 'beat', 'violin', 'vocal', 'synth', 'female',
              'indian', 'opera', 'male', 'singing', 'vocals', 'no vocals', 'harpsichord',
              'loud', 'quiet', 'flute', 'woman', 'male vocal', 'no vocal', 'pop', 'soft',
              'sitar', 'solo', 'man', 'classic', 'choir', 'voice', 'new age', 'dance',
              'male voice', 'female vocal', 'beats', 'harp', 'cello', 'no voice', 'weird',
              'country', 'metal', 'female voice', 'choral']
_MODELS = {"msd": ("MSD_musicnn", MSD_LABELS), "mtt": ("MTT_musicnn", MTT_LABELS)}
_EPS = 1e-3
_OPSET = 18


class _Graph:
    """Accumulates ONNX nodes and initialisers under fresh names."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.w, self.nodes, self.inits, self._n = weights, [], [], 0

    def const(self, value: np.ndarray, hint: str) -> str:
        from onnx import numpy_helper

        name = f"{hint}_{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs) -> str:
        from onnx import helper

        self._n += 1
        out = f"{kind.lower()}_{self._n}"
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def bn(self, x: str, layer: str) -> str:
        p = [self.const(self.w[f"{layer}/{k}"].astype(np.float32), layer.replace("/", "_"))
             for k in ("gamma", "beta", "moving_mean", "moving_variance")]
        return self.op("BatchNormalization", [x, *p], epsilon=_EPS)

    def front_branch(self, x: str, layer: str, bn: str, pads: tuple[int, int]) -> str:
        """One front-end branch, ``max_freq(bn(relu(conv(x))))`` -> (B, C, T), computed as
        ``bn(relu(extreme_freq(conv(x))))``.

        ReLU is non-decreasing and inference batch normalisation is, per channel, an
        affine map ``s * v + t`` with ``s = gamma / sqrt(var + eps)``: so the maximum over
        frequency of the normalised output is the normalisation of the conv output's
        maximum where ``s >= 0`` and of its minimum where ``s < 0``.  The minimum is taken
        as ``-max(-conv)``, with the sign folded into those channels' kernel and bias (a
        float negation is exact), so one convolution and one max-pool over the whole
        frequency axis (which onnxruntime keeps in its blocked layout) give every
        channel.  The same values, with ReLU and normalisation applied to (B, C, T)
        instead of (B, C, T, W).
        """
        k = self.w[f"{layer}/kernel"].astype(np.float32).transpose(3, 2, 0, 1)
        b = self.w[f"{layer}/bias"].astype(np.float32)
        sign = np.where(self.w[f"{bn}/gamma"] < 0, -1.0, 1.0).astype(np.float32)
        conv = self.op("Conv", [x, self.const(k * sign[:, None, None, None], layer),
                                self.const(b * sign, layer)], pads=[pads[0], 0, pads[1], 0])
        top = self.op("ReduceMax", [conv, self.const(np.array([3]), "axes")], keepdims=0)
        extreme = self.op("Mul", [top, self.const(sign[:, None], "sign")])  # (B, C, T)
        return self.bn(self.op("Relu", [extreme]), bn)


def _midend_conv(g: _Graph, x: str, layer: str, bn: str) -> str:
    """One mid-end layer: a TF conv over the whole feature width is a 1-D conv whose
    input channels are that width; the data stay (B, C, T, 1)."""
    k = g.w[f"{layer}/kernel"].astype(np.float32)  # (7, width, 1, out)
    kernel = g.const(k[:, :, 0, :].transpose(2, 1, 0)[..., None], layer)  # (out, width, 7, 1)
    bias = g.const(g.w[f"{layer}/bias"].astype(np.float32), layer)
    return g.bn(g.op("Relu", [g.op("Conv", [x, kernel, bias], pads=[3, 0, 3, 0])]), bn)


def build_model(weights: dict[str, np.ndarray], labels: list[str], name: str):
    """The musicnn forward graph (``models.build_musicnn``) as an ONNX ModelProto."""
    from onnx import TensorProto, helper

    g = _Graph(weights)
    x = g.op("Unsqueeze", ["mel", g.const(np.array([1]), "axes")])  # (B, 1, T, 96)
    x = g.bn(x, "batch_normalization")
    front = []
    for i, layer in enumerate(("conv2d", "conv2d_1")):  # timbral: 7x38 and 7x67
        front.append(g.front_branch(x, layer, f"batch_normalization_{i + 1}", (3, 3)))
    for i, (layer, size) in enumerate((("conv2d_2", 128), ("conv2d_3", 64),
                                       ("conv2d_4", 32))):  # temporal, TF 'same' padding
        pads = ((size - 1) // 2, size - 1 - (size - 1) // 2)
        front.append(g.front_branch(x, layer, f"batch_normalization_{i + 3}", pads))
    fe = g.op("Unsqueeze", [g.op("Concat", front, axis=1), g.const(np.array([3]), "axes")])
    c1 = _midend_conv(g, fe, "conv2d_5", "batch_normalization_6")
    c2 = g.op("Add", [_midend_conv(g, c1, "conv2d_6", "batch_normalization_7"), c1])
    c3 = g.op("Add", [_midend_conv(g, c2, "conv2d_7", "batch_normalization_8"), c2])
    mid = g.op("Squeeze", [g.op("Concat", [fe, c1, c2, c3], axis=1),
                           g.const(np.array([3]), "axes")])  # (B, 753, T)
    t_axis = g.const(np.array([2]), "axes")
    mx = g.op("ReduceMax", [mid, t_axis], keepdims=1)
    mean = g.op("ReduceMean", [mid, t_axis], keepdims=1)
    # TF concatenates (max, mean) per feature and flattens: feature-major, interleaved.
    flat = g.op("Reshape", [g.op("Concat", [mx, mean], axis=2),
                            g.const(np.array([-1, 1506]), "shape")])
    flat = g.bn(flat, "batch_normalization_9")
    dense = g.op("Relu", [g.op("Gemm", [flat, g.const(weights["dense/kernel"].astype(
        np.float32), "dense"), g.const(weights["dense/bias"].astype(np.float32), "dense")])])
    emb = g.bn(dense, "batch_normalization_10")
    logits = g.op("Gemm", [emb, g.const(weights["dense_1/kernel"].astype(np.float32), "out"),
                           g.const(weights["dense_1/bias"].astype(np.float32), "out")])
    g.nodes.append(helper.make_node("Sigmoid", [logits], ["tags"]))
    g.nodes.append(helper.make_node("Identity", [emb], ["embedding"]))
    graph = helper.make_graph(
        g.nodes, name,
        [helper.make_tensor_value_info("mel", TensorProto.FLOAT, ["batch", N_FRAMES, N_MELS])],
        [helper.make_tensor_value_info("tags", TensorProto.FLOAT, ["batch", len(labels)]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 200])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)],
                              producer_name="twintrack tools/convert_musicnn.py")
    model.ir_version = 8  # readable by onnxruntime >= 1.10
    helper.set_model_props(model, {"labels": json.dumps(labels),
                                   "front_end": json.dumps(FRONT_END)})
    return model


def read_checkpoint(folder: Path) -> dict[str, np.ndarray]:
    """Every forward variable of a musicnn checkpoint folder (files named ``.index``...)."""
    import tensorflow as tf

    reader = tf.compat.v1.train.NewCheckpointReader(str(folder) + "/")
    return {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()
            if "Adam" not in k and not k.startswith("beta")}


def convert(wheel: Path, out_dir: Path) -> dict:
    """Write both ONNX models, the provenance record and the licence into ``out_dir``."""
    import onnx

    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp)
        licence = (Path(tmp) / "musicnn-0.1.0.dist-info" / "LICENSE.md").read_text("utf-8")
        models = {}
        for key, (folder, labels) in _MODELS.items():
            model = build_model(read_checkpoint(Path(tmp) / "musicnn" / folder), labels,
                                f"musicnn-{key}")
            onnx.checker.check_model(model)
            target = out_dir / f"musicnn-{key}.onnx"
            target.write_bytes(model.SerializeToString())
            models[key] = {"file": target.name, "checkpoint": f"musicnn/{folder}",
                           "labels": labels, "outputs": {"tags": len(labels), "embedding": 200},
                           "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
    (out_dir / "musicnn.LICENSE.md").write_text(licence, encoding="utf-8")
    provenance = {"source": {"wheel": wheel.name, "package": "musicnn", "version": "0.1.0",
                             "sha256": digest, "licence": "ISC",
                             "authors": "Jordi Pons, Xavier Serra",
                             "reference": "Pons and Serra, musicnn: pre-trained convolutional "
                                          "neural networks for music audio tagging, ISMIR LBD "
                                          "2019", "licence_text": licence},
                  "converter": "tools/convert_musicnn.py", "opset": _OPSET,
                  "front_end": FRONT_END, "models": models}
    (out_dir / "musicnn.provenance.json").write_text(
        json.dumps(provenance, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return provenance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="musicnn-0.1.0-py3-none-any.whl")
    parser.add_argument("--out-dir", type=Path,
                        default=Path(__file__).resolve().parent.parent / "resources" / "models")
    args = parser.parse_args(argv)
    convert(args.wheel, args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
