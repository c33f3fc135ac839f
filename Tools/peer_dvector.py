"""A d-vector + k-means diarization peer, without torch (test-time only).

The speaker encoder is Resemblyzer 0.1.4's (a GE2E-trained 3-layer LSTM,
40 mel bands (power, not log) in, 256-d L2-normalised embedding out; its weights ship in
the package as `resemblyzer/pretrained.pt`). Resemblyzer itself needs torch,
whose PyPI wheels pull gigabytes of CUDA libraries, so this module reads the
weights file with the standard library (torch's legacy serialisation is a
series of pickles followed by the raw tensor storages) and runs the same
network in numpy. The mel spectrogram follows Resemblyzer's `audio.py`
(librosa's melspectrogram: 25 ms Hann window, 10 ms hop, power spectrum,
Slaney mel filters 0-8 kHz), written out here with numpy.

Diarization, given the number of speakers: an embedding for every 1.6 s
window (the encoder's training length) every `step` seconds, k-means
(scikit-learn, k-means++, fixed seed) on the windows whose middle is speech,
each step labelled by its window's cluster.

Run in Tools/.venv-peers (numpy, scipy, scikit-learn and resemblyzer installed
with --no-deps for its weights): `python peer_dvector.py < jobs.json`, jobs a
list of {"wav", "speakers", "speech": [[s, e], ...] or null, "step"}; prints a
list of {"labels": [...], "step"}.
"""

import collections
import importlib.util
import json
import os
import pickle
import struct
import sys

import numpy as np

RATE = 16000
WINDOW = 160          # frames of 10 ms per embedding (1.6 s), as the encoder was trained
BANDS = 40


# ---------------------------------------------------------------- weights

class _Storage:
    def __init__(self, dtype, key):
        self.dtype, self.key, self.data = dtype, key, None


class _LegacyUnpickler(pickle.Unpickler):
    """Unpickles a torch legacy checkpoint without torch: storages become
    placeholders filled in afterwards, tensors become (storage, offset, size, stride)."""

    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: ("tensor", storage, offset, tuple(size), tuple(stride))
        if module == "torch" and name.endswith("Storage"):
            return {"FloatStorage": "<f4", "LongStorage": "<i8", "IntStorage": "<i4",
                    "DoubleStorage": "<f8"}[name]
        raise pickle.UnpicklingError("unexpected class %s.%s in the weights file" % (module, name))

    def persistent_load(self, pid):
        kind, dtype, key, _location, _size = pid[:5]
        assert kind == "storage"
        if key not in self.storages:
            self.storages[key] = _Storage(dtype, key)
        return self.storages[key]


def load_legacy_checkpoint(path):
    """{name: numpy array} of a checkpoint written by torch.save's legacy format."""
    storages = {}
    with open(path, "rb") as f:
        magic = pickle.load(f)
        if magic != 0x1950A86A20F9469CFC6C:
            raise ValueError("%s is not a legacy torch checkpoint" % path)
        pickle.load(f)          # protocol version
        pickle.load(f)          # system info
        obj = _LegacyUnpickler(f, storages).load()
        keys = pickle.load(f)
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            s = storages[key]
            s.data = np.frombuffer(f.read(count * np.dtype(s.dtype).itemsize), dtype=s.dtype)

    def tensor(t):
        _tag, storage, offset, size, stride = t
        base = storage.data[offset:]
        itemsize = base.dtype.itemsize
        return np.lib.stride_tricks.as_strided(base, shape=size, strides=[s * itemsize for s in stride]).copy()

    state = obj["model_state"] if "model_state" in obj else obj
    return {k: tensor(v) for k, v in state.items() if isinstance(v, tuple) and v and v[0] == "tensor"}


def weights_path():
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("peer_dvector: resemblyzer (for its weights) is not installed in this interpreter")
    return os.path.join(list(spec.submodule_search_locations)[0], "pretrained.pt")


# ---------------------------------------------------------------- features

def mel_filters(n_fft=400, bands=BANDS, rate=RATE):
    """librosa.filters.mel(sr, n_fft, n_mels) defaults: Slaney mel scale and area normalisation."""
    f_sp, min_log_hz, min_log_mel, logstep = 200.0 / 3, 1000.0, 15.0, np.log(6.4) / 27.0

    def hz_to_mel(f):
        f = np.asarray(f, dtype=float)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=float)
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fft_freqs = np.linspace(0, rate / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), bands + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    weights = np.zeros((bands, len(fft_freqs)))
    for i in range(bands):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:bands + 2] - mel_f[:bands]))[:, None]
    return weights


def mel_spectrogram(wav, n_fft=400, hop=160):
    """(frames, 40) power mel spectrogram, frames centred every 10 ms (librosa center=True)."""
    padded = np.pad(wav, (n_fft // 2, n_fft // 2), mode="constant")
    n = 1 + (len(padded) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)   # periodic Hann
    power = np.abs(np.fft.rfft(padded[idx] * window, n_fft)) ** 2
    return (power @ mel_filters(n_fft).T).astype(np.float32)


def normalised_volume(wav, target_dbfs=-30.0):
    """Resemblyzer's normalize_volume(increase_only=True)."""
    rms = np.sqrt(np.mean(wav ** 2)) if len(wav) else 0.0
    if rms <= 0:
        return wav
    change = target_dbfs - 20 * np.log10(rms)
    return wav * (10 ** (change / 20)) if change > 0 else wav


# ---------------------------------------------------------------- encoder

def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))   # = 1 / (1 + e^-x), without overflow


class Encoder:
    def __init__(self, path=None):
        w = load_legacy_checkpoint(path or weights_path())
        self.layers = []
        for k in range(3):
            self.layers.append((w["lstm.weight_ih_l%d" % k].astype(np.float32),
                                w["lstm.weight_hh_l%d" % k].astype(np.float32),
                                (w["lstm.bias_ih_l%d" % k] + w["lstm.bias_hh_l%d" % k]).astype(np.float32)))
        self.linear = (w["linear.weight"].astype(np.float32), w["linear.bias"].astype(np.float32))

    def embed(self, mels):
        """mels (batch, frames, 40) -> (batch, 256) L2-normalised embeddings (PyTorch LSTM gates i, f, g, o)."""
        x = mels
        for w_ih, w_hh, b in self.layers:
            batch, frames, _ = x.shape
            hidden = w_hh.shape[1]
            h = np.zeros((batch, hidden), np.float32)
            c = np.zeros((batch, hidden), np.float32)
            inputs = x @ w_ih.T + b
            out = np.empty((batch, frames, hidden), np.float32)
            for t in range(frames):
                gates = inputs[:, t] + h @ w_hh.T
                i, f, g, o = np.split(gates, 4, axis=1)
                c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                h = sigmoid(o) * np.tanh(c)
                out[:, t] = h
            x = out
        w, b = self.linear
        raw = np.maximum(0, h @ w.T + b)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9)


# ---------------------------------------------------------------- diarization

def read_wav(path):
    from scipy.io import wavfile
    rate, data = wavfile.read(path)
    if rate != RATE:
        raise ValueError("%s: %d Hz, expected %d" % (path, rate, RATE))
    data = data.astype(np.float64)
    if data.ndim > 1:
        data = data.mean(axis=1)
    return data / 32768.0


def diarize(encoder, wav_path, speakers, speech, step):
    from sklearn.cluster import KMeans
    wav = normalised_volume(read_wav(wav_path))
    mel = mel_spectrogram(wav)
    hop = int(round(step * 100))
    steps = int(len(wav) / RATE / step)
    starts = [max(0, min(len(mel) - WINDOW, int(round((i + 0.5) * hop - WINDOW / 2)))) for i in range(steps)]
    if len(mel) < WINDOW or steps == 0:
        return [0] * steps
    middle = [(i + 0.5) * step for i in range(steps)]
    inside = [speech is None or any(a <= m < b for a, b in speech) for m in middle]
    chosen = [i for i in range(steps) if inside[i]] or list(range(steps))
    embeddings = encoder.embed(np.stack([mel[starts[i]:starts[i] + WINDOW] for i in chosen]))
    if speakers < 2 or len(chosen) < speakers:
        return [0] * steps
    km = KMeans(n_clusters=speakers, n_init=10, random_state=0).fit(embeddings)
    # Steps outside speech take the label of the nearest speech step (the caller drops them anyway).
    chosen_array = np.array(chosen)
    nearest = chosen_array[np.abs(np.arange(steps)[:, None] - chosen_array[None, :]).argmin(axis=1)]
    labels = np.zeros(steps, dtype=int)
    labels[chosen] = km.labels_
    return [int(labels[j]) for j in nearest]


def main():
    jobs = json.loads(sys.stdin.read())
    encoder = Encoder()
    out = []
    for job in jobs:
        speech = [tuple(s) for s in job["speech"]] if job.get("speech") is not None else None
        out.append(dict(labels=diarize(encoder, job["wav"], job["speakers"], speech, job["step"]), step=job["step"]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
