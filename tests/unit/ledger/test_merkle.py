"""RFC 9162 Merkle tree hashing, proofs and verification.

The test vectors (leaves, roots of sizes 1..8, inclusion and consistency proofs) are those of
the RFC 6962 test suite as published in transparency-dev/merkle, file ``proof/verify_test.go``
(variables ``leaves``, ``roots``, ``inclusionProofs``, ``consistencyProofs``; the same values
appear in google/certificate-transparency-go ``merkle/log_verifier_test.go``). In that file
inclusion proofs number leaves from 1; here leaf indexes start at 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.ledger import merkle, verify_bundle
from projections.ledger.merkle import (
    CompactRange,
    MemoryTree,
    NodeHash,
    consistency_proof,
    empty_root,
    event_leaf_hash,
    inclusion_proof,
    largest_power_of_two_below,
    leaf_bytes,
    leaf_hash,
    node_hash,
    peak_positions,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]

ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def _hashes(*hex_digests: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hex_digests]


# (leaf index, tree size, proof); verify_test.go lists {1,8}, {6,8}, {3,3}, {2,5} 1-based.
INCLUSION_PROOFS = [
    (
        0,
        8,
        _hashes(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        _hashes(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        3,
        _hashes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    ),
    (
        1,
        5,
        _hashes(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (0, 1, []),
]

# (old size, new size, proof), from consistencyProofs in verify_test.go.
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        _hashes(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _hashes(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        _hashes(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        _hashes(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

EMPTY_TREE_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


class Implementation(Protocol):
    """The verification functions of merkle.py, or their copies in verify_bundle.py."""

    def verify_inclusion(
        self, leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
    ) -> bool: ...

    def verify_consistency(
        self, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
    ) -> bool: ...


@pytest.fixture(params=[merkle, verify_bundle], ids=["merkle", "verify_bundle"])
def impl(request: pytest.FixtureRequest) -> Implementation:
    """Every vector runs against both implementations (verify_bundle.py carries a copy)."""
    module: Implementation = request.param
    return module


def reference_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH written exactly as RFC 9162 §2.1.1 defines it, recursively."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = 1
    while k * 2 < len(leaf_hashes):
        k *= 2
    return node_hash(reference_root(leaf_hashes[:k]), reference_root(leaf_hashes[k:]))


@pytest.fixture
def tree() -> MemoryTree:
    return MemoryTree(leaf_hash(leaf) for leaf in LEAVES)


def flip_first_bit(value: bytes) -> bytes:
    return bytes([value[0] ^ 0x08]) + value[1:]


class TestHashes:
    def test_empty_root_is_sha256_of_nothing(self) -> None:
        assert empty_root() == EMPTY_TREE_ROOT
        assert root_from_leaf_hashes([]) == EMPTY_TREE_ROOT

    def test_leaf_and_node_hashes_are_domain_separated(self) -> None:
        assert leaf_hash(b"ab") == hashlib.sha256(b"\x00ab").digest()
        assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()

    @pytest.mark.parametrize("size", range(1, 9))
    def test_root_of_standard_leaves(self, size: int, tree: MemoryTree) -> None:
        hashes = [leaf_hash(leaf) for leaf in LEAVES[:size]]
        assert root_from_leaf_hashes(hashes) == ROOTS[size - 1]
        assert tree.root(size) == ROOTS[size - 1]
        assert reference_root(hashes) == ROOTS[size - 1]

    @pytest.mark.parametrize(("n", "expected"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8)])
    def test_split_point_is_largest_power_of_two_below(self, n: int, expected: int) -> None:
        assert largest_power_of_two_below(n) == expected

    def test_split_point_needs_two_leaves(self) -> None:
        with pytest.raises(ValueError, match="no power of two"):
            largest_power_of_two_below(1)


class TestLeafBytes:
    def test_encoding_is_length_prefixed_fields(self) -> None:
        def frame(field: bytes) -> bytes:
            return len(field).to_bytes(8, "big") + field

        expected = b"".join(
            frame(field)
            for field in (
                b"gongkai-ledger/leaf/v1",
                b"42",
                b"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                b"3",
                b"domain.request:Request.Registered",
                b"\x00{}",
            )
        )
        got = leaf_bytes(
            42,
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            3,
            "domain.request:Request.Registered",
            b"\x00{}",
        )
        assert got == expected

    def test_text_lengths_count_utf8_bytes(self) -> None:
        topic = "公开:事件"
        framed_topic = len(topic.encode()).to_bytes(8, "big") + topic.encode()
        assert len(topic.encode()) == 13
        assert leaf_bytes(1, "a", 1, topic, b"").endswith(framed_topic + bytes(8))

    def test_uuid_is_written_in_canonical_form(self) -> None:
        from uuid import UUID

        text = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        assert leaf_bytes(1, UUID(text.upper()), 1, "t", b"") == leaf_bytes(1, text, 1, "t", b"")

    def test_field_boundaries_cannot_be_shifted(self) -> None:
        assert leaf_bytes(1, "ab", 1, "c", b"") != leaf_bytes(1, "a", 1, "bc", b"")
        assert leaf_bytes(12, "a", 3, "t", b"") != leaf_bytes(1, "a", 23, "t", b"")
        assert leaf_bytes(1, "a", 1, "t", b"x") != leaf_bytes(1, "a", 1, "tx", b"")

    @pytest.mark.parametrize("bad", [-1, True, 1.0])
    def test_integers_must_be_non_negative_ints(self, bad: object) -> None:
        with pytest.raises(ValueError, match="non-negative integer"):
            leaf_bytes(bad, "a", 1, "t", b"")  # type: ignore[arg-type]

    def test_empty_originator_id_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="originator_id"):
            leaf_bytes(1, "", 1, "t", b"")

    def test_event_leaf_hash_hashes_the_leaf_bytes(self) -> None:
        data = leaf_bytes(7, "x", 2, "t", b"s")
        assert event_leaf_hash(7, "x", 2, "t", b"s") == hashlib.sha256(b"\x00" + data).digest()


class TestInclusionVectors:
    @pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
    def test_memory_tree_builds_the_published_proof(
        self, index: int, size: int, proof: list[bytes], tree: MemoryTree
    ) -> None:
        assert tree.inclusion_proof(index, size) == proof

    @pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
    def test_published_proof_verifies(
        self, impl: Implementation, index: int, size: int, proof: list[bytes]
    ) -> None:
        assert impl.verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, ROOTS[size - 1])

    @pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
    def test_corrupted_inclusion_fails(
        self, impl: Implementation, index: int, size: int, proof: list[bytes]
    ) -> None:
        leaf, root = leaf_hash(LEAVES[index]), ROOTS[size - 1]
        probes = [
            (leaf, index + 1, size, proof, root),
            (leaf, index ^ 2, size, proof, root),
            (leaf, index, size * 2, proof, root),
            (leaf, index, size // 2, proof, root),
            (leaf_hash(b"WrongLeaf"), index, size, proof, root),
            (leaf, index, size, proof, EMPTY_TREE_ROOT),
            (leaf, index, size, proof, SOME_HASH),
            (leaf, index, size, [*proof, b""], root),
            (leaf, index, size, [*proof, root], root),
            (leaf, index, size, [b"", *proof], root),
            (leaf, index, size, [root, *proof], root),
        ]
        if index > 0:
            probes.append((leaf, index - 1, size, proof, root))
        for i in range(len(proof)):
            probes.append(
                (leaf, index, size, [*proof[:i], flip_first_bit(proof[i]), *proof[i + 1 :]], root)
            )
        if proof:
            probes.append((leaf, index, size, proof[:-1], root))
        for probe in probes:
            assert not impl.verify_inclusion(*probe), probe

    @pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (-1, 1)])
    def test_index_outside_tree_fails(self, impl: Implementation, index: int, size: int) -> None:
        assert not impl.verify_inclusion(SOME_HASH, index, size, [], EMPTY_TREE_ROOT)

    def test_hashes_of_the_wrong_size_fail(self, impl: Implementation) -> None:
        single = leaf_hash(b"data")
        assert impl.verify_inclusion(single, 0, 1, [], single)
        assert not impl.verify_inclusion(b"", 0, 1, [], b"")
        assert not impl.verify_inclusion(single[:31], 0, 1, [], single[:31])

    def test_no_proof_for_a_leaf_outside_the_tree(self, tree: MemoryTree) -> None:
        with pytest.raises(ValueError, match="not in a tree"):
            inclusion_proof(8, 8, tree.get_node)


class TestConsistencyVectors:
    @pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
    def test_memory_tree_builds_the_published_proof(
        self, old: int, new: int, proof: list[bytes], tree: MemoryTree
    ) -> None:
        assert tree.consistency_proof(old, new) == proof

    @pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
    def test_published_proof_verifies(
        self, impl: Implementation, old: int, new: int, proof: list[bytes]
    ) -> None:
        assert impl.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)

    @pytest.mark.parametrize(("old", "new", "proof"), [p for p in CONSISTENCY_PROOFS if p[2]])
    def test_corrupted_consistency_fails(
        self, impl: Implementation, old: int, new: int, proof: list[bytes]
    ) -> None:
        old_root, new_root = ROOTS[old - 1], ROOTS[new - 1]
        probes = [
            (old - 1, new, old_root, new_root, proof),
            (old + 1, new, old_root, new_root, proof),
            (old ^ 2, new, old_root, new_root, proof),
            (old, new * 2, old_root, new_root, proof),
            (old, new // 2, old_root, new_root, proof),
            (old, new, SOME_HASH, new_root, proof),
            (old, new, old_root, SOME_HASH, proof),
            (old, new, new_root, old_root, proof),
            (old, new, old_root, new_root, []),
            (old, new, old_root, new_root, [*proof, b""]),
            (old, new, old_root, new_root, [*proof, old_root]),
            (old, new, old_root, new_root, [*proof, new_root]),
            (old, new, old_root, new_root, [b"", *proof]),
            (old, new, old_root, new_root, [old_root, *proof]),
            (old, new, old_root, new_root, [new_root, *proof]),
            (old, new, old_root, new_root, [proof[0], *proof]),
            (old, new, old_root, new_root, proof[:-1]),
        ]
        for i in range(len(proof)):
            flipped = [*proof[:i], flip_first_bit(proof[i]), *proof[i + 1 :]]
            probes.append((old, new, old_root, new_root, flipped))
        for probe in probes:
            assert not impl.verify_consistency(*probe), probe

    def test_trivial_cases(self, impl: Implementation) -> None:
        root = ROOTS[0]
        assert impl.verify_consistency(0, 0, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [])
        assert impl.verify_consistency(0, 5, EMPTY_TREE_ROOT, ROOTS[4], [])
        assert impl.verify_consistency(1, 1, root, root, [])
        assert not impl.verify_consistency(0, 5, SOME_HASH, ROOTS[4], [])
        assert not impl.verify_consistency(1, 1, root, SOME_HASH, [])
        assert not impl.verify_consistency(1, 1, root, root, [EMPTY_TREE_ROOT])
        assert not impl.verify_consistency(0, 1, EMPTY_TREE_ROOT, root, [EMPTY_TREE_ROOT])
        assert not impl.verify_consistency(2, 1, ROOTS[1], root, [])
        assert not impl.verify_consistency(1, 2, root, ROOTS[1], [])

    def test_hashes_of_the_wrong_size_fail(self, impl: Implementation) -> None:
        assert not impl.verify_consistency(1, 1, b"x", b"x", [])
        assert not impl.verify_consistency(0, 0, b"", b"", [])
        assert not impl.verify_consistency(
            6, 8, ROOTS[5], ROOTS[7], [b"", *CONSISTENCY_PROOFS[2][2]]
        )

    def test_no_proof_back_in_time(self, tree: MemoryTree) -> None:
        with pytest.raises(ValueError, match="no consistency proof"):
            consistency_proof(5, 4, tree.get_node)

    def test_empty_proof_for_nothing_to_prove(self, tree: MemoryTree) -> None:
        assert tree.consistency_proof(0, 8) == []
        assert tree.consistency_proof(8, 8) == []


class TestStoredLayout:
    def test_memory_tree_keeps_every_perfect_subtree(self, tree: MemoryTree) -> None:
        hashes = [leaf_hash(leaf) for leaf in LEAVES]
        nodes = {(node.level, node.index): node.digest for node in tree.nodes()}
        assert len(nodes) == 8 + 4 + 2 + 1
        for (level, index), digest in nodes.items():
            width = 1 << level
            assert digest == reference_root(hashes[index * width : (index + 1) * width])

    def test_absent_nodes_are_lookup_errors(self, tree: MemoryTree) -> None:
        for level, index in [(0, 8), (3, 1), (4, 0), (-1, 0), (0, -1)]:
            with pytest.raises(LookupError):
                tree.get_node(level, index)

    def test_tree_root_from_a_store(self, tree: MemoryTree) -> None:
        assert tree_root(0, tree.get_node) == EMPTY_TREE_ROOT
        assert tree_root(7, tree.get_node) == ROOTS[6]

    def test_sizes_beyond_the_tree_are_refused(self, tree: MemoryTree) -> None:
        with pytest.raises(ValueError, match="outside"):
            tree.root(9)

    def test_memory_tree_rejects_non_hash_leaves(self) -> None:
        with pytest.raises(ValueError, match="32 bytes"):
            MemoryTree().append(b"short")

    @pytest.mark.parametrize(("size", "peaks"), [(0, []), (1, [(0, 0)]), (6, [(2, 0), (1, 2)])])
    def test_peak_positions(self, size: int, peaks: list[tuple[int, int]]) -> None:
        assert list(peak_positions(size)) == peaks

    def test_append_collecting_yields_the_nodes_to_store(self, tree: MemoryTree) -> None:
        compact = CompactRange()
        collected: list[NodeHash] = []
        for leaf in LEAVES:
            collected.extend(compact.append_collecting(leaf_hash(leaf)))
        assert sorted(collected, key=lambda n: (n.level, n.index)) == list(tree.nodes())
        assert compact.root() == ROOTS[7]

    def test_compact_range_resumes_from_a_store(self, tree: MemoryTree) -> None:
        compact = CompactRange.from_store(5, tree.get_node)
        assert compact.size == 5
        assert compact.root() == ROOTS[4]
        for leaf in LEAVES[5:]:
            compact.append(leaf_hash(leaf))
        assert compact.root() == ROOTS[7]


SMALL_TREE_HASHES = tuple(hashlib.sha256(str(i).encode()).digest() for i in range(48))


@pytest.fixture(scope="module")
def small_tree() -> MemoryTree:
    return MemoryTree(SMALL_TREE_HASHES)


class TestExhaustiveSmallTrees:
    """Every proof of every tree up to 48 leaves, against both implementations."""

    HASHES = SMALL_TREE_HASHES

    def test_every_inclusion_proof_verifies(
        self, impl: Implementation, small_tree: MemoryTree
    ) -> None:
        for size in range(1, len(self.HASHES) + 1):
            root = small_tree.root(size)
            assert root == reference_root(self.HASHES[:size])
            for index in range(size):
                proof = small_tree.inclusion_proof(index, size)
                assert impl.verify_inclusion(self.HASHES[index], index, size, proof, root)
                assert not impl.verify_inclusion(self.HASHES[index], index ^ 1, size, proof, root)

    def test_every_consistency_proof_verifies(
        self, impl: Implementation, small_tree: MemoryTree
    ) -> None:
        roots = [small_tree.root(size) for size in range(len(self.HASHES) + 1)]
        for new in range(len(self.HASHES) + 1):
            for old in range(new + 1):
                proof = small_tree.consistency_proof(old, new)
                assert impl.verify_consistency(old, new, roots[old], roots[new], proof), (old, new)
                if 0 < old < new:
                    assert not impl.verify_consistency(old, new, roots[old], roots[new - 1], proof)


LEAF_HASH_LISTS = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=140)


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(hashes=LEAF_HASH_LISTS, data=st.data())
    def test_every_inclusion_proof_verifies_and_tampering_fails(
        self, hashes: list[bytes], data: st.DataObject
    ) -> None:
        tree = MemoryTree(hashes)
        size = data.draw(st.integers(1, len(hashes)))
        index = data.draw(st.integers(0, size - 1))
        root, proof = tree.root(size), tree.inclusion_proof(index, size)
        assert root == reference_root(hashes[:size])
        assert verify_inclusion(hashes[index], index, size, proof, root)
        assert not verify_inclusion(hashes[index], index, size, proof, _flip(root, data))
        if proof:
            which = data.draw(st.integers(0, len(proof) - 1))
            tampered = [*proof[:which], _flip(proof[which], data), *proof[which + 1 :]]
            assert not verify_inclusion(hashes[index], index, size, tampered, root)

    @settings(max_examples=150, deadline=None)
    @given(hashes=LEAF_HASH_LISTS, data=st.data())
    def test_every_consistency_proof_verifies_and_tampering_fails(
        self, hashes: list[bytes], data: st.DataObject
    ) -> None:
        tree = MemoryTree(hashes)
        new = data.draw(st.integers(1, len(hashes)))
        old = data.draw(st.integers(1, new))
        old_root, new_root = tree.root(old), tree.root(new)
        proof = tree.consistency_proof(old, new)
        assert verify_consistency(old, new, old_root, new_root, proof)
        assert not verify_consistency(old, new, _flip(old_root, data), new_root, proof)
        assert not verify_consistency(old, new, old_root, _flip(new_root, data), proof)
        if proof:
            which = data.draw(st.integers(0, len(proof) - 1))
            tampered = [*proof[:which], _flip(proof[which], data), *proof[which + 1 :]]
            assert not verify_consistency(old, new, old_root, new_root, tampered)

    @settings(max_examples=100, deadline=None)
    @given(hashes=st.lists(st.binary(min_size=32, max_size=32), max_size=300))
    def test_streaming_root_equals_reference_root(self, hashes: list[bytes]) -> None:
        assert root_from_leaf_hashes(hashes) == reference_root(hashes)


def _flip(value: bytes, data: st.DataObject) -> bytes:
    position = data.draw(st.integers(0, len(value) - 1))
    bit = data.draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]))
    return value[:position] + bytes([value[position] ^ bit]) + value[position + 1 :]
