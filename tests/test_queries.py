"""Every named competency query answers its question on the real graph.

Expected values come from the project's domain reference (domain-facts.md,
sections 2-4), not from the queries' own output: the test is that the graph, built
from data/ and ontologies/, answers the questions the way the literature does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Store

from kg.namespaces import curie_of
from kg.query.catalog import QUERIES_DIR, named_queries, resolve
from kg.query.sparql import FORMATS, execute, write_result
from kg.query.store import graph_file, load_store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = QUERIES_DIR
NAMES = [q.name for q in named_queries(QUERIES)]

_INTEGER = {"integer", "int", "long", "nonNegativeInteger", "positiveInteger"}
_NUMBER = {"decimal", "double", "float"}

Row = dict[str, object]


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


def _py(term: object) -> object:
    """A term as a plain value: IRIs as CURIEs, numbers as numbers, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return curie_of(term.value)
    if isinstance(term, Literal):
        kind = term.datatype.value.rpartition("#")[2]
        if kind in _INTEGER:
            return int(term.value)
        if kind in _NUMBER:
            return float(term.value)
        if kind == "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def rows(store: Store, name: str) -> list[Row]:
    result = execute(store, resolve(name, QUERIES))
    assert isinstance(result, QuerySolutions), f"{name} is not a SELECT query"
    names = [v.value for v in result.variables]
    return [{n: _py(s[n]) for n in names} for s in result]


def where(table: list[Row], **conditions: object) -> list[Row]:
    return [r for r in table if all(r.get(k) == v for k, v in conditions.items())]


def one(table: list[Row], **conditions: object) -> Row:
    found = where(table, **conditions)
    assert len(found) == 1, f"expected one row with {conditions}, got {found}"
    return found[0]


def has_module(store: Store, name: str) -> bool:
    graph = NamedNode(f"https://w3id.org/il2-sle-kg/graph/ontology/{name}")
    return bool(store.query(f"ASK {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"))


# ---- the catalogue itself -------------------------------------------------------------


def test_there_are_at_least_twenty_named_queries_each_with_a_question() -> None:
    found = named_queries(QUERIES)
    assert len(found) >= 20
    for q in found:
        assert q.text.startswith("# Question: "), q.path
        assert q.question.endswith("?") or "CONSTRUCT" in q.text, q.name


@pytest.mark.parametrize("name", NAMES)
def test_every_query_runs_and_is_deterministic(store: Store, name: str) -> None:
    """Each query runs, SELECTs order their rows, and two runs give identical bytes."""
    text = resolve(name, QUERIES)
    first = execute(store, text)
    if isinstance(first, QuerySolutions):
        assert "ORDER BY" in text.text, f"{name}: a SELECT must ORDER BY for stable output"
    fmt = FORMATS["ttl" if isinstance(first, QueryTriples) else "json"]
    outputs = []
    for _ in range(2):

        class Sink:
            data = b""

            def write(self, chunk: bytes) -> None:
                self.data += chunk

        sink = Sink()
        write_result(execute(store, text), fmt, sink)  # type: ignore[arg-type]
        outputs.append(sink.data)
    assert outputs[0] == outputs[1]


# ---- section 4 of the domain reference -------------------------------------------------


def test_rct_primary_endpoints(store: Store) -> None:
    """Q1: LUPIL-2 and He 2020, both SRI-4 at week 12; later RCTs NCT04077684 and efavaleukin."""
    table = rows(store, "rct_primary_endpoints")
    trials = {r["trial"] for r in table}
    assert trials >= {
        "CLINICALTRIALS:NCT02955615",  # LUPIL-2
        "CLINICALTRIALS:NCT02465580",  # He et al. 2020
        "CLINICALTRIALS:NCT04077684",  # Chinese dose-finding RCT
        "CLINICALTRIALS:NCT03451422",  # efavaleukin alfa phase 1b
        "CLINICALTRIALS:NCT04680637",  # efavaleukin alfa phase 2b (VIOLET)
    }
    for nct in ("CLINICALTRIALS:NCT02955615", "CLINICALTRIALS:NCT02465580"):
        (row,) = where(table, trial=nct)
        assert "SRI-4" in str(row["endpoint"]) or "Responder Index-4" in str(row["endpoint"])
        assert row["timePoint"] == "week 12"
        assert row["phase"] == "2"


def test_neither_rct_met_its_primary_endpoint(store: Store) -> None:
    """Q2: LUPIL-2 ITT 68% vs 58% (p=0.3439); He 2020 55.17% vs 30.00% (p=0.052)."""
    table = rows(store, "rct_primary_endpoint_met")
    lupil = one(table, acronym="LUPIL-2", population="ITT")
    assert (lupil["treatedPercent"], lupil["controlPercent"]) == (68, 58)
    assert lupil["pValue"] == pytest.approx(0.3439)
    assert lupil["met"] is False
    assert lupil["timePoint"] == "week 12"
    (he,) = [r for r in table if str(r["acronym"]).startswith("He 2020")]
    assert (he["treatedPercent"], he["controlPercent"]) == (pytest.approx(55.17), 30)
    assert he["pValue"] == pytest.approx(0.052)
    assert he["met"] is False
    assert all(r["met"] is False for r in table)


def test_no_rct_met_its_primary_endpoint_ask(store: Store) -> None:
    result = execute(store, resolve("any_rct_met_primary", QUERIES))
    assert isinstance(result, QueryBoolean)
    assert bool(result) is False


def test_lupil2_dose_and_schedule(store: Store) -> None:
    """Q5: ILT-101 1.5 MIU/day s.c. for 5 days, then weekly injections to week 12."""
    table = rows(store, "lupil2_dose_schedule")
    active = one(table, role="experimental")
    assert active["intervention"] == "ILT-101"
    assert active["doseValue"] == 1.5
    assert "international unit" in str(active["doseUnit"]).lower()
    assert active["route"] == "subcutaneous"
    assert active["frequency"] == "daily"
    assert active["duration"] == "5 days"
    schedule = str(active["schedule"])
    assert "weekly" in schedule and "week 12" in schedule
    assert where(table, role="placebo comparator")


def test_lupus_nephritis_benefit(store: Store) -> None:
    """Q7: He 2020, complete remission 53.85% (7/13) vs 16.67% (2/12), p=0.036."""
    table = rows(store, "lupus_nephritis_benefit")
    assert {r["acronym"] for r in table} == {"He 2020 RCT"}
    il2 = one(table, responders=7)
    assert (il2["analysed"], il2["percent"]) == (13, pytest.approx(53.85))
    placebo = one(table, arm="placebo", comparedTo=None)
    assert (placebo["responders"], placebo["analysed"]) == (2, 12)
    assert placebo["percent"] == pytest.approx(16.67)
    comparison = one(table, comparedTo="placebo")
    assert comparison["pValue"] == pytest.approx(0.036)
    assert comparison["source"] == "https://pubmed.ncbi.nlm.nih.gov/31537547"


def test_cell_types_expanded(store: Store) -> None:
    """Q11: Treg (CL:0000815 / CL:0000792) in the trials; NK cells (CL:0000623) in He 2020."""
    table = rows(store, "cell_types_expanded")
    cells = {r["cell"] for r in table}
    allowed = {"CL:0000815", "CL:0000792", "CL:0000623", "CL:0000938"}
    assert {"CL:0000815", "CL:0000623"} <= cells <= allowed
    nk = where(table, cell="CL:0000623")
    assert any("He et al. 2020" in str(r["study"]) for r in nk)
    assert any("natural killer" in str(r["quote"]) for r in nk)


def test_cell_types_reduced_and_unchanged(store: Store) -> None:
    """Q12: Tfh (CL:0002038) and Th17 (CL:0000899) reduced; Th1 and Th2 unchanged (He 2016)."""
    table = rows(store, "cell_types_reduced")
    he2016 = [r for r in table if "He et al. 2016" in str(r["study"])]
    assert {r["cell"] for r in where(he2016, effect="reduced")} >= {"CL:0002038", "CL:0000899"}
    assert {r["cell"] for r in where(he2016, effect="unchanged")} == {"CL:0000545", "CL:0000546"}
    # no cell type is both reduced and expanded by the same agent in the same study
    reduced = {(r["cell"], r["agentLabel"], r["study"]) for r in where(table, effect="reduced")}
    assert reduced.isdisjoint(
        {(r["cell"], r["agentLabel"], r["study"]) for r in rows(store, "cell_types_expanded")}
    )


def test_unchanged_cell_types_are_not_asserted_as_triples(store: Store) -> None:
    """A negated finding exists only as a statement node, never as a direct triple."""
    obo = "http://purl.obolibrary.org/obo/"
    for cell in ("CL_0000545", "CL_0000546"):
        for agent in (
            "https://w3id.org/il2-sle-kg/intervention/low-dose-il-2-therapy",
            "https://w3id.org/il2-sle-kg/drug/hril-2",
        ):
            assert not bool(store.query(f"ASK {{ <{agent}> ?p <{obo}{cell}> }}")), (agent, cell)


def test_sle_identifier_and_xrefs(store: Store) -> None:
    """Q14: MONDO:0007915 = DOID:9074 = MESH:D008180 = NCIT:C3201 = SCTID:55464009 = ICD10CM:M32."""
    table = rows(store, "sle_xrefs")
    assert {r["sle"] for r in table} == {"MONDO:0007915"}
    assert {r["label"] for r in table} == {"systemic lupus erythematosus"}
    xrefs = {str(r["xref"]) for r in table}
    expected = {"DOID:9074", "MESH:D008180", "NCIT:C3201", "SCTID:55464009", "ICD10CM:M32"}
    assert expected <= xrefs
    assert {"UMLS:C0024141", "Orphanet:536", "OMIM:152700"} <= xrefs


def test_go_processes_of_the_il2_pathway(store: Store) -> None:
    """Q15: GO:0038110 IL-2-mediated signaling; related GO:0045066 and GO:0002465."""
    table = rows(store, "il2_pathway_go")
    by_id = {r["process"]: r["label"] for r in table}
    assert by_id["GO:0038110"] == "interleukin-2-mediated signaling pathway"
    assert by_id["GO:0045066"] == "regulatory T cell differentiation"
    assert by_id["GO:0002465"] == "peripheral tolerance induction"


def test_aldesleukin_is_recombinant_il2_with_atc_l03ac01(store: Store) -> None:
    """Q16: aldesleukin = recombinant human IL-2 (Proleukin), ATC L03AC01."""
    table = rows(store, "aldesleukin_atc")
    assert {r["label"] for r in table} == {"aldesleukin"}
    assert "ATC:L03AC01" in {r["xref"] for r in table}
    text = " ".join(f"{r['description']} {r['synonym']}" for r in table).lower()
    assert "interleukin-2" in text
    assert "proleukin" in text


def test_basket_trial_transreg(store: Store) -> None:
    """Q25: TRANSREG (NCT01988506), 46 patients, 1 MIU/day x5 then every 2 weeks; Treg at day 8."""
    table = rows(store, "basket_trial")
    assert {r["trial"] for r in table} == {"CLINICALTRIALS:NCT01988506"}
    assert {r["acronym"] for r in table} == {"TRANSREG"}
    assert {r["enrolment"] for r in table} == {46}
    assert "systemic lupus erythematosus" in {r["condition"] for r in table}
    schedule = " ".join(str(r["schedule"]) for r in table)
    assert "1 MIU/day for 5 days" in schedule and "every 2 weeks for 6 months" in schedule
    assert {r["timePoint"] for r in table} == {"day 8"}
    assert all("T cell" in str(r["endpoint"]) or "Treg" in str(r["endpoint"]) for r in table)


# ---- evidence, negation, safety, bookkeeping -----------------------------------------------


def test_evidence_behind_the_il2_treg_claim(store: Store) -> None:
    """Key claim 1 of the review, with its verbatim quote and where it stands."""
    table = rows(store, "claim_evidence")
    assert table
    quote = "IL-2 is indispensable for the growth and survival of regulatory T cells"
    row = next(r for r in table if quote in str(r["quote"]))
    assert "Low-dose interleukin-2 therapy" in str(row["source"])
    assert str(row["evidenceCode"]).startswith("http://purl.obolibrary.org/obo/ECO_")
    assert row["locator"] == "abstract"


def test_negated_findings(store: Store) -> None:
    """Th1/Th2 unchanged (He 2016) and no serious infection (He 2020) are negated findings."""
    table = rows(store, "negated_findings")
    objects = {r["object"] for r in table}
    assert {"T-helper 1 cell", "T-helper 2 cell", "serious infection"} <= objects
    assert any(r["quote"] == "but not TH1 or TH2 cells" for r in table)
    ids = {r["statement"] for r in table}
    positive = store.query(
        "SELECT ?id WHERE { ?s kgv:negated false ; kgv:curationId ?id }",
        prefixes={"kgv": "https://w3id.org/il2-sle-kg/vocab/"},
    )
    assert ids.isdisjoint({s["id"].value for s in positive})  # type: ignore[union-attr]


def test_adverse_events_per_arm_he_2020(store: Store) -> None:
    """He 2020 Table 3: IL-2 (N=29) vs placebo (N=30)."""
    table = where(rows(store, "adverse_events_by_arm"), acronym="He 2020 RCT")

    def count(event: str, arm: str) -> tuple[object, object, object]:
        (row,) = [r for r in table if r["event"].startswith(event) and arm in r["arm"]]
        return row["affected"], row["analysed"], row["percent"]

    # Table 3's "SAEs" are *severe* adverse events (its footnote), recorded as such.
    assert count("severe adverse event", "IL-2") == (0, 29, 0)
    assert count("severe adverse event", "placebo") == (3, 30, 10)
    assert count("infection", "IL-2") == (2, 29, pytest.approx(6.9))
    assert count("infection", "placebo") == (6, 30, 20)
    assert count("injection-site reaction", "IL-2") == (9, 29, 31)
    assert count("injection-site reaction", "placebo") == (2, 30, pytest.approx(6.7))
    assert count("fever", "IL-2") == (4, 29, pytest.approx(13.8))
    assert count("fever", "placebo") == (0, 30, 0)
    assert count("flu-like", "IL-2") == (3, 29, pytest.approx(10.3))
    assert count("flu-like", "placebo") == (0, 30, 0)


def test_trials_per_phase(store: Store) -> None:
    table = rows(store, "trials_per_phase")
    assert {"LUPIL-2", "He 2020 RCT"} <= {r["acronym"] for r in where(table, phase="2")}
    assert "TRANSREG" in {r["acronym"] for r in where(table, phase="1/2a")}
    for phase in {r["phase"] for r in table}:
        members = where(table, phase=phase)
        assert {r["studies"] for r in members} == {len(members)}


def test_statements_per_publication(store: Store) -> None:
    table = rows(store, "statements_per_publication")
    review = one(table, publication="https://w3id.org/il2-sle-kg/publication/akbarzadeh-2023")
    assert review["statements"] >= 8  # the eight key claims of the abstract
    he2016 = one(table, publication="https://pubmed.ncbi.nlm.nih.gov/27500725")
    assert he2016["negated"] >= 2  # Th1 and Th2 unchanged
    counts = [r["statements"] for r in table]
    assert counts == sorted(counts, reverse=True)


def test_unverified_facts(store: Store) -> None:
    """The Charité conference abstract's year is inferred from its volume: unverified."""
    table = rows(store, "unverified_facts")
    charite = "https://w3id.org/il2-sle-kg/publication/charite-case-abstract-a46"
    assert charite in {r["record"] for r in table}
    verified = store.query(
        'SELECT ?x WHERE { ?x <https://w3id.org/il2-sle-kg/vocab/curationStatus> "verified" }',
    )
    assert {r["record"] for r in table}.isdisjoint({s["x"].value for s in verified})  # type: ignore[union-attr]


def test_sri4_results(store: Store) -> None:
    """LUPIL-2 post hoc PP 83.3% vs 51.7% (p=0.0168); He 2020 week 24 65.52% vs 36.67% (p=0.027)."""
    table = rows(store, "sri4_results")
    pp = where(table, acronym="LUPIL-2", population="post hoc per-protocol")
    assert {r["percent"] for r in pp if r["comparedTo"] is None} == {83.3, 51.7}
    assert one(pp, comparedTo="placebo")["pValue"] == pytest.approx(0.0168)
    wk24 = where(table, acronym="He 2020 RCT", timePoint="week 24")
    assert {r["percent"] for r in wk24 if r["comparedTo"] is None} == {65.52, 36.67}
    assert one(wk24, comparedTo="placebo")["pValue"] == pytest.approx(0.027)


def test_trial_registry_ids(store: Store) -> None:
    table = rows(store, "trial_registry_ids")

    def ids(acronym: str) -> set[object]:
        return {r["identifier"] for r in where(table, acronym=acronym)}

    assert {"NCT02955615", "EudraCT 2016-000488-17"} <= ids("LUPIL-2")
    assert "https://pubmed.ncbi.nlm.nih.gov/35973803" in ids("LUPIL-2")
    assert {"NCT02465580", "NCT02932137"} <= ids("He 2020 RCT")
    assert "NCT01988506" in ids("TRANSREG")
    assert "EudraCT 2020-003509-72" in ids("VIOLET")
    assert "EudraCT 2013-001599-40" in ids("PRO-IMMUN")


def test_interventions_per_trial(store: Store) -> None:
    table = rows(store, "interventions_per_trial")

    def products(acronym: str) -> set[object]:
        return {r["intervention"] for r in where(table, acronym=acronym)}

    assert products("LUPIL-2") == {"ILT-101", "placebo"}
    assert products("He 2020 RCT") == {"hrIL-2", "placebo"}
    assert "hrIL-2" in products("He 2016 open-label")
    assert "efavaleukin alfa" in products("VIOLET")
    spee = where(table, acronym="von Spee-Mayer 2016")
    assert {r["intervention"] for r in spee} == {"aldesleukin"}
    assert any("1.5 MIU" in str(r["dose"]) for r in spee)


def test_sledai_and_prednisone_over_time(store: Store) -> None:
    """He 2020 Table 2, medians: SLEDAI IL-2 12-6-4, placebo 11-6-8; prednisone IL-2 15-10-10."""
    table = rows(store, "sledai_over_time")

    def series(measure: str, arm: str) -> list[object]:
        return [r["value"] for r in table if measure in str(r["measure"]) and arm in str(r["arm"])]

    assert series("SLE Disease Activity", "IL-2") == [12, 6, 4]
    assert series("SLE Disease Activity", "placebo") == [11, 6, 8]
    assert series("prednisone", "IL-2") == [15, 10, 10]


def test_treg_claims(store: Store) -> None:
    table = rows(store, "treg_claims")
    ids = {r["statement"] for r in table}
    assert "il2-required-for-treg-growth-and-survival" in ids
    assert all("regulatory T cell" in f"{r['subject']} {r['object']}" for r in table)


def test_graph_sizes_add_up(store: Store, exports: Path) -> None:
    table = rows(store, "graph_sizes")
    graphs = {r["graph"] for r in table}
    assert {"il2kg:graph/curation", "il2kg:graph/provenance", "il2kg:graph/vocabulary"} <= graphs
    quads = graph_file(exports).read_text("utf-8").count("\n")
    assert sum(int(r["triples"]) for r in table) == quads  # type: ignore[call-overload]


def test_sle_description_construct(store: Store) -> None:
    result = execute(store, resolve("sle_description", QUERIES))
    assert isinstance(result, QueryTriples)
    triples = {
        (curie_of(t.subject.value), curie_of(t.predicate.value), t.object.value) for t in result
    }
    assert ("MONDO:0007915", "rdfs:label", "systemic lupus erythematosus") in triples
    assert ("CLINICALTRIALS:NCT02955615", "rdfs:label", "LUPIL-2") in triples


# ---- hierarchy queries (need the ontology modules) -----------------------------------------


def test_sle_ancestors(store: Store) -> None:
    """MONDO: SLE is_a lupus erythematosus (MONDO:0004670) is_a ... autoimmune disease."""
    assert has_module(store, "mondo"), "the committed MONDO module is missing from ontologies/"
    table = rows(store, "sle_ancestors")
    ancestors = {r["ancestor"]: r["label"] for r in table}
    assert ancestors["MONDO:0004670"] == "lupus erythematosus"
    assert ancestors["MONDO:0007179"] == "autoimmune disease"
    assert "MONDO:0007915" not in ancestors


def test_t_cell_subtypes(store: Store) -> None:
    """Every T-cell type of the curation is under CL:0000084; NK and B cells are not."""
    assert has_module(store, "cl"), "the committed Cell Ontology module is missing from ontologies/"
    cells = {r["cell"] for r in rows(store, "t_cell_subtypes")}
    t_cells = {
        "CL:0000815", "CL:0000792", "CL:0000624", "CL:0000625", "CL:0002038",
        "CL:0009113", "CL:0000899", "CL:0000545", "CL:0000546",
    }  # fmt: skip
    assert t_cells <= cells
    assert not cells & {"CL:0000623", "CL:0000938", "CL:0000236", "CL:0000980", "CL:0000084"}


# ---- mechanism chain, other agents, other diseases, evidence per publication ----------


def test_il2_production_defect_chain(store: Store) -> None:
    """CREMα represses the IL2 gene; CaMKIV raises CREMα and lowers IL-2 production (Juang 2005)."""
    table = rows(store, "il2_defect_chain")
    links = {(r["regulator"], r["target"]) for r in table}
    crem, camk4 = "il2kg.concept:crem-alpha", "il2kg.concept:camk4"
    assert (crem, "HGNC:6001") in links
    assert (camk4, crem) in links
    assert (camk4, "GO:0032623") in links
    assert len({r["source"] for r in table}) >= 4  # Solomou, Hedrich, Tsokos, Juang, Koga...


def test_other_il2_agents_expand_treg(store: Store) -> None:
    """Muteins, PEG-IL-2 and IL-2/antibody complexes expand Treg; mouse and human sources."""
    table = rows(store, "other_il2_agents")
    agents = {r["agent"] for r in table}
    assert {
        "il2kg.drug:efavaleukin-alfa",
        "il2kg.drug:nktr-358",
        "il2kg.drug:il-2-anti-il-2-complex",
    } <= agents
    assert {r["species"] for r in table} >= {"human", "mouse"}


def test_other_diseases_of_low_dose_il2(store: Store) -> None:
    """Vasculitis, GVHD, type 1 diabetes and the TRANSREG basket diseases, at least."""
    table = rows(store, "other_diseases")
    diseases = {r["disease"] for r in table}
    assert {"MONDO:0007407", "MONDO:0013730", "MONDO:0005147", "MONDO:0008383"} <= diseases
    assert "MONDO:0007915" not in diseases
    assert len(diseases) >= 12


def test_evidence_per_publication(store: Store) -> None:
    """At least 30 sources carry statements; the seed review supports several of them."""
    table = rows(store, "evidence_per_publication")
    assert len(table) >= 30
    assert sum(int(r["quotes"]) for r in table) >= 100
    seed = one(table, publication="https://w3id.org/il2-sle-kg/publication/akbarzadeh-2023")
    assert int(seed["statements"]) >= 10


def test_failed_primary_endpoints_are_findings(store: Store) -> None:
    """Both placebo-controlled RCTs missed their primary endpoint, each recorded as a finding."""
    table = rows(store, "missed_endpoint_findings")
    names = {r["statement"] for r in table}
    assert {"he-2020-primary-endpoint-not-met", "lupil-2-primary-endpoint-not-met"} <= names
    assert any("Bulgaria" in str(r["quote"]) for r in table)
