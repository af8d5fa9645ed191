"""The Huffman tree behind hierarchical softmax (word2vec's words, fastText's labels).

Built as word2vec.c's ``CreateBinaryTree`` and fastText's ``HierarchicalSoftmaxLoss::buildTree``
do: the leaves sorted by count (descending; ties keep the input order), then two queues — the
unmerged leaves from the rarest up, the new inner nodes in order of creation — and V − 1 times the
two smallest are merged (on a tie the inner node is taken). That is Huffman's algorithm in O(V)
after the sort, so the expected code length Σ fᵢ·|pathᵢ| / Σ f is the least any binary prefix code
has. Inner node n = 0 … V−2 (the root is V−2) owns one output vector vₙ.

Convention: at an inner node, the child merged second has code 1 and is reached with probability
σ(h·vₙ), the other (code 0) with σ(−h·vₙ) = 1 − σ(h·vₙ) — fastText's convention (word2vec.c
uses the opposite sign; the model is the same up to vₙ ↦ −vₙ). So the probabilities of all leaves
sum to 1 for any h.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.errors import ConfigError


@dataclass
class HuffmanTree:
    """``counts`` per leaf (word or label id) → paths and codes.

    ``paths[i]`` are the inner nodes from the root down to leaf i, ``codes[i]`` the branch taken at
    each (1: σ(h·v), 0: σ(−h·v)); ``padded_paths``/``padded_codes``/``mask`` hold them as (V, L)
    arrays for vectorized heads. ``parent``, ``left``, ``right`` over 2V − 1 nodes (leaves 0 … V−1
    are the ids, inner node n is node V + n) and ``node_count`` let a page draw the tree.
    """

    counts: np.ndarray

    def __post_init__(self):
        counts = np.asarray(self.counts, dtype=np.float64)
        if counts.ndim != 1 or len(counts) < 2:
            raise ConfigError("A Huffman tree needs at least two leaves (words or labels).")
        if np.any(counts < 0) or not np.all(np.isfinite(counts)):
            raise ConfigError("Counts must be finite and non-negative.")
        self.counts = counts
        V = len(counts)
        self.n_leaves, self.n_inner = V, V - 1
        order = np.argsort(-counts, kind="stable")  # leaf ids, most frequent first
        node_count = np.full(2 * V - 1, np.inf)
        node_count[:V] = counts
        parent = np.full(2 * V - 1, -1, dtype=np.int64)
        left = np.full(2 * V - 1, -1, dtype=np.int64)
        right = np.full(2 * V - 1, -1, dtype=np.int64)
        binary = np.zeros(2 * V - 1, dtype=np.int8)
        leaf_pos, new = V - 1, V  # next unmerged leaf (in ``order``, rarest first); next inner node to take
        for node in range(V, 2 * V - 1):
            picked = []
            for _ in range(2):
                if leaf_pos >= 0 and node_count[order[leaf_pos]] < node_count[new]:
                    picked.append(order[leaf_pos])
                    leaf_pos -= 1
                else:
                    picked.append(new)
                    new += 1
            a, b = picked
            left[node], right[node] = a, b
            node_count[node] = node_count[a] + node_count[b]
            parent[a] = parent[b] = node
            binary[b] = 1
        self.parent, self.left, self.right, self.node_count = parent, left, right, node_count
        self.paths, self.codes = [], []
        for leaf in range(V):
            path, code, j = [], [], leaf
            while parent[j] != -1:
                path.append(parent[j] - V)
                code.append(binary[j])
                j = parent[j]
            self.paths.append(np.array(path[::-1], dtype=np.intp))
            self.codes.append(np.array(code[::-1], dtype=np.int8))
        depth = max(len(p) for p in self.paths)
        self.padded_paths = np.zeros((V, depth), dtype=np.intp)
        self.padded_codes = np.zeros((V, depth), dtype=np.int8)
        self.mask = np.zeros((V, depth), dtype=bool)
        for i, (p, c) in enumerate(zip(self.paths, self.codes, strict=True)):
            self.padded_paths[i, : len(p)], self.padded_codes[i, : len(c)], self.mask[i, : len(p)] = (
                p,
                c,
                True,
            )

    @property
    def root(self) -> int:
        """The root's inner-node index (V − 2)."""
        return self.n_inner - 1

    def code_lengths(self) -> np.ndarray:
        return self.mask.sum(axis=1)

    def expected_code_length(self) -> float:
        """Σ fᵢ·|pathᵢ| / Σ f: inner nodes evaluated per prediction, on average over the data."""
        total = self.counts.sum()
        lengths = self.code_lengths()
        return float(lengths.mean() if total == 0 else (self.counts * lengths).sum() / total)

    def code_string(self, leaf: int) -> str:
        return "".join(str(int(c)) for c in self.codes[leaf])
