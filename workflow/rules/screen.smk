# Screening: apply the protocol's automatic criteria, re-attach every reviewer's ledger decision to
# its study (carry-forward) and derive the state of every study, the conflicts and the agreement
# (review.screening). Ledgers are listed by a function, so a new reviewer's file retriggers it.
# The retrieval status of the reports (fulltext.csv) says which were not retrieved and on what
# basis each full-text decision was made; decisions out of order are set aside, never counted.
from review.workflow import decision_files


rule build_screening_state:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        records=rules.normalise_records.output.records,
        fulltext=rules.build_fulltext_status.output.table,
        ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
    output:
        screening="data/interim/screening.csv",
        events="data/interim/screening_events.csv",
        conflicts="data/interim/screening_conflicts.csv",
        unmatched="data/interim/screening_unmatched.csv",
        agreement="data/interim/screening_agreement.json",
        set_aside="data/interim/screening_set_aside.csv",
    params:
        ledgers=SCREENING_DECISIONS,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_screening_state/build_screening_state.log",
    benchmark:
        "logs/build_screening_state/build_screening_state.benchmark.tsv"
    shell:
        "review screen state --protocol {input.protocol} --studies {input.studies} "
        "--clusters {input.clusters} --records {input.records} --fulltext {input.fulltext} "
        "--decisions {params.ledgers} --screening {output.screening} --events {output.events} "
        "--conflicts {output.conflicts} --unmatched {output.unmatched} "
        "--agreement {output.agreement} --set-aside {output.set_aside} > {log} 2>&1"


# A reviewer's sheet, on request: snakemake data/screening_sheets/title_abstract/NAME.xlsx
# The sheet is an update() output: Snakemake does not delete a sheet the reviewer filled before
# the rule runs, and the command refuses to overwrite one holding decisions not yet imported.
rule build_screening_sheet:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        records=rules.normalise_records.output.records,
        fulltext=rules.build_fulltext_status.output.table,
        pages=rules.build_fulltext_status.output.pages,
        ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
    output:
        csv=update("data/screening_sheets/{stage}/{reviewer}.csv"),
        xlsx=update("data/screening_sheets/{stage}/{reviewer}.xlsx"),
    wildcard_constraints:
        stage="title_abstract|full_text",
        reviewer="[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
    params:
        ledgers=SCREENING_DECISIONS,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_screening_sheet/{stage}/{reviewer}.log",
    benchmark:
        "logs/build_screening_sheet/{stage}/{reviewer}.benchmark.tsv"
    shell:
        "review screen sheet --reviewer {wildcards.reviewer} --stage {wildcards.stage} "
        "--protocol {input.protocol} --studies {input.studies} --clusters {input.clusters} "
        "--records {input.records} --fulltext {input.fulltext} --pages {input.pages} "
        "--decisions {params.ledgers} --csv {output.csv} "
        "--xlsx {output.xlsx} > {log} 2>&1"
