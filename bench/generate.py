"""Deterministic synthetic corpora for benchmarking the real build pipeline.

    .venv/bin/python -m bench.generate --size 100k --out /tmp/seeds-100k
    .venv/bin/python -m bench.generate --articles 50 --out /tmp/seeds-50 --seed 7

Writes a seeds folder that ``dprk-kg build --seeds DIR`` accepts: the real registry
(``seeds/entities.yaml``) extended with generated states, leaders, armed forces, agencies,
publishers, regions, item kinds and measures, the real seed article(s) copied verbatim, and
N generated article ``.txt`` + ``.yaml`` pairs. Each generated article reports deployments and
transfers (with partOf / inExchangeFor / location links) through sources, claims with
quantities, ranges, amounts of money and dates, and mentions; every quote is cut from the text
it generates, so the build locates it, and every sentence carries a claim, so nothing is
reported as uncovered. Same ``--seed`` and size, same bytes.

Sizes are in total triples after the build (ontology + asserted + inferred); ``--size`` maps a
target to a number of articles with :func:`articles_for` (calibrated on this generator).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
REAL_SEEDS = ROOT / "seeds"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SYLLABLES = (
    "ar",
    "bel",
    "cor",
    "dan",
    "est",
    "fal",
    "gor",
    "hal",
    "ist",
    "jor",
    "kal",
    "lum",
    "mor",
    "nev",
    "ost",
    "pra",
    "quel",
    "ros",
    "sal",
    "tor",
    "ul",
    "var",
    "wen",
    "zor",
)
CODEWORDS = (
    "Amber",
    "Basalt",
    "Cedar",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lantern",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pinnacle",
)
TRANSFER_KINDS = (
    "MunitionsTransfer",
    "WeaponSystemTransfer",
    "TechnologyTransfer",
    "FinancialTransfer",
    "FoodTransfer",
)
SOURCE_KINDS = ("MediaReport", "IntelligenceReport", "Estimate", "Statement")
STATUSES = ("planned", "agreed", "ongoing", "completed")
HEDGES = ("approximately", "more-than", "at-least", "up-to", "exactly")
# Real registry entities the generated articles reuse (they are all defined in seeds/).
REAL_STATES = ("russia", "north-korea", "ukraine", "south-korea", "china", "iran")
REAL_ITEMS = (
    "artillery-shell",
    "launcher",
    "kn-23",
    "mig-29",
    "su-27",
    "hesa-shahed-136",
    "rice",
    "money",
    "space-technology",
    "drone-production-capability",
)
REAL_FORCES = {"russia": "russian-armed-forces", "north-korea": "korean-peoples-army"}
REAL_FRAME_EVENTS = ("russia-north-korea-military-cooperation", "north-korean-military-support-to-russia")
# Calibration of articles_for(): total triples ≈ BASE + PER_ARTICLE × articles.
BASE_TRIPLES = 6_000
PER_ARTICLE_TRIPLES = 1_260


def articles_for(total_triples: int) -> int:
    """Number of generated articles for about ``total_triples`` triples after the build."""
    return max(1, round((total_triples - BASE_TRIPLES) / PER_ARTICLE_TRIPLES))


def parse_size(text: str) -> int:
    """``10k`` → 10000, ``1M`` → 1000000, ``2500`` → 2500."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


class _Dumper(yaml.SafeDumper):
    """Block-style YAML, keys in insertion order, long lines unwrapped."""


def _dump(document: Any) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False
    )


@dataclass
class Pools:
    """Generated registry entities by role (ids), plus their labels."""

    labels: dict[str, str] = field(default_factory=dict)
    states: list[str] = field(default_factory=list)
    leaders: dict[str, str] = field(default_factory=dict)  # state -> person
    forces: dict[str, str] = field(default_factory=dict)  # state -> armed force
    agencies: dict[str, str] = field(default_factory=dict)  # state -> intelligence agency
    publishers: list[str] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)  # (region, state)
    items: list[str] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if name not in used:
            used.add(name)
            return name


def _entity(pools: Pools, slug: str, type_: str, label: str, **relations: Any) -> None:
    pools.labels[slug] = label
    entry = {"id": slug, "type": type_, "label": label, "wikidataStatus": "unknown"}
    entry.update(relations)
    pools.entries.append(entry)


def make_pools(rng: random.Random, articles: int, real_labels: dict[str, str]) -> Pools:
    """Generated registry entities, sized with the number of articles."""
    pools = Pools(labels=dict(real_labels))
    used: set[str] = set()
    n_states = min(60, max(4, articles // 40))
    for k in range(n_states):
        name = _name(rng, used)
        state = f"syn-state-{k}"
        _entity(pools, state, "State", f"Republic of {name}")
        pools.states.append(state)
        leader = f"syn-leader-{k}"
        _entity(pools, leader, "Person", f"President {_name(rng, used)} {name}ov", leaderOf=state)
        pools.leaders[state] = leader
        force = f"syn-force-{k}"
        _entity(pools, force, "ArmedForce", f"{name} Armed Forces", armedForceOf=state)
        pools.forces[state] = force
        agency = f"syn-agency-{k}"
        _entity(pools, agency, "IntelligenceAgency", f"{name} Intelligence Service", affiliatedWith=state)
        pools.agencies[state] = agency
        province = f"syn-province-{k}"
        _entity(pools, province, "Region", f"{_name(rng, used)} Province", locatedIn=state)
        for r in range(3):
            region = f"syn-region-{k}-{r}"
            _entity(pools, region, "Region", f"{_name(rng, used)} District", locatedIn=province)
            pools.regions.append((region, state))
    for k in range(min(200, max(3, articles // 25))):
        publisher = f"syn-publisher-{k}"
        _entity(pools, publisher, "MediaOrganization", f"The {_name(rng, used)} Herald")
        pools.publishers.append(publisher)
    for k in range(12):
        item = f"syn-item-{k}"
        broader = REAL_ITEMS[k % 3]  # artillery-shell, launcher, kn-23: chains up to weapons
        _entity(pools, item, "ItemKind", f"{_name(rng, used)}-{k + 7} system", broader=broader)
        pools.items.append(item)
    pools.items.extend(REAL_ITEMS)
    for slug, label in (
        ("syn-measure-personnel", "personnel count"),
        ("syn-measure-value", "value of a transfer"),
    ):
        _entity(pools, slug, "Measure", label)
    return pools


class ArticleWriter:
    """Writes one article's text and annotation, sentence by sentence."""

    def __init__(self, rng: random.Random, pools: Pools, index: int) -> None:
        self.rng = rng
        self.pools = pools
        self.id = f"syn-{index:07d}"
        self.index = index
        self.sentences: list[str] = []
        self.sources: list[dict] = []
        self.events: list[dict] = []
        self.claims: list[dict] = []
        self.mentioned: set[str] = set()
        self.publisher = pools.publishers[index % len(pools.publishers)]

    def label(self, slug: str) -> str:
        """The label of ``slug`` (which the text then mentions)."""
        self.mentioned.add(slug)
        return self.pools.labels[slug]

    def _month(self) -> tuple[str, str]:
        year, month = self.rng.choice((2023, 2024, 2025)), self.rng.randint(1, 12)
        return f"{year}-{month:02d}", f"{MONTHS[month - 1]} {year}"

    def _claim(
        self,
        slug: str,
        claimant: str,
        stated_in: str,
        about: list[str],
        statement: str,
        quote: str,
        **extra: Any,
    ) -> None:
        claim = {
            "id": slug,
            "claimant": claimant,
            "statedIn": stated_in,
            "about": about,
            "statement": statement,
            "quote": quote,
        }
        claim.update(extra)
        self.claims.append(claim)

    def _source(self, j: int, op: str) -> tuple[str, str, str]:
        """A source cited for event ``j``: (id, claimant, the phrase that cites it)."""
        state = self.pools.states[(self.index + j) % len(self.pools.states)]
        actor = self.pools.agencies[state] if j % 2 == 0 else self.pools.leaders[state]
        kind = SOURCE_KINDS[(self.index + j) % len(SOURCE_KINDS)]
        slug = f"{self.id}-source-{j}"
        words = kind_words(kind)
        phrase = f"According to {'an' if words[0] in 'aeiou' else 'a'} {words} by {self.label(actor)} on {op}"
        self.sources.append(
            {
                "id": slug,
                "type": kind,
                "label": f"{kind_words(kind).capitalize()} on {op}",
                "attributedTo": actor,
                "quote": phrase,
            }
        )
        return slug, actor, phrase

    def event(self, j: int) -> None:
        """One deployment or transfer with its source, claims and sentences."""
        rng, pools = self.rng, self.pools
        op = f"Operation {rng.choice(CODEWORDS)} {self.index}-{j}"
        slug = f"{self.id}-event-{j}"
        a, b = (
            rng.sample(pools.states, 2)
            if rng.random() < 0.7
            else (rng.choice(REAL_STATES[:2]), rng.choice(pools.states))
        )
        month, month_words = self._month()
        status = rng.choice(STATUSES)
        source, claimant, phrase = self._source(j, op)
        region, _ = rng.choice(pools.regions)
        event: dict[str, Any] = {"id": slug, "label": op}
        if j % 2 == 0:
            force = pools.forces.get(a) or REAL_FORCES[a]
            event.update(
                type="Deployment", deployingActor=a, hostActor=b, deployedForce=force, location=region
            )
            main = (
                f"{self.label(a)} deployed the {self.label(force)} to "
                f"{self.label(region)} in {month_words} under {op}"
            )
            count = rng.randrange(500, 40_000, 50)
            number = f"about {count:,} troops served in {op}"
            value = {"measure": "troop-count", "value": count, "unit": "soldiers", "hedge": "approximately"}
        else:
            item = rng.choice(pools.items)
            event.update(type=rng.choice(TRANSFER_KINDS), sender=a, recipient=b, transferredItem=item)
            main = (
                f"{self.label(a)} sent {self.label(item)} shipments to "
                f"{self.label(b)} in {month_words} under {op}"
            )
            low = rng.randrange(10, 5_000)
            high = low + rng.randrange(1, 5_000)
            if rng.random() < 0.5:
                number = f"between {low:,} and {high:,} units were delivered in {op}"
                value = {
                    "measure": "shell-count",
                    "min": low,
                    "max": high,
                    "unit": "units",
                    "hedge": rng.choice(HEDGES),
                }
            else:
                number = f"{op} was worth ${low} million"
                value = {
                    "measure": "syn-measure-value",
                    "value": low * 1_000_000,
                    "currency": "USD",
                    "hedge": rng.choice(HEDGES),
                }
        event.update(partOf=REAL_FRAME_EVENTS[j % 2], status=status, date={"value": month})
        if j > 0:
            event["inExchangeFor"] = self.events[-1]["id"]
        self.events.append(event)
        self.sentences.append(f"{phrase}, {main}.")
        self._claim(f"event-{j}", claimant, source, [slug], f"{main}.", main, mentions=[a, b])
        self.sentences.append(f"The report says {number}.")
        self._claim(f"number-{j}", claimant, source, [slug], f"{number}.", number, value=value)
        leader = pools.leaders.get(b)
        if leader:
            remark = f"{self.label(leader)} welcomed {op}"
            self.sentences.append(f"{remark}, {self.label(self.publisher)} reported.")
            self._claim(
                f"remark-{j}",
                self.publisher,
                self.id,
                [slug, REAL_FRAME_EVENTS[0]],
                f"{remark}.",
                remark,
                mentions=leader,
            )
        began = f"{op} began in {month_words}"
        self.sentences.append(f"Officials said {began}.")
        self._claim(
            f"date-{j}",
            self.publisher,
            self.id,
            [slug],
            f"{began}.",
            began,
            value={"measure": "letter-date" if j % 2 else "previous-summit-year", "date": {"value": month}},
        )

    def write(self, folder: Path, events: int) -> set[str]:
        """Write ``<id>.txt`` and ``<id>.yaml``; return the registry ids the text mentions."""
        for j in range(events):
            self.event(j)
        text = "\n".join(self.sentences) + "\n"
        day = self.rng.randint(1, 28)
        title = f"{len(self.events)} operations, as {self.pools.labels[self.publisher]} reports them"
        mentions = {
            slug: [{"exact": self.pools.labels[slug], "all": True}] for slug in sorted(self.mentioned)
        }
        doc = {
            "article": {
                "id": self.id,
                "label": title,
                "language": "en",
                "publisher": self.publisher,
                "published": {"value": f"2025-{(self.index % 12) + 1:02d}-{day:02d}"},
            },
            "sources": self.sources,
            "events": self.events,
            "claims": self.claims,
            "mentions": mentions,
        }
        (folder / f"{self.id}.txt").write_text(text, encoding="utf-8")
        (folder / f"{self.id}.yaml").write_text(
            f"# Synthetic article {self.id} (bench/generate.py).\n" + _dump(doc), encoding="utf-8"
        )
        return self.mentioned | {self.publisher}


def kind_words(kind: str) -> str:
    """``IntelligenceReport`` → ``intelligence report``."""
    return "".join(" " + c.lower() if c.isupper() else c for c in kind).strip()


def generate(out: Path, articles: int, seed: int = 1, events_per_article: int = 4) -> Path:
    """Write a seeds folder with the real seeds plus ``articles`` generated articles."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    registry = yaml.safe_load((REAL_SEEDS / "entities.yaml").read_text(encoding="utf-8"))
    real_labels = {e["id"]: e["label"] for e in registry["entities"]}
    for path in sorted(REAL_SEEDS.glob("*.txt")):
        if path.name.lower() != "readme.txt":
            shutil.copyfile(path, out / path.name)
            shutil.copyfile(path.with_suffix(".yaml"), out / f"{path.stem}.yaml")
    pools = make_pools(rng, articles, real_labels)
    mentioned: set[str] = set()
    for index in range(articles):
        mentioned |= ArticleWriter(rng, pools, index).write(out, events_per_article)
    # Every actor must be named in some article (SHACL ActorShape): drop generated actors
    # that no article happened to use. Places, item kinds and measures need no mention.
    keep_unmentioned = {"Region", "ItemKind", "Measure"}
    generated = [e for e in pools.entries if e["id"] in mentioned or e["type"] in keep_unmentioned]
    kept = {e["id"] for e in generated}
    for entry in generated:  # a leader of a dropped state would dangle
        for key in ("leaderOf", "armedForceOf", "affiliatedWith", "locatedIn"):
            if key in entry and entry[key] not in kept and entry[key] not in real_labels:
                entry.pop(key)
    registry["entities"].extend(generated)
    (out / "entities.yaml").write_text(
        "# Real registry (seeds/entities.yaml) + generated entities (bench/generate.py).\n" + _dump(registry),
        encoding="utf-8",
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--size 100k`` or ``--articles N``, ``--out DIR``, ``--seed S``."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--size", help="target total triples after the build, e.g. 10k, 100k, 1M")
    group.add_argument("--articles", type=int, help="number of generated articles")
    parser.add_argument("--out", required=True, type=Path, help="seeds folder to (re)create")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    n = args.articles if args.articles is not None else articles_for(parse_size(args.size))
    generate(args.out, n, args.seed)
    print(f"wrote {n} generated articles (+ the real seeds) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
