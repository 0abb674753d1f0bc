# Extraction: the coding sheet for the included studies, one row per main study id (generated
# from the protocol's coding fields and outcome domains, with keyword suggestions and their
# evidence: from the full text's pages where it was read, else the record) and the coders'
# validated values merged into coded.csv and outcomes.csv under the protocol's disagreement
# rule (review.extraction). Every coder's file in data/decisions/coding/ is an input, so a new or
# edited file reruns the rule; a file with a bad row stops it, naming the row.
# The sheet is an update() output: Snakemake does not delete a copy a coder filled in place
# before the rule runs, and the command refuses to overwrite one whose values are in no coder's
# file (copy it to data/decisions/coding/<coder>.xlsx first).
from review.workflow import decision_files

CODING_DECISIONS = "data/decisions/coding"


rule extract_coding:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        screening=rules.build_screening_state.output.screening,
        clusters=rules.deduplicate_records.output.clusters,
        groups=rules.group_reports.output.groups,
        fulltext=rules.build_fulltext_status.output.table,
        pages=rules.build_fulltext_status.output.pages,
        decisions=lambda wildcards: decision_files(CODING_DECISIONS),
    output:
        sheet_csv=update("data/extracted/coding_sheet.csv"),
        sheet_xlsx=update("data/extracted/coding_sheet.xlsx"),
        coded="data/extracted/coded.csv",
        outcomes="data/extracted/outcomes.csv",
        disagreements="data/extracted/coding_disagreements.csv",
        agreement="data/extracted/coding_agreement.csv",
        events="data/extracted/coding_events.csv",
    params:
        decisions=CODING_DECISIONS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    conda:
        "../envs/review.yaml"
    log:
        "logs/extract_coding/extract_coding.log",
    benchmark:
        "logs/extract_coding/extract_coding.benchmark.tsv"
    shell:
        "review extract --protocol {input.protocol} --studies {input.studies} "
        "--screening {input.screening} --clusters {input.clusters} "
        "--study-groups {input.groups} --fulltext {input.fulltext} --pages {input.pages} "
        "--coding-dir {params.decisions} "
        "--sheet-csv {output.sheet_csv} --sheet-xlsx {output.sheet_xlsx} "
        "--coded {output.coded} --outcomes {output.outcomes} "
        "--disagreements {output.disagreements} --agreement {output.agreement} "
        "--events {output.events} > {log} 2>&1"
