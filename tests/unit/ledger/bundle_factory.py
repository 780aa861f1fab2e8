"""Builds ledger export bundles from made-up events, for tests and for the verifier benchmark.

Benchmark: write 1,000,000 events with states of a few hundred bytes, then time the standalone
verifier on them::

    .venv/bin/python -m tests.unit.ledger.bundle_factory /tmp/bundle-1m --events 1000000
    time .venv/bin/python /tmp/bundle-1m/verify_bundle.py /tmp/bundle-1m
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from uuid import UUID

from projections.ledger.bundle import LedgerEvent, write_bundle
from projections.ledger.merkle import MemoryTree
from projections.ledger.note import Checkpoint, Signer, sign_checkpoint

ORIGIN = "gongkai.test/ledger"
TOPIC = "domain.request:Request.Noted"


def originator(number: int) -> UUID:
    return UUID(int=(0x5EED << 96) + number)


def sample_events(
    count: int, originators: int = 5, state_padding: int = 0
) -> Iterator[LedgerEvent]:
    """Events round-robin over ``originators``; notification ids 10, 20, 30, ...

    Each state is a small JSON document, lengthened by ``state_padding`` characters of text.
    """
    versions = [0] * originators
    padding = ("依申请公开 record text " * (state_padding // 20 + 1))[:state_padding]
    for position in range(count):
        owner = position % originators
        versions[owner] += 1
        document = {"note": f"事件 {position}", "amount": position * 7, "text": padding}
        state = json.dumps(document, ensure_ascii=False).encode()
        yield LedgerEvent((position + 1) * 10, originator(owner), versions[owner], TOPIC, state)


def signed_checkpoints(tree: MemoryTree, sizes: Sequence[int], signer: Signer) -> list[str]:
    return [sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size)), signer) for size in sizes]


def build_bundle(
    directory: Path, events: Sequence[LedgerEvent], signer: Signer, checkpoint_sizes: Sequence[int]
) -> MemoryTree:
    """Log ``events`` in a MemoryTree, sign checkpoints at the sizes, export; return the tree."""
    tree = MemoryTree(event.leaf_hash() for event in events)
    notes = signed_checkpoints(tree, checkpoint_sizes, signer)
    write_bundle(directory, events, tree.get_node, notes, [signer.verifier().encoded()])
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a made-up ledger bundle.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--originators", type=int, default=50_000)
    parser.add_argument("--state-padding", type=int, default=400, help="characters per state")
    arguments = parser.parse_args()
    events = list(sample_events(arguments.events, arguments.originators, arguments.state_padding))
    sizes = sorted({arguments.events // 4, arguments.events // 2, arguments.events} - {0})
    build_bundle(arguments.directory, events, Signer.generate(ORIGIN), sizes)
    print(f"wrote {arguments.events} events to {arguments.directory}")


if __name__ == "__main__":
    main()
