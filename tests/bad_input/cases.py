"""The bad-input corpus: one small mutation of the real project per case, and its exact error.

See harness.py for the edit kinds and the placeholders ({L0}, {@file#text}, {#file#id}).
Cases are grouped: YAML syntax, types and values, identifiers, references, duplicates,
statements and evidence, trial numbers, files, ontology modules and mappings, CLI, queries.
"""

from __future__ import annotations

from collections.abc import Callable

from harness import Append, Case, Copy, Delete, Replace, Transform, Write

S = "data/statements.yaml"
E = "data/entities.yaml"
P = "data/publications.yaml"
M = "data/outcome_measures.yaml"
T = "data/trials/lupil-2.yaml"
H = "data/trials/he-2020.yaml"
ST0 = "il2-required-for-treg-growth-and-survival"  # the statement most cases edit
I0 = "{#" + S + "#" + ST0 + "}"  # its index in statements.yaml
FIRST = f"  - id: {ST0}\n"
AT_ST0 = "{@" + S + "#" + FIRST.strip() + "}"  # its line
AT_FR = "{@" + S + "#- id: il2-required-for-treg-frontiers-2021}"  # same claim, another source
REF = "is not a defined"
NOT_DECLARED = (
    "statement predicate is not declared (a labelled owl:ObjectProperty) in any ontology "
    "module: add it to the RO seeds in ontologies/sources.yaml and re-run `kg ontologies "
    "extract`, or declare it in ontologies/vocabulary.ttl"
)
REGISTRY = (
    "a phased trial needs a registry id (registry.nct, registry.eudract, or an ISRCTN/ChiCTR/ACTRN/"
    "DRKS/UMIN/jRCT/CTRI id in registry.other) unless design.model is 'case report' or "
    "'case series'"
)
EVIDENCE0 = (
    "    evidence:\n"
    "      - source: il2kg:publication/akbarzadeh-2023\n"
    "        eco: ECO:0000304\n"
    "        quote: IL-2 is indispensable for the growth and survival of regulatory T cells"
    " (Treg)\n"
    "        locator: abstract\n"
)
UNITS = "mg, µg, g, mg/kg, IU, MIU, MIU/m2, IU/kg, mg/day"
LONG_QUOTE = " ".join(f"word{i}" for i in range(30))
MAX_BYTES = 20_000_000


def _huge(raw: bytes) -> bytes:
    """The file, padded with comment lines past the loader's size limit."""
    line = b"# " + b"x" * 97 + b"\n"
    return raw + line * (MAX_BYTES // len(line) + 10)


def _cut(marker: bytes) -> Callable[[bytes], bytes]:
    """Truncate a file in the middle of the statement that starts at marker: the file ends
    12 bytes into the line after the marker's line."""

    def fn(raw: bytes) -> bytes:
        start = raw.index(marker)
        return raw[: start + len(marker) + 12]

    return fn


def _statement(sid: str, *, negated: bool) -> str:
    """A copy of the first statement under another id, asserted or negated."""
    return (
        f"\n  - id: {sid}\n"
        "    subject: PR:000001379\n"
        "    predicate: biolink:affects\n"
        "    object: CL:0000815\n"
        f"    negated: {'true' if negated else 'false'}\n"
        "    qualifiers:\n"
        "      aspect: growth and survival\n"
        "      necessity: indispensable\n"
        "      direction: increased\n"
        "    evidence:\n"
        "      - source: il2kg:publication/akbarzadeh-2023\n"
        "        eco: ECO:0000304\n"
        "        quote: IL-2 is indispensable for the growth and survival of regulatory T cells\n"
        "        locator: abstract\n"
    )


CASES: tuple[Case, ...] = (
    # ---- YAML syntax ----
    Case(
        "yaml-tab-indentation",
        (Replace(S, "\n    subject: PR:000001379", "\n\tsubject: PR:000001379", mark="\t"),),
        (f"{S}:{{L0}}: invalid YAML: found a tab character; indent with spaces, not tabs",),
    ),
    Case(
        "yaml-unclosed-bracket",
        (Replace(E, "[SLE, lupus, disseminated lupus erythematosus]", "[SLE, lupus"),),
        (
            f"{E}:{{L0+1}}: invalid YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence that starts at line {L0})",
        ),
    ),
    Case(
        "yaml-duplicate-key",
        (
            Replace(
                T,
                "acronym: LUPIL-2\n",
                "acronym: LUPIL-2\nacronym: LUPIL-3\n",
                mark="acronym: LUPIL-3",
            ),
        ),
        (
            f'{T}:{{L0}}: invalid YAML: found duplicate key "acronym" with value "LUPIL-3" '
            '(original value: "LUPIL-2")',
        ),
    ),
    Case(
        "yaml-list-expected",
        (Write(M, b"outcome_measures: sri-4\n"),),
        (f"{M}:1: outcome_measures: expected a list of records",),
    ),
    Case(
        "yaml-wrong-top-key",
        (Replace(E, "entities:\n", "entity:\n"),),
        (f"{E}:1: entities: expected a top-level key 'entities:' holding a list",),
    ),
    Case(
        "yaml-trial-is-a-list",
        (Write("data/trials/broken.yaml", b"- id: broken\n- id: again\n"),),
        ("data/trials/broken.yaml:1: expected a mapping describing one trial",),
    ),
    # ---- types and values ----
    Case(
        "type-year-not-int",
        (Replace(P, "year: 2023", "year: twenty-three"),),
        (f"{P}:{{L0}}: publications[0].year: expected an integer, got 'twenty-three'",),
    ),
    Case(
        "type-negated-not-bool",
        (Replace(S, FIRST, FIRST + "    negated: maybe\n", mark="negated"),),
        (f"{S}:{{L0}}: statements[{I0}].negated: expected true or false, got 'maybe'",),
    ),
    Case(
        "type-qualifiers-not-mapping",
        (
            Replace(
                S,
                "    qualifiers:\n      aspect: growth and survival\n"
                "      necessity: indispensable\n      direction: increased\n",
                "    qualifiers: [growth, survival]\n",
            ),
        ),
        (f"{S}:{{L0}}: statements[{I0}].qualifiers: expected a mapping of fields, got list",),
    ),
    Case(
        "value-unknown-field",
        (Replace(T, "acronym: LUPIL-2\n", "acronym: LUPIL-2\nsponsr: Iltoo\n", mark="sponsr"),),
        (f"{T}:{{L0}}: sponsr: unknown field (check the spelling against data/README.md)",),
    ),
    Case(
        "value-missing-required-field",
        (Replace(T, "acronym: LUPIL-2\n", ""),),
        # at the trial record's first line (its id), not at line 1 (a comment)
        (f"{T}:{{@{T}#id: lupil-2}}: acronym: required field is missing",),
    ),
    Case(
        "value-arm-role",
        (Replace(T, "role: experimental", "role: treatment"),),
        (
            f"{T}:{{L0}}: arms[0].role: expected one of experimental, placebo comparator, "
            "active comparator, single group; got 'treatment'",
        ),
    ),
    Case(
        "value-slug-uppercase",
        (Replace(S, FIRST, "  - id: IL2-Required\n"),),
        (
            f"{S}:{{L0}}: statements[{I0}].id: expected a lower-case slug such as 'lupil-2', "
            "got 'IL2-Required'",
        ),
    ),
    Case(
        "value-empty-conditions",
        (Replace(T, "conditions: [MONDO:0007915]", "conditions: []"),),
        (f"{T}:{{L0}}: conditions: must not be empty",),
    ),
    # ---- identifiers ----
    Case(
        "id-unknown-prefix",
        (Replace(S, "subject: PR:000001379", "subject: XPR:000001379"),),
        (
            f"{S}:{{L0}}: statements[{I0}].subject: unknown prefix 'XPR' in 'XPR:000001379' "
            "(known: {prefixes})",
        ),
    ),
    Case(
        "id-not-a-curie",
        (Replace(S, "object: CL:0000815", "object: CL 0000815"),),
        (
            f"{S}:{{L0}}: statements[{I0}].object: expected a CURIE such as MONDO:0007915, "
            "got 'CL 0000815'",
        ),
    ),
    Case(
        "id-bad-nct",
        (Replace(T, "nct: [NCT02955615]", "nct: [NCT0295561]"),),
        (
            f"{T}:{{L0}}: registry.nct[0]: expected an NCT number such as NCT02955615, "
            "got 'NCT0295561'",
        ),
    ),
    Case(
        "id-bad-eudract",
        (Replace(T, "eudract: [2016-000488-17]", "eudract: [2016-488-17]"),),
        (
            f"{T}:{{L0}}: registry.eudract[0]: expected a EudraCT number such as 2016-000488-17, "
            "got '2016-488-17'",
        ),
    ),
    Case(
        "id-bad-pmid",
        (Replace(P, 'pmid: "35973803"', 'pmid: "3597380A"'),),
        (
            f"{P}:{{L0}}: publications[{{#{P}#PMID:35973803}}].pmid: expected text matching "
            "^[1-9]\\d{0,8}$, got '3597380A'",
        ),
    ),
    Case(
        "id-bad-doi",
        (Replace(P, "doi: 10.1136/ard-2022-222501", "doi: 11.1136/ard-2022-222501"),),
        (
            f"{P}:{{L0}}: publications[{{#{P}#PMID:35973803}}].doi: expected text matching "
            "^10\\.\\d{4,9}/\\S+$, got '11.1136/ard-2022-222501'",
        ),
    ),
    Case(
        "id-bad-pmid-curie",
        (Replace(T, "source: PMID:35973803", "source: PMID:0035973803"),),
        (
            f"{T}:{{L0}}: results[0].source: 'PMID:0035973803' is not a valid PMID identifier "
            "(expected ^[1-9]\\d{0,8}$)",
        ),
    ),
    # ---- dangling references ----
    Case(
        "ref-statement-subject",
        (Replace(S, "subject: PR:000001379", "subject: PR:000009999"),),
        (
            f"{S}:{{L0}}: statements[{I0}].subject: 'PR:000009999' {REF} entity "
            "(entities.yaml) or trial NCT id (trials/)",
        ),
    ),
    Case(
        "ref-evidence-source",
        (
            Replace(
                S,
                "source: il2kg:publication/akbarzadeh-2023",
                "source: il2kg:publication/nobody-2023",
            ),
        ),
        (
            f"{S}:{{L0}}: statements[{I0}].evidence[0].source: 'il2kg:publication/nobody-2023' "
            f"{REF} publication (publications.yaml)",
        ),
    ),
    Case(
        "ref-arm-intervention",
        (Replace(T, "intervention: il2kg:drug/ilt-101", "intervention: il2kg:drug/ilt-102"),),
        (
            f"{T}:{{L0}}: arms[0].intervention: 'il2kg:drug/ilt-102' {REF} entity "
            "(entities.yaml); did you mean 'il2kg:drug/ilt-101'?",
        ),
    ),
    Case(
        "ref-condition-digits-swapped",
        (Replace(T, "conditions: [MONDO:0007915]", "conditions: [MONDO:0007951]"),),
        (
            f"{T}:{{L0}}: conditions[0]: 'MONDO:0007951' {REF} entity (entities.yaml); "
            "did you mean 'MONDO:0007915' (systemic lupus erythematosus) or 'MONDO:0007191' "
            "(Behcet disease)?",
        ),
    ),
    Case(
        "shape-eco-code-typo",
        (Replace(S, "eco: ECO:0000304", "eco: ECO:0000340"),),
        (
            f"violation {S}:{{L0}}: statements[{I0}].evidence[0].eco: the ECO code is not in the "
            "ECO module (ontologies/eco/module.ttl) (got ECO:0000340); did you mean "
            "'ECO:0000304' (author statement supported by traceable reference used in manual "
            "assertion) or 'ECO:0000302' (author statement used in manual assertion)? If not, "
            "add it to the ECO seeds and re-run `kg ontologies extract` [Evidence-codeDeclared; "
            f"il2kg.evidence:{ST0}.1]",
            "data: validation failed: 1 violation, ",
        ),
        args=("validate",),
        exact=False,
        needs=("ontologies/eco/module.ttl",),
    ),
    Case(
        "ref-result-arm",
        (
            Replace(
                T,
                r"(  - id: sri4-wk12-itt-comparison\n(?:    .*\n)*?    arm: )ilt-101",
                r"\g<1>ilt-102",
                regex=True,
                mark="arm: ilt-102",
            ),
        ),
        (
            f"{T}:{{L0}}: results[{{#{T}::results#sri4-wk12-itt-comparison}}].arm: 'ilt-102' is "
            "not an arm of this trial (arms: ilt-101, placebo); did you mean 'ilt-101'?",
        ),
    ),
    Case(
        "ref-endpoint-measure",
        (Replace(T, "  - measure: sri-4\n", "  - measure: sri-5\n"),),
        (
            f"{T}:{{L0}}: primary_endpoints[0].measure: 'sri-5' {REF} outcome measure "
            "(outcome_measures.yaml); did you mean 'sri-4'?",
        ),
    ),
    Case(
        "ref-adverse-event-arm",
        (
            Replace(
                H,
                "  - {arm: il-2, event: severe adverse event (any),",
                "  - {arm: il-3, event: severe adverse event (any),",
            ),
        ),
        (
            f"{H}:{{L0}}: adverse_events[0].arm: 'il-3' is not an arm of this trial "
            "(arms: il-2, placebo); did you mean 'il-2'?",
        ),
    ),
    # ---- duplicates ----
    Case(
        "dup-entity",
        (
            Append(
                E,
                "\n  - id: MONDO:0007915\n    label: lupus again\n    category: Disease\n",
                mark="- id",
            ),
        ),
        (
            f"{E}:{{L0}}: entities[{{N:{E}}}].id: duplicate id 'MONDO:0007915' (first defined at "
            f"{E}:{{@{E}#- id: MONDO:0007915}})",
        ),
    ),
    Case(
        "dup-statement",
        (Append(S, _statement(ST0, negated=False), mark="- id"),),
        (
            f"{S}:{{L0}}: statements[{{N:{S}}}].id: duplicate id '{ST0}' (first defined at "
            f"{S}:{AT_ST0})",
        ),
    ),
    Case(
        "dup-trial-across-files",
        (Copy(T, "data/trials/lupil-2-copy.yaml"),),
        (
            f"{T}:{{@{T}#id: lupil-2}}: id: duplicate id 'lupil-2' (first defined at "
            "data/trials/lupil-2-copy.yaml:{@data/trials/lupil-2-copy.yaml#id: lupil-2})",
            "data/trials/lupil-2-copy.yaml:{@data/trials/lupil-2-copy.yaml#id: lupil-2}: id: "
            "the trial id 'lupil-2' must equal the file name 'lupil-2-copy' (rename the file "
            "or fix the id)",
        ),
    ),
    Case(
        "dup-arm-in-trial",
        (
            Replace(
                T,
                "  - id: placebo\n",
                "  - id: ilt-101\n    label: again\n    role: experimental\n"
                "    intervention: il2kg:drug/ilt-101\n  - id: placebo\n",
            ),
        ),
        (f"{T}:{{L0}}: arms[1].id: duplicate arm id 'ilt-101'",),
    ),
    Case(
        "dup-result-in-trial",
        (Replace(T, "  - id: sri4-wk12-itt-placebo\n", "  - id: sri4-wk12-itt-ilt101\n"),),
        (
            f"{T}:{{L0}}: results[{{#{T}::results#sri4-wk12-itt-placebo}}].id: duplicate result "
            "id 'sri4-wk12-itt-ilt101'",
        ),
    ),
    # ---- statements and evidence ----
    Case(
        "stmt-contradiction",
        (Append(S, _statement("il2-not-required-for-treg", negated=True), mark="- id"),),
        (
            f"{S}:{{L0}}: statements[{{N:{S}}}]: contradicts statement '{ST0}' ({S}:{AT_ST0}): "
            "the same PR:000001379 biolink:affects CL:0000815 is negated here and asserted there; "
            "give both a qualifier that tells the contexts apart (such as species or "
            "population) or remove one [contradiction; il2kg.statement:il2-not-required-for-treg]",
            f"{S}:{{L0}}: statements[{{N:{S}}}]: contradicts statement "
            f"'il2-required-for-treg-frontiers-2021' ({S}:{AT_FR}): "
            "the same PR:000001379 biolink:affects CL:0000815 is negated here and asserted there; "
            "give both a qualifier that tells the contexts apart (such as species or "
            "population) or remove one [contradiction; il2kg.statement:il2-not-required-for-treg]",
        ),
    ),
    Case(
        "evidence-missing",
        (Replace(S, EVIDENCE0, ""),),
        (f"{S}:{AT_ST0}: statements[{I0}].evidence: required field is missing",),
    ),
    Case(
        "evidence-empty-list",
        (Replace(S, EVIDENCE0, "    evidence: []\n"),),
        (f"{S}:{{L0}}: statements[{I0}].evidence: must not be empty",),
    ),
    Case(
        "evidence-quote-too-long",
        (
            Replace(
                S,
                "quote: IL-2 is indispensable for the growth and survival of regulatory T cells "
                "(Treg)",
                f"quote: {LONG_QUOTE}",
            ),
        ),
        (
            f"{S}:{{L0}}: statements[{I0}].evidence[0].quote: quote has 30 words; keep verbatim "
            "quotes to at most 25 words",
        ),
    ),
    Case(
        "evidence-bad-eco-prefix",
        (Replace(S, "eco: ECO:0000304", "eco: OBI:0000304"),),
        (
            f"{S}:{{L0}}: statements[{I0}].evidence[0].eco: expected an ECO evidence code such as "
            "ECO:0000180, got 'OBI:0000304'",
        ),
    ),
    # ---- trial numbers, units, dates ----
    Case(
        "num-p-value",
        (
            Replace(
                T,
                r"(  - id: sri4-wk12-itt-comparison\n(?:    .*\n)*?    p_value: )[0-9.]+",
                r"\g<1>1.5",
                regex=True,
                mark="p_value: 1.5",
            ),
        ),
        (
            f"{T}:{{L0}}: results[{{#{T}::results#sri4-wk12-itt-comparison}}].p_value: input "
            "should be less than or equal to 1, got 1.5",
        ),
    ),
    Case(
        "num-percent",
        (
            Replace(
                T,
                r"(  - id: sri4-wk12-itt-ilt101\n(?:    .*\n)*?    percent: )[0-9.]+",
                r"\g<1>140",
                regex=True,
                mark="percent: 140",
            ),
        ),
        (
            f"{T}:{{L0}}: results[{{#{T}::results#sri4-wk12-itt-ilt101}}].percent: input should "
            "be less than or equal to 100, got 140",
        ),
    ),
    Case(
        "num-responders-not-a-number",
        (
            Replace(
                H,
                r"(  - id: ln-complete-remission-il2\n(?:    .*\n)*?    responders: \{n: )\d+",
                r"\g<1>seven",
                regex=True,
                mark="responders",
            ),
        ),
        (
            f"{H}:{{L0}}: results[{{#{H}::results#ln-complete-remission-il2}}].responders.n: "
            "expected an integer, got 'seven'",
        ),
    ),
    Case(
        "num-responders-over-total",
        (
            Replace(
                H,
                r"(  - id: ln-complete-remission-il2\n(?:    .*\n)*?    responders: )"
                r"\{n: \d+, total: \d+\}",
                r"\g<1>{n: 14, total: 13}",
                regex=True,
                mark="responders",
            ),
        ),
        (
            f"{H}:{{L0}}: results[{{#{H}::results#ln-complete-remission-il2}}].responders.n: "
            "n (14) exceeds total (13)",
        ),
    ),
    Case(
        "num-negative-dose",
        (Replace(T, "value: 1.5", "value: -1.5"),),
        (f"{T}:{{L0}}: arms[0].doses[0].value: input should be greater than 0, got -1.5",),
    ),
    Case(
        "unit-unknown",
        (Replace(T, "unit: MIU", "unit: MU"),),
        (
            f"{T}:{{L0}}: arms[0].doses[0].unit: expected one of {UNITS}; got 'MU' "
            "(did you mean 'MIU'?)",
        ),
    ),
    Case(
        "date-impossible",
        (Replace(T, "start: 2017-01-18", "start: 2017-13-45"),),
        (f"{T}:{{L0}}: start: expected a date YYYY-MM-DD, got '2017-13-45'",),
    ),
    Case(
        "date-free-text",
        (Replace(P, "published: 2022-12-22", "published: March 2023"),),
        (f"{P}:{{L0}}: publications[0].published: expected a date YYYY-MM-DD, got 'March 2023'",),
    ),
    # ---- validator gaps (issue 11 section 3) and look-alike characters (section 2 case 6) ----
    Case(
        "trial-id-not-file-name",
        (Replace(T, "id: lupil-2\n", "id: lupil-two\n", mark="id:"),),
        (
            f"{T}:{{L0}}: id: the trial id 'lupil-two' must equal the file name 'lupil-2' "
            "(rename the file or fix the id)",
        ),
    ),
    Case(
        "num-percent-is-a-proportion",
        (
            Replace(
                H,
                r"(  - id: ln-complete-remission-il2\n(?:    .*\n)*?    percent: )[0-9.]+",
                r"\g<1>0.5385",
                regex=True,
                mark="percent: 0.5385",
            ),
        ),
        (
            f"{H}:{{L0}}: results[{{#{H}::results#ln-complete-remission-il2}}].percent: percent "
            "0.5385 does not agree with 7/13 (53.85%) within rounding; it looks like a "
            "proportion: percentages are 0-100, write 53.85",
        ),
    ),
    Case(
        "num-percent-disagrees-with-responders",
        (
            Replace(
                H,
                r"(  - id: ln-complete-remission-il2\n(?:    .*\n)*?    percent: )[0-9.]+",
                r"\g<1>58.3",
                regex=True,
                mark="percent: 58.3",
            ),
        ),
        (
            f"{H}:{{L0}}: results[{{#{H}::results#ln-complete-remission-il2}}].percent: percent "
            "58.3 does not agree with 7/13 (53.85%) within rounding",
        ),
    ),
    Case(
        "value-phase-number-not-allowed",
        (Replace(T, 'phase: "2"', "phase: 4"),),
        (
            f"{T}:{{L0}}: phase: expected one of 1, 1b, 1/2, 1/2a, 2, 2b, 3, N/A, not stated; "
            "got 4 (a number; write one of the values as text)",
        ),
    ),
    Case(
        "value-unit-typo-did-you-mean",
        (Replace(T, "unit: MIU", "unit: MUI"),),
        (
            f"{T}:{{L0}}: arms[0].doses[0].unit: expected one of {UNITS}; got 'MUI' "
            "(did you mean 'MIU'?)",
        ),
    ),
    Case(
        "value-unit-invisible-character",
        (Replace(T, "unit: MIU", "unit: MIU\u200b"),),
        (
            f"{T}:{{L0}}: arms[0].doses[0].unit: expected one of {UNITS}; got 'MIU\\u200b' "
            "(it holds U+200B ZERO WIDTH SPACE; did you mean 'MIU'?)",
        ),
    ),
    Case(
        "ref-measure-typo-did-you-mean",
        (Replace(T, "  - measure: sri-4\n", "  - measure: sri4\n"),),
        (
            f"{T}:{{L0}}: primary_endpoints[0].measure: 'sri4' {REF} outcome measure "
            "(outcome_measures.yaml); did you mean 'sri-4'?",
        ),
    ),
    Case(
        "ref-entity-typo-did-you-mean",
        (Replace(T, "intervention: il2kg:drug/ilt-101", "intervention: il2kg:drug/aldesleukine"),),
        (
            f"{T}:{{L0}}: arms[0].intervention: 'il2kg:drug/aldesleukine' {REF} entity "
            "(entities.yaml); did you mean 'il2kg:drug/aldesleukin'?",
        ),
    ),
    Case(
        "num-p-value-bound-unreadable",
        (
            Replace(
                T,
                r"(  - id: sri4-wk12-itt-comparison\n(?:    .*\n)*?    p_value: )[0-9.]+",
                r'\g<1>"about 0.05"',
                regex=True,
                mark="p_value:",
            ),
        ),
        (
            f"{T}:{{L0}}: results[{{#{T}::results#sri4-wk12-itt-comparison}}].p_value: expected "
            "a p-value such as 0.03 or a bound such as '<0.001', got 'about 0.05'",
        ),
    ),
    # accepted now: a number that spells an allowed value, a Greek mu for the micro sign, a
    # p-value reported as a bound (exit code 0; tests/test_curation.py checks the values)
    Case(
        "accepted-phase-unquoted",
        (Replace(T, 'phase: "2"', "phase: 2"),),
        (),
        args=("validate",),
        code=0,
    ),
    Case(
        "accepted-unit-greek-mu",
        (Replace(T, "unit: MIU", "unit: \u03bcg"),),  # a dose unit: a closed choice
        (),
        args=("validate",),
        code=0,
    ),
    Case(
        "accepted-p-value-bound",
        (Replace(T, "p_value: 0.0168", 'p_value: "< 0.05"'),),
        (),
        args=("validate",),
        code=0,
    ),
    # ---- files ----
    Case("file-empty", (Write(S, b""),), (f"{S}:1: file is empty",)),
    Case("file-comments-only", (Write(M, b"# nothing here yet\n"),), (f"{M}:1: file is empty",)),
    Case(
        "file-not-utf8",
        (Transform(S, lambda raw: raw.replace(b"# Claim 2", b"# Claim \xff", 1)),),
        (f"{S}:{{@{S}#  # Claim \ufffd}}: not valid UTF-8 (byte 0xff); save the file as UTF-8",),
    ),
    Case(
        "file-too-large",
        (Transform(E, _huge),),
        (f"{E}: file is {{size:{E}}} bytes; the limit is 20,000,000",),
    ),
    Case("file-missing", (Delete(M),), (f"{M}: required file is missing",)),
    # ---- ontology modules and mappings ----
    Case(
        "ontology-module-cut-mid-statement",
        (Transform("ontologies/mondo/module.ttl", _cut(b"MONDO:0007915\n")),),
        (
            "ontologies/mondo/module.ttl:{@ontologies/mondo/module.ttl#EOF}: "
            "cannot parse Turtle: Unexpected end",
        ),
        needs=("ontologies/mondo/module.ttl",),
    ),
    Case(
        "ontology-vocabulary-cut-mid-statement",
        (Transform("ontologies/vocabulary.ttl", _cut(b"kgv:Dose a owl:Class")),),
        (
            "ontologies/vocabulary.ttl:{@ontologies/vocabulary.ttl#EOF}: "
            "cannot parse Turtle: Unexpected end",
        ),
    ),
    Case(
        "ontology-obsolete-term",
        (Append("ontologies/mondo/module.ttl", "\nMONDO:0005556 owl:deprecated true .\n"),),
        (
            f"{E}:{{@{E}#- id: MONDO:0005556}}: entities[{{#{E}#MONDO:0005556}}].id: "
            "MONDO:0005556 ('lupus nephritis') is obsolete in MONDO "
            "(ontologies/mondo/module.ttl); the ontology names no replacement "
            "[ontology-term; MONDO:0005556]",
        ),
        needs=("ontologies/mondo/module.ttl",),
    ),
    Case(
        "ontology-unknown-term",
        (
            Append(
                E,
                "\n  - id: MONDO:0099999\n    label: lupus of the elbow\n    category: Disease\n",
                mark="- id",
            ),
        ),
        (
            f"{E}:{{L0}}: entities[{{N:{E}}}].id: MONDO:0099999 is not in ontology MONDO "
            "(ontologies/mondo/module.ttl); closest: 'lupus erythematosus' (MONDO:0004670). "
            "Fix the id, or if it is a valid new term re-run `kg ontologies extract` "
            "[ontology-term; MONDO:0099999]",
        ),
        needs=("ontologies/mondo/module.ttl",),
    ),
    # ---- SHACL shapes (the loader accepts these; the merged graph does not) ----
    Case(
        "shape-trial-without-registry-id",
        (
            Replace(
                T,
                "registry:\n  nct: [NCT02955615]\n  eudract: [2016-000488-17]\n"
                "  other: [sponsor protocol code LUPIL-2]\n",
                "",
            ),
            # the statement that names the trial by its NCT id would dangle: point it elsewhere
            Replace(
                S,
                "    subject: NCT:NCT02955615\n    predicate: RO:0000057\n"
                "    object: il2kg:drug/ilt-101\n",
                "    subject: il2kg:drug/ilt-101\n    predicate: biolink:in_clinical_trials_for\n"
                "    object: MONDO:0007915\n",
            ),
        ),
        (
            f"{T}:{{@{T}#  model: parallel}}: design.model: {REGISTRY} "
            "[ClinicalTrial-registry; il2kg.trial:lupil-2]",
        ),
    ),
    Case(
        "shape-predicate-not-a-property",
        (Replace(S, "predicate: biolink:affects", "predicate: CL:0000815"),),
        (
            f"{S}:{{L0}}: statements[{I0}].predicate: {NOT_DECLARED} "
            "[StatementPredicate; CL:0000815]",
        ),
        needs=("ontologies/cl/module.ttl",),
    ),
    Case(
        "shape-invalid-category",
        (
            Append(
                "ontologies/mondo/module.ttl",
                "\nMONDO:0007915 <https://w3id.org/biolink/vocab/category> "
                "<https://w3id.org/biolink/vocab/Nonsense> .\n",
            ),
        ),
        (
            f"{E}:{{@{E}#    category: Disease}}: entities[{{#{E}#MONDO:0007915}}].category: "
            "not an allowed Biolink category (see Category in kg/curation/schema.py) "
            "(got biolink:Nonsense) [Category-value; MONDO:0007915]",
        ),
        needs=("ontologies/mondo/module.ttl",),
    ),
    Case(
        "shape-dose-unit-undeclared",
        (
            Replace(
                "ontologies/vocabulary.ttl", r"il2kg:unit\/MIU a kgv:Unit ;", r"il2kg:unit\/MIU"
            ),
        ),
        (
            f"{T}:{{@{T}#        unit: MIU}}: arms[0].doses[0].unit: a dose needs exactly one unit "
            "declared in ontologies/vocabulary.ttl (got il2kg.unit:MIU) "
            "[Dose-doseUnit; il2kg.dose:lupil-2.ilt-101.1]",
        ),
        exact=False,
    ),
    Case(
        "shape-class-unlabelled",
        (Replace("ontologies/vocabulary.ttl", 'rdfs:label "unit of measure" ;', ""),),
        (
            "ontologies/vocabulary.ttl:{@ontologies/vocabulary.ttl#kgv:Unit a owl:Class}: "
            "class has no rdfs:label: declare it in ontologies/vocabulary.ttl or extract it "
            "into an ontology module [ClassLabel; kgv:Unit]",
        ),
    ),
    # ---- command line ----
    Case(
        "cli-unknown-format",
        (),
        ("unknown export format(s): parquet (choose from {formats})",),
        args=("build", "--format", "parquet"),
    ),
    Case(
        "cli-unknown-warn-check",
        (),
        ("--warn: unknown check 'NoSuchCheck' (known checks: {checks})",),
        args=("build", "--warn", "NoSuchCheck"),
    ),
    Case(
        "cli-missing-data-dir",
        (),
        ("nowhere: data directory not found",),
        args=("build", "--data", "nowhere"),
    ),
    Case(
        "cli-missing-ontologies-dir",
        (),
        ("nowhere/vocabulary.ttl: project vocabulary not found",),
        args=("validate", "--ontologies", "nowhere"),
    ),
    Case(
        "cli-report-unwritable",
        (),
        ("data/trials: cannot write report: Is a directory",),
        args=("validate", "--report", "data/trials"),
    ),
    Case(
        "cli-build-out-is-a-file",
        (),
        ("data/entities.yaml: cannot write exports here: File exists",),
        args=("build", "--out", "data/entities.yaml"),
    ),
    Case(
        "cli-validate-lists-violations",
        (Replace(S, "predicate: biolink:affects", "predicate: CL:0000815"),),
        (
            f"violation {S}:{{L0}}: statements[{I0}].predicate: {NOT_DECLARED} "
            "[StatementPredicate; CL:0000815]",
            "data: validation failed: 1 violation, ",
        ),
        args=("validate",),
        exact=False,
        needs=("ontologies/cl/module.ttl",),
    ),
    Case("cli-unknown-option", (), (), args=("build", "--colour"), code=2),
    # ---- queries ----
    Case(
        "query-syntax-error",
        (),
        ("<query>:1: SPARQL syntax error at column 21: expected one of",),
        args=("query", "SELECT ?x WHERE { ?x"),
        exact=False,
    ),
    Case(
        "query-unknown-prefix",
        (),
        (
            "<query>:1: SPARQL syntax error at column 29: unknown prefix foo: (declare it with "
            "PREFIX; the project's prefixes are predeclared)",
        ),
        args=("query", "SELECT ?x WHERE { ?x foo:bar ?y }"),
    ),
    Case(
        "query-file-error-located",
        (Write("bad.rq", b"# trials\nSELECT ?t WHERE {\n  ?t a foo:Trial .\n}\n"),),
        (
            "bad.rq:3: SPARQL syntax error at column 17: unknown prefix foo: (declare it with "
            "PREFIX; the project's prefixes are predeclared)",
        ),
        args=("query", "bad.rq"),
    ),
    Case(
        "query-unknown-name",
        (),
        (
            "no named query 'no_such_query' (`kg query --list` shows them); pass a .rq file or "
            "SPARQL text instead",
        ),
        args=("query", "no_such_query"),
    ),
    Case(
        "query-no-exports",
        (),
        (
            "nowhere: no exports folder (looked for nowhere/kg.nq): run `kg build` first, or "
            "point --exports at the folder a build wrote",
        ),
        args=("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--exports", "nowhere"),
    ),
)
