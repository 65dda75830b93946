"""The artefact writers give exactly the bytes of rdflib's serialisers and of the former writers.

``graph.artefacts`` serialises each graph once and writes N-Triples itself (with rdflib's own
term functions); these tests pin its output to rdflib's nt serialiser and to the writers it
replaced (kept below as the reference), on terms chosen to be awkward.
"""

from __future__ import annotations

from collections import Counter

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, VOID, XSD
from rdflib.plugins.serializers.nt import _nt_row

from graph import artefacts
from graph.namespaces import DKG

BASE = "https://dprk-kg.example.org/"
EX = "http://example.org/"
# No prefix is bound for VOCAB: the Turtle serialiser generates one (ns1). Every predicate
# outside the project's prefixes is in VOCAB, as the numbering of two or more generated prefixes
# follows the order rdflib happens to iterate a graph's triples in (its hash order), for the
# former writer as for the present one.
VOCAB = "http://example.org/vocab/"
IRIS = {name: URIRef(f"{BASE}graph/{name}") for name in artefacts.GRAPH_ORDER}

TRICKY_TEXTS = [
    "",
    "plain",
    'a "quoted" word',
    "back\\slash and \\n not a newline",
    "two\nlines",
    "carriage\rreturn and\r\nboth",
    "tab\tseparated",
    "unicode: é ü ß 日本語 😀 \u00a0nbsp",
    "trailing space ",
    " leading space",
    "ends with a backslash\\",
    '"""triple quotes"""',
    "a\n\nparagraph break",
]
# Characters str.splitlines() treats as line ends although N-Triples does not escape them.
SPLITLINES_TEXTS = [
    "line\u2028separator",
    "para\u2029separator",
    "form\x0cfeed",
    "vertical\x0btab",
    "next\x85line",
    "file\x1cseparator",
]


def _literals(texts: list[str]) -> list[Literal]:
    out: list[Literal] = []
    for text in texts:
        out += [
            Literal(text),
            Literal(text, lang="en"),
            Literal(text, lang="en-GB"),
            Literal(text, datatype=XSD.string),
            Literal(text, datatype=URIRef(EX + "type")),
        ]
    out += [
        Literal("x", lang="EN"),
        Literal(42),
        Literal("042", datatype=XSD.integer),
        Literal("3.50", datatype=XSD.decimal),
        Literal(True),
        Literal("2024-11", datatype=XSD.gYearMonth),
        Literal("not a date", datatype=XSD.date),
        Literal(1.5e-7),
    ]
    return out


def _tricky_graph(texts: list[str] = TRICKY_TEXTS, with_bnodes: bool = False) -> Graph:
    g = Graph()
    subjects = [
        URIRef(BASE + "entity/a"),
        URIRef(BASE + "claim/001_x/claim-1"),
        URIRef(EX + "é/ünïcode"),
        URIRef(VOCAB + "thing"),
        URIRef(EX + "with%20escape#frag"),
        URIRef(BASE + "span/001_x/1-5"),
    ]
    predicates = [
        DKG.statement,
        RDFS.label,
        URIRef(VOCAB + "prop"),
        URIRef(VOCAB + "p(1)"),
        URIRef(VOCAB + "other"),
    ]
    for i, literal in enumerate(_literals(texts)):
        g.add((subjects[i % len(subjects)], predicates[i % len(predicates)], literal))
    g.add((subjects[0], URIRef(VOCAB + "prop"), URIRef(VOCAB + "thing")))
    g.add((subjects[1], DKG.about, URIRef(EX + "ends.with.dot.")))
    g.add((subjects[2], RDF.type, DKG.Claim))
    g.add((subjects[3], RDF.type, URIRef(VOCAB + "Kind")))
    g.add((URIRef(EX + "x"), RDF.type, RDFS.Class))
    g.add((subjects[0], DKG.mentions, subjects[2]))
    # The same text under "EN" and "en": equal literals in rdflib, written as they are spelt.
    g.add((subjects[4], RDFS.label, Literal("same", lang="EN")))
    g.add((subjects[5], RDFS.label, Literal("same", lang="en")))
    if with_bnodes:
        node, items = BNode(), BNode()
        g.add((subjects[0], URIRef(VOCAB + "restriction"), node))
        g.add((node, RDF.type, URIRef(EX + "Restriction")))
        g.add((node, URIRef(VOCAB + "on"), Literal("a\nb")))
        Collection(g, items, [Literal(1), URIRef(EX + "y"), Literal("z", lang="de")])
        g.add((subjects[1], URIRef(VOCAB + "list"), items))
    return g


# ------------------------------------------------ the writers this module replaced (reference)
def _old_turtle(graph: Graph, base: str) -> str:
    copy = artefacts.new_graph(base)
    for triple in graph:
        copy.add(triple)
    return copy.serialize(format="turtle")


def _old_ntriples_lines(graph: Graph) -> list[str]:
    has_bnodes = any(isinstance(t, BNode) for triple in graph for t in triple)
    canonical = to_canonical_graph(graph) if has_bnodes else graph
    return [line for line in canonical.serialize(format="nt").splitlines() if line.strip()]


def _old_trig(graphs: dict[str, Graph], base: str) -> str:
    header: list[str] = []
    blocks: list[str] = []
    for name in artefacts.GRAPH_ORDER:
        body = []
        for line in _old_turtle(graphs[name], base).splitlines():
            if line.startswith("@prefix"):
                if line not in header:
                    header.append(line)
            elif line.strip():
                body.append("    " + line)
        blocks.append(f"<{IRIS[name]}> {{\n" + "\n".join(body) + "\n}\n")
    return "\n".join(sorted(header)) + "\n\n" + "\n".join(blocks)


def _old_nquads(graphs: dict[str, Graph]) -> str:
    lines = []
    for name in artefacts.GRAPH_ORDER:
        for line in _old_ntriples_lines(graphs[name]):
            lines.append(f"{line[:-1].rstrip()} <{IRIS[name]}> .")
    return "\n".join(sorted(lines)) + "\n"


def _graphs() -> dict[str, Graph]:
    asserted = _tricky_graph()
    inferred = Graph()
    for s, _p, o in list(asserted)[::3]:
        inferred.add((s, URIRef(VOCAB + "inferred"), o))
    inferred.add((URIRef(VOCAB + "thing"), RDF.type, DKG.Actor))
    return {
        "ontology": _tricky_graph(TRICKY_TEXTS[:4], with_bnodes=True),
        "asserted": asserted,
        "inferred": inferred,
    }


# ------------------------------------------------------------------------------------ tests
def test_ntriples_line_is_rdflibs_nt_row_for_awkward_terms():
    g = _tricky_graph(TRICKY_TEXTS + SPLITLINES_TEXTS)
    known: dict = {}
    for triple in g:
        assert artefacts.ntriples_line(triple, known) + "\n" == _nt_row(triple)
    # …and the lines are those of Graph.serialize(format="nt") (split on "\n" only).
    rdflib_lines = sorted(line for line in g.serialize(format="nt").split("\n") if line)
    assert sorted(artefacts.ntriples_lines(g)) == rdflib_lines


def test_equal_literals_keep_their_own_spelling():
    g = Graph()
    g.add((URIRef(EX + "a"), RDFS.label, Literal("x", lang="EN")))
    h = Graph()
    h.add((URIRef(EX + "b"), RDFS.label, Literal("x", lang="en")))
    known: dict = {}
    assert artefacts.ntriples_lines(g, known) == [f'<{EX}a> <{RDFS.label}> "x"@EN .']
    assert artefacts.ntriples_lines(h, known) == [f'<{EX}b> <{RDFS.label}> "x"@en .']


def test_turtle_trig_and_nquads_are_the_former_writers_bytes():
    graphs = _graphs()
    for name, graph in graphs.items():
        assert artefacts.turtle(graph, BASE) == _old_turtle(graph, BASE), name
    assert f"@prefix ns1: <{VOCAB}> ." in artefacts.turtle(graphs["asserted"], BASE)
    turtles = {name: artefacts.turtle(graphs[name], BASE) for name in artefacts.GRAPH_ORDER}
    assert artefacts.trig_from_turtle(turtles, IRIS) == _old_trig(graphs, BASE)
    assert artefacts.trig(graphs, IRIS, BASE) == _old_trig(graphs, BASE)
    assert artefacts.nquads(graphs, IRIS) == _old_nquads(graphs)
    known: dict = {}
    lines = {name: artefacts.ntriples_lines(g, known, list(g)) for name, g in graphs.items()}
    assert artefacts.nquads_from_lines(lines, IRIS) == _old_nquads(graphs)


def test_turtle_matches_whatever_order_the_prefixed_names_are_met_in():
    # A subject in a namespace that gets a generated prefix only when a predicate is met later.
    for n in range(1, 40):
        g = Graph()
        for i in range(n):
            g.add((URIRef(f"{VOCAB}s{i}"), DKG.statement, Literal(i)))
        g.add((URIRef(EX + "t"), URIRef(VOCAB + "late"), URIRef(VOCAB + "s0")))
        assert artefacts.turtle(g, BASE) == _old_turtle(g, BASE)


def test_void_counts_are_those_of_the_graphs_and_their_union():
    graphs = _graphs()
    graphs["inferred"].add(next(iter(graphs["asserted"])))  # one triple in two graphs
    sources = [URIRef(BASE + "article/001_x")]
    void_graph = artefacts.void(graphs, IRIS, BASE, sources)
    given = artefacts.void(graphs, IRIS, BASE, sources, {n: list(g) for n, g in graphs.items()})
    assert artefacts.turtle(void_graph, BASE) == artefacts.turtle(given, BASE)
    union = Graph()
    for g in graphs.values():
        for triple in g:
            union.add(triple)
    assert len(union) < sum(len(g) for g in graphs.values())
    subsets = {URIRef(BASE + "dataset"): union}
    subsets.update({URIRef(f"{BASE}dataset/{name}"): g for name, g in graphs.items()})
    for node, data in subsets.items():

        def count(term: str, node: URIRef = node) -> int:
            return void_graph.value(node, VOID[term]).toPython()

        assert count("triples") == len(data)
        assert count("distinctSubjects") == len(set(data.subjects()))
        assert count("distinctObjects") == len(set(data.objects()))
        assert count("properties") == len(set(data.predicates()))
        classes = Counter(data.objects(None, RDF.type))
        assert count("classes") == len(classes)
        for partition in void_graph.objects(node, VOID.classPartition):
            cls = void_graph.value(partition, VOID["class"])
            assert void_graph.value(partition, VOID.entities).toPython() == classes[cls]


def test_a_literal_with_a_unicode_line_separator_stays_on_one_nquads_line():
    # str.splitlines() would break these lines although N-Quads leaves the characters as they are.
    g = Graph()
    for i, text in enumerate(SPLITLINES_TEXTS):
        g.add((URIRef(f"{EX}s{i}"), RDFS.label, Literal(text)))
    graphs = {"ontology": Graph(), "asserted": g, "inferred": Graph()}
    text = artefacts.nquads(graphs, IRIS)
    assert text.count("\n") == len(SPLITLINES_TEXTS)
    back = Dataset()
    back.parse(data=text, format="nquads")
    assert set(back.graph(IRIS["asserted"])) == set(g)
