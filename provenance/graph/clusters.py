"""Copy clusters that do not chain, and the partial copies between them.

A cluster is one story and its copies. Its members are assigned to a center, not joined by any
path of links: a member is a full copy (duplicate, repost) or a translation of the cluster's
center, or a full copy at high overlap of such a member, or a translation of one. A chain of
links (A takes from B, B from C) therefore never makes A and C one story, however long it is. A
partial copy is never a member: it is a relation between two stories ("#12 takes text from
cluster 3"), kept apart and listed as such.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from provenance.match.compare import FULL_COPY_KINDS as FULL_KINDS
from provenance.store.records import LinkRecord

STRONG_KINDS = FULL_KINDS | {"translation"}
HIGH_OVERLAP = 0.9
"""A full copy of a member joins the member's cluster only this close to it (Jaccard, or containment
both ways).
"""
_ROLE_OF_KIND = {"repost": "repost", "duplicate": "duplicate", "translation": "translation"}


@dataclass
class Cluster:
    """One story and its copies: its members, the links among them, and the origin if the evidence
    names one.
    """

    id: int
    members: list[int]
    links: list[LinkRecord]
    origin_id: int | None
    origin_reason: str
    roles: dict[int, str] = field(default_factory=dict)


@dataclass
class Relation:
    """Text one story takes from another, where neither is a copy of the other: the partial copies between two stories.

    Args:
        source: the story the text comes from, as a key (``cluster:3`` or ``article:14``).
        taker: the story that has it.
        links: the partial-copy links between their members.
        determined: whether a marker or the publication times decide which one took from the other.
    """

    source: str
    taker: str
    links: list[LinkRecord]
    determined: bool


def _close(link: LinkRecord) -> bool:
    return (
        link.jaccard >= HIGH_OVERLAP
        or min(link.containment, link.reverse_containment) >= HIGH_OVERLAP
    )


def _center(candidates: set[int], neighbours: dict[int, dict[int, LinkRecord]]) -> int:
    """The member a new cluster forms around: the origin of decided links that copies nothing, else
    the most linked; the lowest id on a tie.
    """

    def score(article: int) -> tuple[int, int, int]:
        links = [link for other, link in neighbours[article].items() if other in candidates]
        origin_of = sum(
            1 for link in links if link.direction != "undetermined" and link.origin_id == article
        )
        copy_of = sum(
            1 for link in links if link.direction != "undetermined" and link.copy_id == article
        )
        return (origin_of > 0 and copy_of == 0, len(links), -article)

    return max(candidates, key=score)


def _members_around(
    center: int, candidates: set[int], neighbours: dict[int, dict[int, LinkRecord]]
) -> set[int]:
    """The center, the articles linked to it, then full copies at high overlap and translations of
    those.
    """
    group = {center} | {other for other in neighbours[center] if other in candidates}
    for member in sorted(group - {center}):
        for other, link in neighbours[member].items():
            if (
                other in candidates
                and other not in group
                and (link.kind == "translation" or (link.kind in FULL_KINDS and _close(link)))
            ):
                group.add(other)
    return group


def _groups(
    component: set[int], neighbours: dict[int, dict[int, LinkRecord]]
) -> Iterable[set[int]]:
    """A connected set of strongly linked articles split into clusters around centers (single
    leftovers are no cluster).
    """
    remaining = set(component)
    while remaining:
        group = _members_around(_center(remaining, neighbours), remaining, neighbours)
        remaining -= group
        if len(group) > 1:
            yield group


def _components(links: Sequence[LinkRecord]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def find(item: int) -> int:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for link in links:
        parent[find(link.origin_id)] = find(link.copy_id)
    found: dict[int, set[int]] = defaultdict(set)
    for item in list(parent):
        found[find(item)].add(item)
    return list(found.values())


def _origin(members: list[int], links: list[LinkRecord]) -> tuple[int | None, str]:
    """The member that is an origin of decided links and a copy in none; else why none can be named."""
    decided = [link for link in links if link.direction != "undetermined"]
    copies = {link.copy_id for link in decided}
    origins = [
        member
        for member in members
        if member not in copies and any(link.origin_id == member for link in decided)
    ]
    if len(origins) == 1 and len(copies) == len(members) - 1:
        return origins[
            0
        ], "every other member is a copy of it or of its copies, by dates or explicit markers"
    if not decided:
        reasons = sorted({link.direction_reason for link in links})
        return None, "origin not determined: " + "; ".join(reasons[:3])
    return None, "origin not determined: the dated or marked links do not single out one original"


def clusters_of(article_ids: Sequence[int], links: Sequence[LinkRecord]) -> list[Cluster]:
    """Clusters of full copies and translations of one story that hold one of these articles,
    largest first (see the module).
    """
    corpus = set(article_ids)
    strong = [link for link in links if link.kind in STRONG_KINDS]
    neighbours: dict[int, dict[int, LinkRecord]] = defaultdict(dict)
    for link in strong:
        neighbours[link.origin_id][link.copy_id] = link
        neighbours[link.copy_id][link.origin_id] = link
    result = []
    for component in _components(strong):
        for group in _groups(component, neighbours):
            if not group & corpus:
                continue
            members = sorted(group)
            inside = [link for link in strong if link.origin_id in group and link.copy_id in group]
            origin_id, reason = _origin(members, inside)
            roles = {member: "member" for member in members}
            for link in inside:
                if link.direction != "undetermined":
                    roles[link.copy_id] = _ROLE_OF_KIND.get(link.kind, link.kind)
            if origin_id is not None:
                roles[origin_id] = "origin"
            result.append(Cluster(0, members, inside, origin_id, reason, roles))
    result.sort(key=lambda cluster: (-len(cluster.members), cluster.members[0]))
    for number, cluster in enumerate(result, start=1):
        cluster.id = number
    return result


def story_key(article_id: int, cluster_of: dict[int, Cluster]) -> str:
    """The story an article belongs to: its cluster, or the article itself."""
    return (
        f"cluster:{cluster_of[article_id].id}"
        if article_id in cluster_of
        else f"article:{article_id}"
    )


def relations_between(clusters: Sequence[Cluster], links: Sequence[LinkRecord]) -> list[Relation]:
    """The partial copies between stories, and full copies that stayed outside a cluster, one
    relation per pair of stories.
    """
    cluster_of = {member: cluster for cluster in clusters for member in cluster.members}
    inside = {id(link) for cluster in clusters for link in cluster.links}
    grouped: dict[tuple[str, str], list[LinkRecord]] = defaultdict(list)
    for link in links:
        if id(link) in inside:
            continue
        source, taker = story_key(link.origin_id, cluster_of), story_key(link.copy_id, cluster_of)
        if source != taker:
            grouped[(min(source, taker), max(source, taker))].append(link)
    relations = []
    for pair, found in grouped.items():
        ways = {
            (story_key(link.origin_id, cluster_of), story_key(link.copy_id, cluster_of))
            for link in found
        }
        determined = len(ways) == 1 and all(link.direction != "undetermined" for link in found)
        source, taker = next(iter(ways)) if determined else pair
        relations.append(Relation(source, taker, found, determined))
    relations.sort(key=lambda relation: (-len(relation.links), relation.source, relation.taker))
    return relations
