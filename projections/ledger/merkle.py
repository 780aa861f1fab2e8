"""Merkle tree hashing for the ledger, as in RFC 9162 (Certificate Transparency v2) §2.1.

Hashes
    ``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)`` and the
    root of the empty tree is ``SHA-256("")``. The root of ``n > 1`` leaves is
    ``node_hash(MTH(D[0:k]), MTH(D[k:n]))`` with ``k`` the largest power of two below ``n``.

Leaf bytes (the data of one leaf, one stored event)
    Six fields, each written as its length in bytes (8-byte unsigned big-endian) followed by the
    bytes themselves::

        frame(b"gongkai-ledger/leaf/v1")        encoding tag, changes if this layout changes
        frame(decimal(notification_id))         ASCII decimal, no sign, no leading zeros
        frame(utf8(originator_id))              canonical string: str(UUID), lowercase, hyphens
        frame(decimal(originator_version))
        frame(utf8(topic))
        frame(state)                            the stored state bytes exactly as stored

    ``frame(x) = uint64_be(len(x)) || x``. Every field is length-prefixed, so no two different
    events have the same leaf bytes. The leaf index is not part of the leaf: the tree itself
    fixes each leaf's position.

Tree layout (what a store persists)
    A *perfect subtree* at level ``L`` and index ``i`` covers leaves ``[i * 2**L, (i + 1) * 2**L)``.
    Level 0 holds the leaf hashes; node ``(L + 1, i)`` is ``node_hash((L, 2i), (L, 2i + 1))``.
    A store keeps one hash per perfect subtree that exists, keyed by ``(level, index)``, and
    serves them through a ``get_node(level, index) -> bytes`` callable. A perfect subtree never
    changes once its last leaf is appended, so the table is append-only. Subtrees that are not
    perfect (the right edge of a tree whose size is not a power of two) are never stored: they
    are computed from perfect ones, as transparency-dev/merkle's compact ranges do.
    ``CompactRange.append_collecting`` yields exactly the nodes to insert for each new leaf, and
    ``MemoryTree`` is an in-memory implementation of the layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

HASH_SIZE = 32
LEAF_ENCODING_TAG = b"gongkai-ledger/leaf/v1"
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_FRAME_LENGTH_BYTES = 8

GetNode = Callable[[int, int], bytes]
"""``get_node(level, index)``: the stored hash of a perfect subtree."""


@dataclass(frozen=True, slots=True)
class NodeHash:
    """The hash of the perfect subtree at ``(level, index)``."""

    level: int
    index: int
    digest: bytes


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def empty_root() -> bytes:
    """Root hash of the empty tree: SHA-256 of the empty string."""
    return hashlib.sha256(b"").digest()


def canonical_originator_id(originator_id: UUID | str) -> str:
    """The text of an originator id used in leaf bytes: ``str(UUID)`` for UUIDs."""
    text = str(originator_id)
    if not text:
        raise ValueError("originator_id must not be empty")
    return text


def leaf_bytes(
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The canonical bytes of one stored event (see the module docstring)."""
    fields = (
        LEAF_ENCODING_TAG,
        _decimal(notification_id),
        canonical_originator_id(originator_id).encode("utf-8"),
        _decimal(originator_version),
        topic.encode("utf-8"),
        bytes(state),
    )
    return b"".join(_framed(field) for field in fields)


def event_leaf_hash(
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Leaf hash of one stored event: ``leaf_hash(leaf_bytes(...))``."""
    return leaf_hash(leaf_bytes(notification_id, originator_id, originator_version, topic, state))


def _framed(field: bytes) -> bytes:
    return len(field).to_bytes(_FRAME_LENGTH_BYTES, "big") + field


def _decimal(value: int) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return str(value).encode("ascii")


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (``n >= 2``): RFC 9162's split point."""
    if n < 2:
        raise ValueError(f"no power of two below {n} splits a tree")
    return 1 << ((n - 1).bit_length() - 1)


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _is_hash(value: bytes) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


class CompactRange:
    """Streaming tree builder over leaves ``[0, size)``, holding O(log n) hashes.

    It keeps the roots of the perfect subtrees that make up the tree (one per set bit of the
    size, largest first), so appending a leaf costs one hash per merged level and ``root()``
    folds at most log2(n) hashes.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._peaks: list[bytes] = []

    @classmethod
    def from_store(cls, size: int, get_node: GetNode) -> CompactRange:
        """Resume building at ``size`` leaves from the perfect subtrees a store keeps."""
        compact = cls()
        compact._size = size
        compact._peaks = [get_node(level, index) for level, index in peak_positions(size)]
        return compact

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        peaks = self._peaks
        digest = leaf
        position = self._size
        while position & 1:
            digest = hashlib.sha256(_NODE_PREFIX + peaks.pop() + digest).digest()
            position >>= 1
        peaks.append(digest)
        self._size += 1

    def append_collecting(self, leaf: bytes) -> list[NodeHash]:
        """Add the next leaf hash; return every perfect subtree it completes (leaf first)."""
        index = self._size
        completed = [NodeHash(0, index, leaf)]
        digest = leaf
        level = 0
        while (index >> level) & 1:
            digest = node_hash(self._peaks.pop(), digest)
            level += 1
            completed.append(NodeHash(level, index >> level, digest))
        self._peaks.append(digest)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """Root hash of the leaves appended so far."""
        if not self._peaks:
            return empty_root()
        digest = self._peaks[-1]
        for left in reversed(self._peaks[:-1]):
            digest = node_hash(left, digest)
        return digest


def peak_positions(size: int) -> Iterator[tuple[int, int]]:
    """``(level, index)`` of the perfect subtrees making up a tree of ``size`` leaves."""
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            yield level, start >> level
            start += 1 << level


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """MTH over the given leaf hashes, streamed through a ``CompactRange``."""
    compact = CompactRange()
    for digest in hashes:
        compact.append(digest)
    return compact.root()


def subtree_hash(start: int, end: int, get_node: GetNode) -> bytes:
    """MTH(D[start:end]) from stored perfect subtrees; ``start < end``.

    A range that is itself a perfect subtree is read from the store; any other range is split as
    RFC 9162 splits it. Inside proofs ``start`` is always aligned, so this touches O(log n) nodes.
    """
    width = end - start
    if width <= 0:
        raise ValueError(f"empty or inverted range [{start}, {end})")
    if _is_power_of_two(width) and start % width == 0:
        level = width.bit_length() - 1
        return get_node(level, start >> level)
    split = start + largest_power_of_two_below(width)
    return node_hash(subtree_hash(start, split, get_node), subtree_hash(split, end, get_node))


def tree_root(size: int, get_node: GetNode) -> bytes:
    """Root hash of the first ``size`` leaves, from stored perfect subtrees."""
    if size < 0:
        raise ValueError(f"negative tree size {size}")
    return subtree_hash(0, size, get_node) if size else empty_root()


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    siblings: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        split = start + largest_power_of_two_below(end - start)
        if index < split:
            siblings.append(subtree_hash(split, end, get_node))
            end = split
        else:
            siblings.append(subtree_hash(start, split, get_node))
            start = split
    siblings.reverse()
    return siblings


def consistency_proof(old_size: int, new_size: int, get_node: GetNode) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]); empty when there is nothing to prove."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    nodes: list[bytes] = []
    start, end = 0, new_size
    old_tree_is_whole_subtree = True
    while old_size != end:
        split = start + largest_power_of_two_below(end - start)
        if old_size <= split:
            nodes.append(subtree_hash(split, end, get_node))
            end = split
        else:
            nodes.append(subtree_hash(start, split, get_node))
            start = split
            old_tree_is_whole_subtree = False
    if not old_tree_is_whole_subtree:
        nodes.append(subtree_hash(start, end, get_node))
    nodes.reverse()
    return nodes


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < size:
        return False
    if not (_is_hash(leaf) and _is_hash(root) and all(_is_hash(p) for p in proof)):
        return False
    fn, sn = index, size - 1
    digest = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and digest == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree ``old_root`` of ``old_size`` a prefix of ``new_root``?

    The RFC algorithm covers ``0 < old_size < new_size``. Around it: equal sizes are consistent
    when the roots are equal and the proof is empty; the empty tree (whose root must be
    ``empty_root()``) is a prefix of every tree, with an empty proof.
    """
    if not (_is_hash(old_root) and _is_hash(new_root) and all(_is_hash(p) for p in proof)):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == empty_root()
    return _verify_consistency_path(old_size, new_size, old_root, new_root, proof)


def _verify_consistency_path(
    first: int, second: int, first_hash: bytes, second_hash: bytes, proof: Sequence[bytes]
) -> bool:
    if not proof:
        return False
    path = [first_hash, *proof] if _is_power_of_two(first) else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


class MemoryTree:
    """In-memory tree keeping every perfect subtree hash, one list per level.

    ``get_node`` is the same interface a persistent store offers, so proofs built here and
    proofs built from a store share one code path.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for digest in leaf_hashes:
            self.append(digest)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> int:
        """Add a leaf hash and the perfect subtrees it completes; return its leaf index."""
        if not _is_hash(leaf):
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, got {len(leaf)}")
        index = self.size
        self._levels[0].append(bytes(leaf))
        level, position, digest = 0, index, bytes(leaf)
        while position & 1:
            digest = node_hash(self._levels[level][position - 1], digest)
            level, position = level + 1, position >> 1
            self._level(level).append(digest)
        return index

    def _level(self, level: int) -> list[bytes]:
        if level == len(self._levels):
            self._levels.append([])
        return self._levels[level]

    def get_node(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree at ``(level, index)``; ``LookupError`` if it is absent."""
        if level < 0 or index < 0 or level >= len(self._levels):
            raise LookupError(f"no perfect subtree at level {level}, index {index}")
        nodes = self._levels[level]
        if index >= len(nodes):
            raise LookupError(f"no perfect subtree at level {level}, index {index}")
        return nodes[index]

    def nodes(self) -> Iterator[NodeHash]:
        """Every stored perfect subtree, level by level."""
        for level, digests in enumerate(self._levels):
            for index, digest in enumerate(digests):
                yield NodeHash(level, index, digest)

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self._checked_size(size), self.get_node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self._checked_size(size), self.get_node)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, self._checked_size(new_size), self.get_node)

    def _checked_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is outside 0..{self.size}")
        return size
