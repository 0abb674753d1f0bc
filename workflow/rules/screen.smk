# Screening: apply the protocol's automatic criteria, re-attach every reviewer's ledger decision to
# its study (carry-forward) and derive the state of every study, the conflicts and the agreement
# (review.screening). Ledgers are listed by a function, so a new reviewer's file retriggers it.
from review.workflow import decision_files

SCREENING_DECISIONS = "data/decisions/screening"


rule screen_studies:
    input:
        protocol=PROTOCOL_PATH,
        studies="data/interim/studies.csv",
        clusters="data/interim/clusters.csv",
        records="data/interim/records.csv",
        ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
    output:
        screening="data/interim/screening.csv",
        events="data/interim/screening_events.csv",
        conflicts="data/interim/screening_conflicts.csv",
        unmatched="data/interim/screening_unmatched.csv",
        agreement="data/interim/screening_agreement.json",
    params:
        decisions=SCREENING_DECISIONS,
        outdir=subpath(output.screening, parent=True),
    conda:
        "../envs/review.yaml"
    log:
        "logs/screen_studies/screen_studies.log",
    shell:
        "review screening-state --protocol {input.protocol} --studies {input.studies} "
        "--clusters {input.clusters} --records {input.records} --decisions {params.decisions} "
        "-o {params.outdir} > {log} 2>&1"


# A reviewer's sheet, on request: snakemake data/screening_sheets/title_abstract/NAME.xlsx
rule build_screening_sheets:
    input:
        protocol=PROTOCOL_PATH,
        studies="data/interim/studies.csv",
        clusters="data/interim/clusters.csv",
        records="data/interim/records.csv",
        ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
    output:
        csv="data/screening_sheets/{stage}/{reviewer}.csv",
        xlsx="data/screening_sheets/{stage}/{reviewer}.xlsx",
    wildcard_constraints:
        stage="title_abstract|full_text",
        reviewer="[A-Za-z0-9][A-Za-z0-9_.-]*",
    params:
        decisions=SCREENING_DECISIONS,
        sheets=subpath(output.csv, ancestor=2),
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_screening_sheets/{stage}/{reviewer}.log",
    shell:
        "review screen --reviewer {wildcards.reviewer} --stage {wildcards.stage} "
        "--protocol {input.protocol} --studies {input.studies} --clusters {input.clusters} "
        "--records {input.records} --decisions {params.decisions} --sheets {params.sheets} "
        "> {log} 2>&1"
